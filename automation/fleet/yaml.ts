/**
 * Reading a fleet file's YAML: syntax errors as issues with their line and column, the plain value,
 * the source text of a scalar (an unquoted account id as written), and the line of an issue's path.
 *
 * What is read is bounded (docs/fleet-file.md, "Limits"): the file's size before anything is
 * parsed, the nesting depth before the parser (which recurses) could overflow its stack, and the
 * size of the document once its aliases are expanded. Anchors, aliases and `<<` merge keys are
 * accepted in any number as long as the expansion stays proportional to the document (a generated
 * fleet shares one `regions` list among thousands of members); an expansion that multiplies
 * (aliases of anchors that themselves hold aliases, the "billion laughs" attack) is refused.
 */
import {
  type Document,
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
} from "yaml";
import type { Checker } from "./checker";

/**
 * Largest fleet file read, in bytes: 4 MiB holds about 60,000 members in PyYAML's style. Parsing
 * costs about 150 MB of memory and 1.5 s of CPU per MiB, so the limit keeps a hostile file far from
 * the heap limit.
 */
export const MAX_FLEET_FILE_BYTES = 4 * 1024 * 1024;
/** Deepest nesting of collections accepted (a full fleet file nests about 12 levels). */
export const MAX_NESTING_DEPTH = 64;
/**
 * Expanded nodes allowed per node written, once the document is past EXPANSION_FLOOR: a document
 * whose aliases stand for at most this many times its own size is proportional, a larger one
 * multiplies.
 */
export const MAX_EXPANSION_RATIO = 100;
/** Expansions up to this many nodes are always accepted, however small the document. */
export const EXPANSION_FLOOR = 1_000_000;

/** "16 MiB", "1.5 MiB", "900 KiB", "12 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The message of a fleet file over MAX_FLEET_FILE_BYTES. */
export function tooLargeMessage(bytes: number, atLeast = false): string {
  return (
    `is ${atLeast ? "at least " : ""}${formatBytes(bytes)} (${bytes} bytes); the limit is ` +
    `${formatBytes(MAX_FLEET_FILE_BYTES)} (${MAX_FLEET_FILE_BYTES} bytes). Split the fleet ` +
    `into several files, or share repeated settings with anchors (&name) and aliases (*name)`
  );
}

/**
 * The deepest nesting of the text, estimated without parsing: flow collections by their brackets
 * (outside quotes and comments), block collections by their indentation levels and `- ` entries
 * opened on one line. It errs high only for unusual block scalars, and stops counting at `limit`.
 */
export function nestingDepth(text: string, limit = Number.MAX_SAFE_INTEGER): number {
  let deepest = 0;
  const indents: number[] = [];
  let flow = 0;
  let start = 0;
  while (start <= text.length && deepest <= limit) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    let i = 0;
    while (line[i] === " ") i++;
    if (i === line.length || line[i] === "#" || line[i] === "\r") continue;
    let block = 0;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] > i) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1] < i) indents.push(i);
      // "- - - x" opens one sequence per dash; "- key: x" a map inside the entry.
      while (line[i] === "-" && (line[i + 1] === " " || i + 1 === line.length)) {
        block++;
        i += 2;
        while (line[i] === " ") i++;
      }
    }
    let quote = "";
    for (; i < line.length; i++) {
      const ch = line[i];
      if (quote !== "") {
        if (ch === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = "";
        } else if (ch === "\\" && quote === '"') i++;
      } else if (ch === '"' || ch === "'") {
        quote = ch;
      } else if (ch === "#" && (i === 0 || line[i - 1] === " ")) {
        break;
      } else if (ch === "[" || ch === "{") {
        flow++;
        deepest = Math.max(deepest, indents.length + block + flow);
      } else if ((ch === "]" || ch === "}") && flow > 0) {
        flow--;
      }
    }
    deepest = Math.max(deepest, indents.length + block + flow);
  }
  return deepest;
}

/**
 * Node counts of a parsed document, as written and with every alias expanded, computed without
 * expanding anything (each anchored node's size is remembered). Every resolvable alias is replaced
 * in place by the node its anchor names, so converting the document needs no alias lookups (the
 * yaml package searches the whole document once per alias, which is quadratic in the members of
 * a generated fleet). `cycle` names an alias inside the node its own anchor is set on.
 */
export function expandAliases(doc: Document): {
  written: number;
  expanded: number;
  cycle?: string;
} {
  const anchors = new Map<string, unknown>();
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  let written = 0;
  let cycle: string | undefined;
  /** The node an alias stands for (the latest anchor of its name before it), or the alias. */
  const resolve = (node: unknown): unknown => {
    if (!isAlias(node)) return node;
    written += 1;
    const target = anchors.get(node.source);
    if (target === undefined) return node;
    if (open.has(target)) {
      cycle ??= node.source;
      return node;
    }
    return target;
  };
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    written += 1;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor !== undefined) anchors.set(anchor, node);
    open.add(node);
    let n = 1;
    if (isMap(node) || isSeq(node)) {
      const items = node.items as unknown[];
      for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (isPair(item)) {
          item.key = resolve(item.key);
          item.value = resolve(item.value);
          n += size(item.key) + size(item.value);
        } else {
          items[i] = resolve(item);
          n += size(items[i]);
        }
      }
    }
    open.delete(node);
    sizes.set(node, n);
    return n;
  };
  doc.contents = resolve(doc.contents) as typeof doc.contents;
  const expanded = size(doc.contents);
  return cycle === undefined ? { written, expanded } : { written, expanded, cycle };
}

export interface FleetYaml {
  /** The document as plain values: undefined or null for an empty file. */
  raw: unknown;
  /** The source text of the scalar at a YAML path, when it has one. */
  source: (path: (string | number)[]) => string | undefined;
  /** The 1-based line of the node an issue path points at, when known. */
  lineOf: (path: string) => number | undefined;
}

const NESTING_FIX =
  "look for an unclosed [ or { or runaway indentation (a fleet file nests about 12 levels)";

function nestingTooDeep(c: Checker, levels: string): void {
  c.add(
    "(yaml)",
    `nesting is too deep: ${levels}; the limit is ${MAX_NESTING_DEPTH} levels; ${NESTING_FIX}`,
  );
}

/** The parsed document, or undefined after recording why it cannot be read. */
export function readYaml(text: string, c: Checker): FleetYaml | undefined {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FLEET_FILE_BYTES) {
    c.add("(file)", tooLargeMessage(bytes));
    return undefined;
  }
  if (nestingDepth(text, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    nestingTooDeep(c, `more than ${MAX_NESTING_DEPTH} levels`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    prettyErrors: true,
    logLevel: "silent",
    uniqueKeys: true,
    // `<<: *defaults` merges a map into another, as YAML 1.1 defines and PyYAML writes.
    merge: true,
    lineCounter,
  });
  if (doc.errors.length > 0) {
    // The parser recurses per level; where the estimate above missed, it reports its own overflow.
    if (doc.errors.some((e) => e.message.includes("Maximum call stack size exceeded"))) {
      nestingTooDeep(c, "the parser ran out of stack");
      return undefined;
    }
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const where = pos === undefined ? "(yaml)" : `line ${pos.line}, column ${pos.col}`;
      const fix =
        e.code === "DUPLICATE_KEY"
          ? "each key may appear once in a map; remove or rename one of them"
          : "fix the YAML syntax here (quote values that contain ': ' or start with special characters)";
      c.add(
        where,
        `${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}; ${fix}`,
      );
    }
    return undefined;
  }
  const { written, expanded, cycle } = expandAliases(doc);
  if (cycle !== undefined) {
    c.add(
      "(yaml)",
      `the alias *${cycle} is inside the node its anchor &${cycle} is set on, which would make ` +
        `it contain itself; alias the node from outside it instead`,
    );
    return undefined;
  }
  if (expanded > Math.max(EXPANSION_FLOOR, MAX_EXPANSION_RATIO * written)) {
    const shown = Number.isFinite(expanded) ? expanded.toExponential(1) : "too many";
    c.add(
      "(yaml)",
      `is an alias bomb ("billion laughs"): its ${written} nodes expand to ${shown} through ` +
        `aliases of anchors that themselves hold aliases, more than ${MAX_EXPANSION_RATIO} times ` +
        `the document; alias each shared value directly (*name) instead of nesting aliases`,
    );
    return undefined;
  }
  let raw: unknown;
  try {
    // Proportional by the check above: the yaml package's own alias budget would refuse a
    // generated fleet whose members share one anchored list.
    raw = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    c.add(
      "(yaml)",
      `${message}; ${
        message.startsWith("Merge sources")
          ? "a merge key (<<) takes a map, an alias of a map, or a list of them"
          : "define every anchor (&name) before its alias (*name)"
      }`,
    );
    return undefined;
  }
  const source = (path: (string | number)[]): string | undefined => {
    const node = doc.getIn(path, true) as { source?: unknown } | undefined;
    return typeof node?.source === "string" ? node.source : undefined;
  };
  return { raw, source, lineOf: (path) => lineOf(doc, lineCounter, path) };
}

/**
 * The line of the node an issue path (`members[1].patchGroups.web.approvalRules[0]`) points at.
 * Keys may contain dots, so at each map the longest key that prefixes the rest of the path wins;
 * where the path leaves the document (a missing key), the deepest node found is used.
 */
function lineOf(doc: Document, counter: LineCounter, path: string): number | undefined {
  if (path === "(file)" || path === "(yaml)" || path.startsWith("line ")) return undefined;
  let node: unknown = doc.contents;
  let found: unknown = undefined;
  let rest = path;
  for (let guard = 0; guard < 100 && rest !== "" && node; guard++) {
    if (isSeq(node)) {
      const m = /^\[(\d+)\]\.?(.*)$/.exec(rest);
      if (m === null) break;
      node = node.items[Number(m[1])];
      rest = m[2];
    } else if (isMap(node)) {
      let key = "";
      let next: unknown = undefined;
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (k === undefined || k.length < key.length) continue;
        if (rest === k || rest.startsWith(`${k}.`) || rest.startsWith(`${k}[`)) {
          key = k;
          next = pair.value ?? pair.key;
        }
      }
      if (next === undefined) break;
      node = next;
      rest = rest.slice(key.length).replace(/^\./, "");
    } else {
      break;
    }
    found = node;
  }
  const range = (found as { range?: [number, number, number] } | undefined)?.range;
  return range === undefined ? undefined : counter.linePos(range[0]).line;
}
