/**
 * The rule of each field that both the stack config (components/config*.ts) and the fleet file
 * (automation/fleet/*) accept, written once: tags, region lists, role ARNs, SSM rate values and
 * named strings. Each validator keeps its own wording where its users read different examples
 * (YAML lists in the fleet file, JSON in `pulumi config`), so callers pass those words in; what a
 * value must be is decided here only. See docs/validation.md.
 */
import { isAwsRegion, partitionOf } from "../domain";
import {
  type ConfigIssue,
  type PlainObject,
  describe,
  indexPath,
  isPlainObject,
  joinPath,
} from "./config-util";
import { ROLE_ARN_PATTERN } from "./config-names";

/** Tags a topology puts on its resources: AWS allows 50 per resource, patchfleet keeps 5 spare. */
export const MAX_TAGS = 45;
export const TAG_KEY_RULE = "tag keys must be 1–128 characters and must not start with aws:";

export function isTagKey(key: string): boolean {
  return key.length > 0 && key.length <= 128 && !key.toLowerCase().startsWith("aws:");
}

/**
 * The problem with the tag key that selects instances into the resource group (stack config
 * `resourceGroupTag.key`, fleet file `resourceGroup.tagKey`), or undefined. It is the key people put
 * on their instances, so the `aws:` prefix, which AWS reserves and which no one can add to an
 * instance (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions),
 * would select only what AWS itself tags.
 */
export function resourceGroupTagKeyProblem(key: unknown): string | undefined {
  return typeof key === "string" && isTagKey(key)
    ? undefined
    : `must be a tag key of 1–128 characters not starting with aws:, got ${describe(key)}`;
}

export function isTagValue(value: unknown): value is string {
  return typeof value === "string" && value.length <= 256;
}

export interface TagMapOptions {
  /** Appended to "must be a string of at most 256 characters", e.g. " (quote numbers ...)". */
  valueHint?: string;
  /** Refuse a key named __proto__ as an invalid tag key instead of keeping it as a key. */
  refuseProtoKey?: boolean;
  /** Whether null is absent (YAML's `tags:` with no value). @default false */
  nullIsAbsent?: boolean;
}

/** A map of tag key → value; absent is no tags. */
export function parseTagMap(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
  options: TagMapOptions = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || (options.nullIsAbsent === true && raw === null)) return out;
  if (!isPlainObject(raw)) {
    issues.push({ path, message: `must be a map of tag key → string value, got ${describe(raw)}` });
    return out;
  }
  const entries = Object.entries(raw);
  if (entries.length > MAX_TAGS) {
    issues.push({
      path,
      message: `has ${entries.length} tags; at most ${MAX_TAGS} are allowed (AWS allows 50, patchfleet keeps 5 spare)`,
    });
  }
  for (const [key, value] of entries) {
    const p = joinPath(path, key);
    if (!isTagKey(key) || (options.refuseProtoKey === true && key === "__proto__")) {
      issues.push({ path: p, message: TAG_KEY_RULE });
    } else if (!isTagValue(value)) {
      issues.push({
        path: p,
        message: `must be a string of at most 256 characters${options.valueHint ?? ""}, got ${describe(value)}`,
      });
    } else {
      // defineProperty: a key named __proto__ stays a key, never the map's prototype.
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

export interface RegionListWords {
  /** The message for a missing list. */
  required: string;
  /** The message for a value that is not a non-empty list ("got ..." is appended). */
  notList: string;
  /** The message for an entry that is not a region. */
  notRegion: (item: unknown) => string;
  /** Whether null is a missing list too (YAML's `regions:` with no value). @default false */
  nullIsAbsent?: boolean;
}

/**
 * A non-empty list of Systems Manager regions, home region first: each region once, all in the
 * home region's partition. Entries that break a rule are reported and left out.
 */
export function parseRegionList(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
  words: RegionListWords,
): string[] {
  if (raw === undefined || (words.nullIsAbsent === true && raw === null)) {
    issues.push({ path, message: words.required });
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({ path, message: `${words.notList}, got ${describe(raw)}` });
    return [];
  }
  const out: string[] = [];
  // Array.from turns holes of sparse arrays into undefined, which is then reported.
  Array.from(raw as unknown[]).forEach((item: unknown, i) => {
    const p = indexPath(path, i);
    if (!isAwsRegion(item)) {
      issues.push({ path: p, message: words.notRegion(item) });
    } else if (out.includes(item)) {
      issues.push({ path: p, message: `${item} is listed twice; list each region once` });
    } else if (out.length > 0 && partitionOf(item) !== partitionOf(out[0] as string)) {
      issues.push({
        path: p,
        message: `${item} is in partition ${partitionOf(item)} but the home region ${out[0]} is in ${partitionOf(out[0] as string)}; one account's regions share a partition`,
      });
    } else {
      out.push(item);
    }
  });
  return out;
}

/** What is wrong with a role ARN for an account and its home region, or undefined. */
export type RoleArnProblem =
  | { kind: "format" }
  | { kind: "account"; account: string }
  | { kind: "partition"; partition: string; expected: string };

/**
 * An IAM role ARN of `account` (when known) in the partition of `homeRegion` (when known): the
 * role a stack's provider assumes must be in the account the stack deploys to.
 */
export function roleArnProblem(
  arn: string,
  account: string | undefined,
  homeRegion: string | undefined,
): RoleArnProblem | undefined {
  const m = ROLE_ARN_PATTERN.exec(arn);
  if (m === null) return { kind: "format" };
  if (account !== undefined && m[2] !== account) return { kind: "account", account: m[2] };
  if (homeRegion !== undefined && m[1] !== partitionOf(homeRegion)) {
    return { kind: "partition", partition: m[1], expected: partitionOf(homeRegion) };
  }
  return undefined;
}

export interface RateOptions {
  /** Whether null is absent (YAML's `key:` with no value). @default false */
  nullIsAbsent?: boolean;
}

/**
 * An SSM rate control (MaxConcurrency, MaxErrors): a string per SSM; whole numbers are accepted and
 * turned into strings. `check` is the rule of the one value (schedule.ts).
 */
export function rateControl(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  check: (v: string) => string | undefined,
  fallback: string,
  options: RateOptions = {},
): string {
  const value = obj[key];
  if (value === undefined || (options.nullIsAbsent === true && value === null)) return fallback;
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string") {
    issues.push({
      path: joinPath(path, key),
      message: `must be a string like "10%" or "5", got ${describe(value)}`,
    });
    return fallback;
  }
  const problem = check(text);
  if (problem !== undefined) {
    issues.push({ path: joinPath(path, key), message: problem });
    return fallback;
  }
  return text;
}

/**
 * A name that must match `pattern` (an IAM role name, a bucket, a runbook, a resource group), or
 * `fallback` after an issue `<rule>, got <value>`. `value` is the string already read from the
 * input (undefined when absent); `show` renders it in the message.
 */
export function namedValue(
  value: string | undefined,
  path: string,
  issues: ConfigIssue[],
  pattern: RegExp,
  rule: string,
  fallback: string,
  show: (value: string) => string = describe,
): string {
  if (value === undefined) return fallback;
  if (!pattern.test(value)) {
    issues.push({ path, message: `${rule}, got ${show(value)}` });
    return fallback;
  }
  return value;
}
