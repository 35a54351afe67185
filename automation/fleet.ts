/**
 * The fleet file (docs/fleet-file.md): YAML in, a validated and fully-defaulted Fleet out, or a
 * FleetError that lists every problem at once, each with its path and the fix. Nothing is sent to
 * any cloud before this passes.
 */
import { promises as fs } from "fs";
import { type Document, LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import {
  AWS_REGIONS,
  DEFAULT_ADMINISTRATION_ROLE_NAME,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_RESOURCE_GROUP_TAG,
  partitionOf,
} from "../domain";
import {
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_RESOURCE_GROUP_NAME,
  DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  DEFAULT_RUNBOOK_MAX_ERRORS,
  DEFAULT_RUNBOOK_NAME,
  defaultLogBucketName,
  parseMaintenanceWindow,
  parsePatchGroups,
} from "../components/config";
import { describe, indexPath, isPlainObject, joinPath } from "../components/config-util";
import { checkMaxConcurrency, checkMaxErrors } from "../components/schedule";
import type { PatchGroupSpec } from "../components/types";
import type { CountOrPercent, Fleet, FleetAccount } from "./fleet-types";

export interface FleetIssue {
  /** Where the problem is, e.g. `members[1].regions[0]`; `line 3, column 5` for YAML syntax. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** 1-based line in the fleet file of the value (or key) the path points at, when known. */
  line?: number;
}

/** The fleet file is missing or invalid. `message` has one `<file>: <path>: <message>` line each. */
export class FleetError extends Error {
  readonly issues: FleetIssue[];
  constructor(file: string, issues: FleetIssue[]) {
    super(
      issues
        .map(
          (i) =>
            `${file}: ${i.path}: ${i.message}${i.line === undefined ? "" : ` (line ${i.line})`}`,
        )
        .join("\n"),
    );
    this.name = "FleetError";
    this.issues = issues;
  }
}

export const FLEET_KEYS = [
  "project",
  "central",
  "members",
  "patchGroups",
  "resourceGroup",
  "roles",
  "runbookName",
  "runbookMaxConcurrency",
  "runbookMaxErrors",
  "logBucket",
  "logRetentionDays",
  "maintenanceWindows",
  "rollout",
  "backend",
  "secretsProvider",
  "tags",
] as const;
const ACCOUNT_KEYS = ["account", "name", "regions", "deployRole", "readRole", "externalId"];
const CENTRAL_KEYS = [...ACCOUNT_KEYS, "operationsRole", "patchGroups"];
const MEMBER_KEYS = [...ACCOUNT_KEYS, "patchGroups"];

export const DEFAULT_PROJECT = "patchfleet";
export const DEFAULT_BACKEND = "file://./.patchfleet/state";

const ACCOUNT_ID = /^[0-9]{12}$/;
/** Names become Pulumi stack names (letters, digits, _ . -), kept short enough to read. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role\/([\w+=,.@/-]{1,512})$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DOCUMENT_NAME = /^[a-zA-Z0-9_.-]{3,128}$/;
const RESOURCE_GROUP_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const BACKEND_SCHEMES = ["file://", "s3://", "azblob://", "gs://", "https://", "http://"];
const SECRETS_SCHEMES = ["awskms://", "azurekeyvault://", "gcpkms://", "hashivault://"];

type Obj = Record<string, unknown>;

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

class Checker {
  readonly issues: FleetIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** `raw` as a map whose keys are all in `known`, or undefined (with an issue) if not a map. */
  map(raw: unknown, path: string, known: readonly string[], what: string): Obj | undefined {
    if (!isPlainObject(raw)) {
      this.add(path, `must be a map of ${what}, got ${describe(raw)}`);
      return undefined;
    }
    for (const key of Object.keys(raw)) {
      if (known.includes(key)) continue;
      const guess = closest(key, known);
      this.add(
        path === "(file)" ? key : joinPath(path, key),
        guess === undefined
          ? `unknown key; known keys here: ${known.join(", ")}`
          : `unknown key; did you mean ${guess}? Known keys here: ${known.join(", ")}`,
      );
    }
    return raw;
  }

  string(obj: Obj, key: string, path: string): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "string") {
      this.add(joinPath(path, key), `must be a string, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** A string matching `pattern`, or `fallback` (with an issue) when it does not. */
  named(obj: Obj, key: string, path: string, pattern: RegExp, rule: string, fallback: string) {
    const value = this.string(obj, key, path);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) {
      this.add(joinPath(path, key), `${rule}, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  accountId(raw: unknown, path: string, numberSource: string | undefined): string | undefined {
    if (typeof raw === "string" && ACCOUNT_ID.test(raw)) return raw;
    if (typeof raw === "number") {
      // YAML reads an unquoted 012345678901 as the number 12345678901: the zero is already gone.
      const digits =
        numberSource !== undefined && /^[0-9]+$/.test(numberSource) ? numberSource : String(raw);
      this.add(
        path,
        `account ids must be quoted strings: YAML read the number ${digits}, and unquoted numbers lose leading zeros; ` +
          (digits.length === 12
            ? `write "${digits}" in quotes`
            : `write the 12-digit id in quotes, e.g. "012345678901"`),
      );
      return undefined;
    }
    if (raw === undefined || raw === null) {
      this.add(path, 'is required: the 12-digit AWS account id in quotes, e.g. "111111111111"');
      return undefined;
    }
    this.add(
      path,
      `must be a 12-digit AWS account id in quotes, e.g. "111111111111", got ${describe(raw)}`,
    );
    return undefined;
  }

  region(raw: unknown, path: string): string | undefined {
    if (typeof raw === "string" && (AWS_REGIONS as readonly string[]).includes(raw)) return raw;
    const guess = typeof raw === "string" ? closest(raw, AWS_REGIONS) : undefined;
    this.add(
      path,
      `${describe(raw)} is not an AWS region with Systems Manager; ` +
        (guess !== undefined ? `did you mean ${guess}?` : `use one of ${AWS_REGIONS.join(", ")}`),
    );
    return undefined;
  }

  regions(raw: unknown, path: string): string[] {
    if (raw === undefined || raw === null) {
      this.add(
        path,
        "is required: a list of regions, home region first, e.g. [us-east-1, eu-west-1]",
      );
      return [];
    }
    if (!Array.isArray(raw) || raw.length === 0) {
      this.add(
        path,
        `must be a non-empty list of regions, e.g. [us-east-1, eu-west-1], got ${describe(raw)}`,
      );
      return [];
    }
    const out: string[] = [];
    raw.forEach((item: unknown, i) => {
      const p = indexPath(path, i);
      const region = this.region(item, p);
      if (region === undefined) return;
      if (out.includes(region)) {
        this.add(p, `${region} is listed twice; list each region once`);
      } else if (out.length > 0 && partitionOf(region) !== partitionOf(out[0])) {
        this.add(
          p,
          `${region} is in partition ${partitionOf(region)} but the home region ${out[0]} is in ${partitionOf(out[0])}; one account's regions share a partition`,
        );
      } else {
        out.push(region);
      }
    });
    return out;
  }

  roleArn(obj: Obj, key: string, path: string, account: string | undefined, regions: string[]) {
    const value = this.string(obj, key, path);
    if (value === undefined) return undefined;
    const p = joinPath(path, key);
    const m = ROLE_ARN.exec(value);
    if (m === null) {
      this.add(
        p,
        `must be an IAM role ARN like arn:aws:iam::111111111111:role/patchfleet-deploy, got ${describe(value)}`,
      );
      return undefined;
    }
    if (account !== undefined && m[2] !== account) {
      this.add(
        p,
        `is a role in account ${m[2]}, but this is account ${account}; use a role in ${account}`,
      );
      return undefined;
    }
    if (regions.length > 0 && m[1] !== partitionOf(regions[0])) {
      this.add(
        p,
        `is in partition ${m[1]} but the home region ${regions[0]} is in ${partitionOf(regions[0])}; write arn:${partitionOf(regions[0])}:iam::...`,
      );
      return undefined;
    }
    return value;
  }

  countOrPercent(raw: unknown, path: string, min: 0 | 1): CountOrPercent | undefined {
    if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= min) {
      return { kind: "count", value: raw };
    }
    if (typeof raw === "string") {
      const count = /^[0-9]{1,9}$/.exec(raw);
      if (count !== null && Number(raw) >= min) return { kind: "count", value: Number(raw) };
      const pct = /^([0-9]{1,3})%$/.exec(raw);
      if (pct !== null && Number(pct[1]) >= min && Number(pct[1]) <= 100) {
        return { kind: "percent", value: Number(pct[1]) };
      }
    }
    this.add(
      path,
      `must be a whole number of targets (${min} or more) or a percentage like "25%" (${min}%–100%), got ${describe(raw)}`,
    );
    return undefined;
  }
}

interface AccountDraft {
  account: FleetAccount;
  path: string;
  /** The account's own patchGroups entries: a spec, or null to drop a fleet-wide group. */
  ownGroups?: Record<string, PatchGroupSpec | null>;
}

function parseAccount(
  c: Checker,
  raw: unknown,
  path: string,
  kind: "central" | "member",
  source: (path: (string | number)[]) => string | undefined,
  yamlPath: (string | number)[],
): AccountDraft | undefined {
  const keys = kind === "central" ? CENTRAL_KEYS : MEMBER_KEYS;
  if (kind === "member" && isPlainObject(raw) && raw.operationsRole !== undefined) {
    c.add(
      joinPath(path, "operationsRole"),
      "only central has an operationsRole (patch automations start in the central account); remove it here",
    );
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "operationsRole"));
  }
  const obj = c.map(raw, path, keys, "account settings (account, name, regions, ...)");
  if (obj === undefined) return undefined;
  const account = c.accountId(
    obj.account,
    joinPath(path, "account"),
    source([...yamlPath, "account"]),
  );
  let name = c.string(obj, "name", path);
  if (name === undefined && (obj.name === undefined || obj.name === null) && kind === "member") {
    c.add(
      joinPath(path, "name"),
      "is required: a short unique name like prod-a; stack names derive from it",
    );
  } else if (name !== undefined && !ACCOUNT_NAME.test(name)) {
    c.add(
      joinPath(path, "name"),
      `must be 1–64 letters, digits, _ . - starting with a letter or digit (it names the Pulumi stack), got ${describe(name)}`,
    );
    name = undefined;
  }
  const regions = c.regions(obj.regions, joinPath(path, "regions"));
  const result: FleetAccount = {
    account: account ?? "",
    name: name ?? account ?? "",
    regions,
    patchGroups: {},
  };
  for (const key of ["deployRole", "readRole", "operationsRole"] as const) {
    const arn = c.roleArn(obj, key, path, account, regions);
    if (arn !== undefined) result[key] = arn;
  }
  const externalId = c.string(obj, "externalId", path);
  if (externalId !== undefined) {
    if (!EXTERNAL_ID.test(externalId)) {
      c.add(
        joinPath(path, "externalId"),
        `must be 2–1224 characters of letters, digits and +=,.@:/_-, got ${describe(externalId)}`,
      );
    } else {
      result.externalId = externalId;
    }
  }
  const draft: AccountDraft = { account: result, path };
  if (obj.patchGroups !== undefined) {
    const p = joinPath(path, "patchGroups");
    if (!isPlainObject(obj.patchGroups)) {
      c.add(
        p,
        `must be a map of patch group name → baseline (or null to drop a fleet-wide group), got ${describe(obj.patchGroups)}`,
      );
    } else {
      const entries = Object.entries(obj.patchGroups);
      const specs = parsePatchGroups(
        Object.fromEntries(entries.filter(([, v]) => v !== null)),
        p,
        c.issues,
      );
      draft.ownGroups = { ...specs };
      for (const [k, v] of entries) {
        // defineProperty: a key named __proto__ must stay a key (and be reported), not a prototype.
        if (v === null) {
          Object.defineProperty(draft.ownGroups, k, {
            value: null,
            enumerable: true,
            writable: true,
          });
        }
      }
    }
  }
  return account === undefined ? undefined : draft;
}

/** Applies an account's own patch groups over the fleet's and checks the result. */
function mergeGroups(
  c: Checker,
  draft: AccountDraft,
  fleetGroups: Record<string, PatchGroupSpec> | undefined,
  fleetNames: string[],
): void {
  // Counted by name, so a group that failed validation (already reported) is not "missing" too.
  const names = new Set(fleetNames);
  const merged: Record<string, PatchGroupSpec> = { ...(fleetGroups ?? {}) };
  const p = joinPath(draft.path, "patchGroups");
  for (const [name, spec] of Object.entries(draft.ownGroups ?? {})) {
    if (spec !== null) {
      merged[name] = spec;
      names.add(name);
    } else if (
      fleetGroups !== undefined &&
      Object.prototype.hasOwnProperty.call(fleetGroups, name)
    ) {
      delete merged[name];
      names.delete(name);
    } else {
      const known = Object.keys(fleetGroups ?? {});
      c.add(
        joinPath(p, name),
        `is null, which drops a fleet-wide patch group, but the fleet has no group ${name}; fleet patch groups: ${known.length > 0 ? known.join(", ") : "none"}`,
      );
    }
  }
  // Two defaults inside one map are reported where that map is validated; here only a fleet-wide
  // default meeting an account's own default for the same operating system.
  const own = draft.ownGroups ?? {};
  const isOwn = (name: string) => Object.prototype.hasOwnProperty.call(own, name);
  for (const [name, spec] of Object.entries(merged)) {
    if (!spec.defaultForOperatingSystem || !isOwn(name)) continue;
    const inherited = Object.entries(merged).find(
      ([n, s]) =>
        !isOwn(n) && s.defaultForOperatingSystem && s.operatingSystem === spec.operatingSystem,
    );
    if (inherited !== undefined) {
      c.add(
        joinPath(joinPath(p, name), "defaultForOperatingSystem"),
        `makes ${name} the default for ${spec.operatingSystem}, but the fleet-wide group ${inherited[0]} already is; set defaultForOperatingSystem: false here, or drop ${inherited[0]} for this account with ${inherited[0]}: null`,
      );
    }
  }
  if (names.size === 0 && fleetGroups !== undefined && fleetNames.length > 0) {
    c.add(p, "leaves this account without patch groups; keep at least one");
  }
  draft.account.patchGroups = merged;
}

function parseTags(c: Checker, raw: unknown, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw === null) return out;
  if (!isPlainObject(raw)) {
    c.add(path, `must be a map of tag key → string value, got ${describe(raw)}`);
    return out;
  }
  const entries = Object.entries(raw);
  if (entries.length > 45) {
    c.add(
      path,
      `has ${entries.length} tags; at most 45 are allowed (AWS allows 50, patchfleet keeps 5 spare)`,
    );
  }
  for (const [key, value] of entries) {
    const p = joinPath(path, key);
    if (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith("aws:")) {
      c.add(p, "tag keys must be 1–128 characters and must not start with aws:");
    } else if (typeof value !== "string" || value.length > 256) {
      c.add(
        p,
        `must be a string of at most 256 characters (quote numbers and booleans), got ${describe(value)}`,
      );
    } else {
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

function parseRollout(c: Checker, raw: unknown, usedRegions: Set<string>): Fleet["rollout"] {
  const out: Fleet["rollout"] = {
    maxConcurrent: { kind: "count", value: 1 },
    failureTolerance: { kind: "count", value: 0 },
  };
  if (raw === undefined || raw === null) return out;
  const obj = c.map(
    raw,
    "rollout",
    ["maxConcurrent", "failureTolerance", "regionOrder"],
    "rollout settings",
  );
  if (obj === undefined) return out;
  if (obj.maxConcurrent !== undefined) {
    out.maxConcurrent =
      c.countOrPercent(obj.maxConcurrent, "rollout.maxConcurrent", 1) ?? out.maxConcurrent;
  }
  if (obj.failureTolerance !== undefined) {
    out.failureTolerance =
      c.countOrPercent(obj.failureTolerance, "rollout.failureTolerance", 0) ?? out.failureTolerance;
  }
  if (obj.regionOrder !== undefined) {
    const p = "rollout.regionOrder";
    if (!Array.isArray(obj.regionOrder)) {
      c.add(
        p,
        `must be a list of regions, e.g. [us-east-1, eu-west-1], got ${describe(obj.regionOrder)}`,
      );
      return out;
    }
    const order: string[] = [];
    obj.regionOrder.forEach((item: unknown, i) => {
      const ip = indexPath(p, i);
      const region = c.region(item, ip);
      if (region === undefined) return;
      if (order.includes(region)) c.add(ip, `${region} is listed twice; list each region once`);
      else if (!usedRegions.has(region)) {
        c.add(
          ip,
          `${region} is not a region of any account; remove it or add it to an account's regions`,
        );
      } else order.push(region);
    });
    out.regionOrder = order;
  }
  return out;
}

function parseTop(text: string, file: string, c: Checker): Fleet | undefined {
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
  if (raw === undefined || raw === null) {
    c.add(
      "(file)",
      "is empty; a fleet file needs at least central: and members: (see examples/fleet.yaml)",
    );
    return undefined;
  }
  const top = c.map(
    raw,
    "(file)",
    FLEET_KEYS,
    "fleet settings (central, members, patchGroups, ...)",
  );
  if (top === undefined) return undefined;
  const project = c.named(
    top,
    "project",
    "",
    PROJECT_NAME,
    "must be a Pulumi project name: 1–100 letters, digits, _ . -",
    DEFAULT_PROJECT,
  );
  let central: AccountDraft | undefined;
  if (top.central === undefined || top.central === null) {
    c.add(
      "central",
      'is required: the central account, e.g. { account: "111111111111", regions: [us-east-1] }',
    );
  } else {
    central = parseAccount(c, top.central, "central", "central", source, ["central"]);
  }
  const members: AccountDraft[] = [];
  if (top.members !== undefined && top.members !== null) {
    if (!Array.isArray(top.members)) {
      c.add("members", `must be a list of member accounts, got ${describe(top.members)}`);
    } else {
      top.members.forEach((m: unknown, i) => {
        const d = parseAccount(c, m, indexPath("members", i), "member", source, ["members", i]);
        if (d !== undefined) members.push(d);
      });
    }
  }
  checkDuplicates(c, central, members);
  const fleetGroups =
    top.patchGroups === undefined || top.patchGroups === null
      ? undefined
      : parsePatchGroups(top.patchGroups, "patchGroups", c.issues);
  const drafts = central === undefined ? members : [central, ...members];
  if (fleetGroups === undefined && drafts.some((d) => d.ownGroups === undefined)) {
    c.add(
      "patchGroups",
      "is required: a map of patch group name → baseline applied to every account (see examples/fleet.yaml)",
    );
  }
  if (
    fleetGroups !== undefined &&
    isPlainObject(top.patchGroups) &&
    Object.keys(top.patchGroups).length === 0
  ) {
    c.add("patchGroups", "must define at least one patch group");
  }
  const fleetNames = isPlainObject(top.patchGroups) ? Object.keys(top.patchGroups) : [];
  for (const d of drafts) mergeGroups(c, d, fleetGroups, fleetNames);

  const rg =
    top.resourceGroup === undefined
      ? {}
      : c.map(
          top.resourceGroup,
          "resourceGroup",
          ["tagKey", "tagValue", "name"],
          "resource group settings",
        );
  const tagKey = rg === undefined ? undefined : c.string(rg, "tagKey", "resourceGroup");
  if (
    tagKey !== undefined &&
    (tagKey.length === 0 || tagKey.length > 128 || /^aws:/i.test(tagKey))
  ) {
    c.add(
      "resourceGroup.tagKey",
      `must be a tag key of 1–128 characters not starting with aws:, got ${describe(tagKey)}`,
    );
  }
  const tagValue = rg === undefined ? undefined : c.string(rg, "tagValue", "resourceGroup");
  if (tagValue !== undefined && tagValue.length > 256) {
    c.add("resourceGroup.tagValue", "must be a tag value of at most 256 characters");
  }
  const rgName = c.named(
    rg ?? {},
    "name",
    "resourceGroup",
    RESOURCE_GROUP_NAME,
    "must be 1–128 letters, digits and _.-",
    DEFAULT_RESOURCE_GROUP_NAME,
  );
  if (/^aws/i.test(rgName))
    c.add("resourceGroup.name", "must not start with AWS or aws (reserved); rename it");

  const roles =
    top.roles === undefined
      ? {}
      : c.map(
          top.roles,
          "roles",
          ["administrationRoleName", "executionRoleName"],
          "IAM role names",
        );
  const roleRule = "must be an IAM role name: 1–64 letters, digits and +=,.@_-";
  const administrationRoleName = c.named(
    roles ?? {},
    "administrationRoleName",
    "roles",
    IAM_ROLE_NAME,
    roleRule,
    DEFAULT_ADMINISTRATION_ROLE_NAME,
  );
  const executionRoleName = c.named(
    roles ?? {},
    "executionRoleName",
    "roles",
    IAM_ROLE_NAME,
    roleRule,
    DEFAULT_EXECUTION_ROLE_NAME,
  );

  const runbookName = c.named(
    top,
    "runbookName",
    "",
    DOCUMENT_NAME,
    "must be an SSM document name: 3–128 letters, digits and _.-",
    DEFAULT_RUNBOOK_NAME,
  );
  if (/^(aws|amazon|amzn)/i.test(runbookName)) {
    c.add(
      "runbookName",
      "must not start with aws, amazon or amzn (reserved for AWS documents); rename it",
    );
  }
  const rate = (key: string, check: (v: string) => string | undefined, fallback: string) => {
    const v = top[key];
    if (v === undefined || v === null) return fallback;
    const text = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
    const problem =
      typeof text === "string"
        ? check(text)
        : `must be a string like "10%" or "5", got ${describe(v)}`;
    if (problem !== undefined) c.add(key, problem);
    return problem === undefined ? (text as string) : fallback;
  };
  const runbookMaxConcurrency = rate(
    "runbookMaxConcurrency",
    checkMaxConcurrency,
    DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  );
  const runbookMaxErrors = rate("runbookMaxErrors", checkMaxErrors, DEFAULT_RUNBOOK_MAX_ERRORS);

  const logBucketName = c.named(
    top,
    "logBucket",
    "",
    BUCKET_NAME,
    "must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
    defaultLogBucketName(central?.account.account ?? "000000000000"),
  );
  let logRetentionDays = DEFAULT_LOG_RETENTION_DAYS;
  if (top.logRetentionDays !== undefined && top.logRetentionDays !== null) {
    const v = top.logRetentionDays;
    if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 36500) logRetentionDays = v;
    else c.add("logRetentionDays", `must be a whole number of days, 1–36500, got ${describe(v)}`);
  }

  const maintenanceWindows: Fleet["maintenanceWindows"] = {};
  if (top.maintenanceWindows !== undefined && top.maintenanceWindows !== null) {
    const mw = c.map(
      top.maintenanceWindows,
      "maintenanceWindows",
      ["scan", "install"],
      "maintenance windows (scan, install)",
    );
    for (const key of ["scan", "install"] as const) {
      if (mw?.[key] === undefined || mw[key] === null) continue;
      const w = parseMaintenanceWindow(mw[key], `maintenanceWindows.${key}`, c.issues);
      if (w !== undefined) maintenanceWindows[key] = w;
    }
  }

  const used = new Set(drafts.flatMap((d) => d.account.regions));
  const rollout = parseRollout(c, top.rollout, used);

  const backend = c.string(top, "backend", "") ?? DEFAULT_BACKEND;
  if (!BACKEND_SCHEMES.some((s) => backend.startsWith(s) && backend.length > s.length)) {
    c.add(
      "backend",
      `must be a Pulumi backend URL starting with ${BACKEND_SCHEMES.join(", ")} (e.g. file://./.patchfleet/state or s3://my-bucket/patchfleet), got ${describe(backend)}`,
    );
  }
  const secretsProvider = c.string(top, "secretsProvider", "");
  if (
    secretsProvider !== undefined &&
    secretsProvider !== "passphrase" &&
    !SECRETS_SCHEMES.some((s) => secretsProvider.startsWith(s) && secretsProvider.length > s.length)
  ) {
    c.add(
      "secretsProvider",
      `must be passphrase or a key URL starting with ${SECRETS_SCHEMES.join(", ")} (e.g. awskms://alias/patchfleet), got ${describe(secretsProvider)}`,
    );
  }
  const tags = parseTags(c, top.tags, "tags");

  for (const i of c.issues) {
    const line = lineOf(doc, lineCounter, i.path);
    if (line !== undefined) i.line = line;
  }
  if (central === undefined || c.issues.length > 0) return undefined;
  const fleet: Fleet = {
    file,
    project,
    central: central.account,
    members: members.map((m) => m.account),
    resourceGroupTag: {
      key: tagKey ?? DEFAULT_RESOURCE_GROUP_TAG.key,
      value: tagValue ?? DEFAULT_RESOURCE_GROUP_TAG.value,
    },
    resourceGroupName: rgName,
    administrationRoleName,
    executionRoleName,
    runbookName,
    runbookMaxConcurrency,
    runbookMaxErrors,
    logBucketName,
    logRetentionDays,
    maintenanceWindows,
    rollout,
    backend,
    tags,
  };
  if (secretsProvider !== undefined) fleet.secretsProvider = secretsProvider;
  return fleet;
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

/** Duplicate accounts (including central listed as a member) and duplicate names. */
function checkDuplicates(c: Checker, central: AccountDraft | undefined, members: AccountDraft[]) {
  const byAccount = new Map<string, string>();
  const byName = new Map<string, string>();
  if (central !== undefined) {
    byAccount.set(central.account.account, "central");
    byName.set(central.account.name.toLowerCase(), "central");
  }
  for (const m of members) {
    const { account, name } = m.account;
    const seen = byAccount.get(account);
    if (seen === "central") {
      c.add(
        joinPath(m.path, "account"),
        `${account} is the central account; the central account is configured under central only, remove this member`,
      );
    } else if (seen !== undefined) {
      c.add(joinPath(m.path, "account"), `${account} is already ${seen}; list each account once`);
    } else {
      byAccount.set(account, m.path);
    }
    const sameName = byName.get(name.toLowerCase());
    if (sameName !== undefined && seen === undefined) {
      c.add(
        joinPath(m.path, "name"),
        `${name} is already the name of ${sameName} (names are compared ignoring case); stack names must be unique, pick another`,
      );
    } else if (sameName === undefined) {
      byName.set(name.toLowerCase(), m.path);
    }
  }
}

/** Parses and validates a fleet file's text. Throws FleetError listing every problem. */
export function parseFleet(text: string, file: string): Fleet {
  const c = new Checker();
  let fleet: Fleet | undefined;
  try {
    fleet = parseTop(text, file, c);
  } catch (err) {
    // A validator bug must still reach the user as a fleet problem, not a stack trace.
    c.add(
      "(file)",
      `could not be validated (${err instanceof Error ? err.message : String(err)}); please report this with the fleet file that caused it`,
    );
  }
  if (fleet === undefined || c.issues.length > 0) {
    if (c.issues.length === 0) c.add("(file)", "is incomplete; see examples/fleet.yaml");
    throw new FleetError(file, c.issues);
  }
  return fleet;
}

/** Reads and validates a fleet file; a missing or unreadable file is a FleetError too. */
export async function loadFleet(file: string): Promise<Fleet> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "file not found; pass the path of your fleet file (see examples/fleet.yaml)"
        : code === "EISDIR"
          ? "is a directory; pass the path of the fleet YAML file inside it"
          : `cannot be read (${code ?? (err instanceof Error ? err.message : String(err))}); check the path and its permissions`;
    throw new FleetError(file, [{ path: "(file)", message }]);
  }
  return parseFleet(text, file);
}
