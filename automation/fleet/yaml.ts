/**
 * Reading a fleet file's YAML: syntax errors as issues with their line and column, the plain value,
 * the source text of a scalar (an unquoted account id as written), and the line of an issue's path.
 */
import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Checker } from "./checker";

export interface FleetYaml {
  /** The document as plain values: undefined or null for an empty file. */
  raw: unknown;
  /** The source text of the scalar at a YAML path, when it has one. */
  source: (path: (string | number)[]) => string | undefined;
  /** The 1-based line of the node an issue path points at, when known. */
  lineOf: (path: string) => number | undefined;
}

/** The parsed document, or undefined after recording why it cannot be read. */
export function readYaml(text: string, c: Checker): FleetYaml | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    prettyErrors: true,
    logLevel: "silent",
    uniqueKeys: true,
    lineCounter,
  });
  if (doc.errors.length > 0) {
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
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    c.add(
      "(yaml)",
      `${err instanceof Error ? err.message : String(err)}; define every anchor (&name) before its alias (*name) and keep aliases few`,
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
