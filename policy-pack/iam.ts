/**
 * Reading IAM policy documents the way IAM does: a document is a JSON string or an object,
 * `Statement` is one statement or a list, `Action`/`Resource` a string or a list, `Principal` is
 * `"*"` or a map of principal type to a string or a list. Condition keys are case-insensitive.
 */
import { UNKNOWN, isUnknown, peek, q, stringList } from "./values";

export interface Statement {
  /** `Sid "x"` or `statement 2` (1-based), for messages. */
  label: string;
  raw: Record<string, unknown>;
}

export type ParsedDocument =
  | { kind: "ok"; statements: Statement[] }
  | { kind: "unknown" }
  | { kind: "invalid"; error: string };

export function parseDocument(value: unknown): ParsedDocument {
  if (isUnknown(value)) return { kind: "unknown" };
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return { kind: "invalid", error: `it is not valid JSON (${(e as Error).message})` };
    }
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return { kind: "invalid", error: "it is not a JSON object" };
  }
  const st = peek(doc, "Statement");
  if (isUnknown(st)) return { kind: "unknown" };
  const list = Array.isArray(st) ? st : st === undefined ? [] : [st];
  const statements: Statement[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (isUnknown(s)) return { kind: "unknown" };
    if (typeof s !== "object" || s === null) {
      return { kind: "invalid", error: `statement ${i + 1} is not an object` };
    }
    const sid = peek(s, "Sid");
    const label =
      typeof sid === "string" && sid !== "" ? `statement ${q(sid)}` : `statement ${i + 1}`;
    statements.push({ label, raw: s as Record<string, unknown> });
  }
  return { kind: "ok", statements };
}

export function isAllow(s: Statement): boolean | typeof UNKNOWN {
  const effect = peek(s.raw, "Effect");
  if (isUnknown(effect)) return UNKNOWN;
  return effect === "Allow";
}

/** The service principals of a statement; `*` when it trusts everyone. */
export function servicePrincipals(s: Statement): string[] | typeof UNKNOWN {
  const principal = peek(s.raw, "Principal");
  if (isUnknown(principal)) return UNKNOWN;
  if (principal === "*") return ["*"];
  if (typeof principal !== "object" || principal === null) return [];
  return stringList(peek(principal, "Service"));
}

/** One key of one condition operator block: `"StringEquals": {"aws:SourceAccount": [...]}`. */
export interface ConditionEntry {
  /** The operator exactly as written, e.g. `StringEquals`, `ForAnyValue:StringLike`. */
  operator: string;
  /** The condition key, lower-cased (IAM compares condition keys case-insensitively). */
  key: string;
  /** The values; a single string becomes a one-element list, non-strings are dropped. */
  values: string[];
}

/** Every operator/key/values entry of a statement's Condition, or UNKNOWN. */
export function conditionEntries(s: Statement): ConditionEntry[] | typeof UNKNOWN {
  const cond = peek(s.raw, "Condition");
  if (isUnknown(cond)) return UNKNOWN;
  const out: ConditionEntry[] = [];
  if (typeof cond !== "object" || cond === null) return out;
  for (const operator of Object.keys(cond)) {
    const block = peek(cond, operator);
    if (isUnknown(block)) return UNKNOWN;
    if (typeof block !== "object" || block === null) continue;
    for (const k of Object.keys(block)) {
      const values = stringList(peek(block, k));
      if (values === UNKNOWN) return UNKNOWN;
      out.push({ operator, key: k.toLowerCase(), values });
    }
  }
  return out;
}

/** IAM's wildcard matching (`*` any run, `?` one character), case-insensitive. */
export function iamPatternMatches(pattern: string, value: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("")
        .map((ch) =>
          ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
        )
        .join("") +
      "$",
    "i",
  );
  return re.test(value);
}

/**
 * The `Action` pattern through which an Allow statement grants `action`, `NotAction` when it
 * grants it by exclusion, undefined when it does not grant it.
 */
export function grantingAction(s: Statement, action: string): string | undefined | typeof UNKNOWN {
  const actions = stringList(peek(s.raw, "Action"));
  if (actions === UNKNOWN) return UNKNOWN;
  const hit = actions.find((a) => iamPatternMatches(a, action));
  if (hit !== undefined) return hit;
  const notActionRaw = peek(s.raw, "NotAction");
  if (notActionRaw === undefined) return undefined;
  const notActions = stringList(notActionRaw);
  if (notActions === UNKNOWN) return UNKNOWN;
  return notActions.some((a) => iamPatternMatches(a, action)) ? undefined : "NotAction";
}

/** A pattern made of wildcards and slashes only (`*`, `?*`, `*` / `*`): it names nothing. */
function wildcardOnly(pattern: string): boolean {
  return /^[*?/]+$/.test(pattern) && pattern.includes("*");
}

/**
 * Whether a Resource pattern covers every role: `*`, `role/*`, `arn:*:iam::*:role/*`,
 * `arn:aws:iam::111122223333:role/*`, `arn:aws:iam::111122223333:*`, `arn:aws:*`. A name prefix
 * (`role/patchfleet-*`) or a path (`role/service-role/*`) is a limit and does not count.
 */
export function coversEveryRole(resource: string): boolean {
  if (wildcardOnly(resource)) return true;
  let part = resource;
  if (/^arn:/i.test(resource)) {
    const fields = resource.split(":");
    // `*` matches across colons, so a short ARN ending in a wildcard matches every ARN.
    if (fields.length < 6) return resource.endsWith("*");
    part = fields.slice(5).join(":");
  }
  if (wildcardOnly(part)) return true;
  if (part.startsWith("role/") && wildcardOnly(part.slice("role/".length))) return true;
  // Wildcards before the name (`ro*`, `*role*`): matches two unrelated role names.
  return iamPatternMatches(part, "role/a") && iamPatternMatches(part, "role/Zq9_other");
}

/**
 * The Resource patterns through which an Allow statement reaches every role: `NotResource` when
 * it applies to everything outside a list, an empty list when its resources are all limited.
 */
export function everyRoleResources(s: Statement): string[] | typeof UNKNOWN {
  if (peek(s.raw, "NotResource") !== undefined) return ["NotResource"];
  const resources = stringList(peek(s.raw, "Resource"));
  if (resources === UNKNOWN) return UNKNOWN;
  return resources.filter(coversEveryRole);
}
