/**
 * Small helpers shared by the config validators. Every helper records problems as ConfigIssues
 * (path + message with the fix) instead of throwing, so one pass reports every problem at once.
 */
import { InputError } from "../domain";

export interface ConfigIssue {
  /** Where the problem is, e.g. `patchGroups.web.approvalRules[0].approveAfterDays`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** Thrown when stack config or fleet input is invalid; lists every problem found. */
export class ConfigError extends InputError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
    this.issues = issues;
  }
}

export function joinPath(base: string, key: string): string {
  const shown = key === "" ? '""' : key;
  return base === "" ? shown : `${base}.${shown}`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}

/** A short, safe rendering of any value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase().slice(0, 100);
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}

export interface KnownKeysOptions {
  /** What the map holds, for "must be a map of <what>". @default just "must be a map" */
  what?: string;
  /** Suggest the closest known key for an unknown one ("did you mean ...?"). @default false */
  suggest?: boolean;
  /** The path of an unknown key. @default joinPath(path, key) */
  keyPath?: (key: string) => string;
}

/**
 * Checks that `raw` is a map and has no keys outside `known`. Returns the map, or undefined after
 * recording an issue when it is not a map.
 */
export function objectWithKnownKeys(
  raw: unknown,
  path: string,
  known: readonly string[],
  issues: ConfigIssue[],
  options: KnownKeysOptions = {},
): PlainObject | undefined {
  if (!isPlainObject(raw)) {
    const map = options.what === undefined ? "a map" : `a map of ${options.what}`;
    issues.push({ path, message: `must be ${map}, got ${describe(raw)}` });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const guess = options.suggest === true ? closest(key, known) : undefined;
    issues.push({
      path: options.keyPath === undefined ? joinPath(path, key) : options.keyPath(key),
      message:
        guess === undefined
          ? `unknown key; known keys here: ${known.join(", ")}`
          : `unknown key; did you mean ${guess}? Known keys here: ${known.join(", ")}`,
    });
  }
  return raw;
}

export function optionalString(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    issues.push({ path: joinPath(path, key), message: `must be a string, got ${describe(value)}` });
    return undefined;
  }
  return value;
}

export function requiredString(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  hint: string,
): string | undefined {
  if (obj[key] === undefined) {
    issues.push({ path: joinPath(path, key), message: `is required; ${hint}` });
    return undefined;
  }
  return optionalString(obj, key, path, issues);
}

export function optionalBoolean(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") {
    issues.push({
      path: joinPath(path, key),
      message: `must be true or false, got ${describe(value)}`,
    });
    return undefined;
  }
  return value;
}

/** An integer in [min, max]; `fix` is appended to the range message. */
export function optionalInteger(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  min: number,
  max: number,
  fix?: string,
): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const p = joinPath(path, key);
  if (typeof value !== "number" || !Number.isInteger(value)) {
    issues.push({
      path: p,
      message: `must be a whole number ${min}–${max}, got ${describe(value)}`,
    });
    return undefined;
  }
  if (value < min || value > max) {
    issues.push({
      path: p,
      message: `must be ${min}–${max}, got ${value}${fix === undefined ? "" : `; ${fix}`}`,
    });
    return undefined;
  }
  return value;
}

/** A list of strings (possibly empty). Returns undefined when the key is absent. */
export function optionalStringList(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  maxItems?: number,
): string[] | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  const p = joinPath(path, key);
  if (!Array.isArray(value)) {
    issues.push({ path: p, message: `must be a list of strings, got ${describe(value)}` });
    return undefined;
  }
  const out: string[] = [];
  Array.from(value as unknown[]).forEach((item: unknown, i) => {
    if (typeof item !== "string" || item === "") {
      issues.push({
        path: indexPath(p, i),
        message: `must be a non-empty string, got ${describe(item)}`,
      });
    } else {
      out.push(item);
    }
  });
  if (maxItems !== undefined && value.length > maxItems) {
    issues.push({
      path: p,
      message: `has ${value.length} entries; at most ${maxItems} are allowed`,
    });
  }
  return out;
}

/** One of a closed set of strings. */
export function optionalEnum<T extends string>(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  allowed: readonly T[],
): T | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    issues.push({
      path: joinPath(path, key),
      message: `must be one of ${allowed.join(", ")}, got ${describe(value)}`,
    });
    return undefined;
  }
  return value as T;
}

/** Where and how a validator's own failures are reported (see validateAll). */
export interface ValidationSubject {
  /** The path of the whole input, e.g. `(file)`. */
  path: string;
  /** What to send with a bug report, e.g. "the config". */
  input: string;
  /** A complete example to compare with, e.g. "Pulumi.example.yaml". */
  example: string;
}

/**
 * Runs a validator so that only issues come out: a validator bug that throws becomes one issue
 * (asking for a report), and a validator that gives up without saying why gets "is incomplete".
 * Returns the result only when it is there and no issue was recorded.
 */
export function validateAll<T>(
  parse: () => T | undefined,
  issues: ConfigIssue[],
  subject: ValidationSubject,
): T | undefined {
  let result: T | undefined;
  try {
    result = parse();
  } catch (err) {
    // A validator bug must still reach the user as an input problem, never as a stack trace.
    issues.push({
      path: subject.path,
      message: `could not be validated (${err instanceof Error ? err.message : String(err)}); please report this with ${subject.input} that caused it`,
    });
  }
  if (result !== undefined && issues.length === 0) return result;
  if (issues.length === 0) {
    issues.push({ path: subject.path, message: `is incomplete; see ${subject.example}` });
  }
  return undefined;
}
