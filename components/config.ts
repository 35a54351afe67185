/**
 * The one config module of patchfleet: validates the `patchfleet:` stack config namespace (keys as
 * documented in Pulumi.example.yaml) into a fully-defaulted AccountConfig. Every problem is
 * reported at once, each with its path and the fix; nothing but ConfigError ever escapes.
 */
import {
  ACCOUNT_ID_PATTERN,
  AWS_REGIONS,
  DEFAULT_ADMINISTRATION_ROLE_NAME,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_RESOURCE_GROUP_TAG,
  isAwsRegion,
  partitionOf,
} from "../domain";
import { parsePatchGroups } from "./config-patch-groups";
import {
  ConfigError,
  type ConfigIssue,
  type PlainObject,
  describe,
  indexPath,
  isPlainObject,
  joinPath,
  objectWithKnownKeys,
  optionalBoolean,
  optionalInteger,
  optionalString,
} from "./config-util";
import {
  checkMaxConcurrency,
  checkMaxErrors,
  checkScheduleExpression,
  isTimeZone,
} from "./schedule";
import type { AccountConfig, AccountRole, MaintenanceWindowSpec, PatchGroupSpec } from "./types";

export { ConfigError, type ConfigIssue } from "./config-util";
export { parsePatchGroups, PATCH_GROUP_NAME_PATTERN } from "./config-patch-groups";
export { checkScheduleExpression } from "./schedule";

/** @default resource group name in every account-region. */
export const DEFAULT_RESOURCE_GROUP_NAME = "patchfleet-patch-targets";
/** @default name of the Automation runbook. */
export const DEFAULT_RUNBOOK_NAME = "patchfleet-RunPatchBaseline";
export const DEFAULT_RUNBOOK_MAX_CONCURRENCY = "10%";
export const DEFAULT_RUNBOOK_MAX_ERRORS = "5%";
export const DEFAULT_WINDOW_MAX_CONCURRENCY = "10%";
export const DEFAULT_WINDOW_MAX_ERRORS = "5%";
export const DEFAULT_LOG_RETENTION_DAYS = 365;
/** @default log bucket name, derived from the central account id so it is the same everywhere. */
export function defaultLogBucketName(centralAccountId: string): string {
  return `patchfleet-patch-logs-${centralAccountId}`;
}

/** Every key of the `patchfleet:` stack config namespace. */
export const STACK_CONFIG_KEYS = [
  "role",
  "accountId",
  "regions",
  "centralAccountId",
  "memberAccountIds",
  "deployRoleArn",
  "patchGroups",
  "resourceGroupTag",
  "resourceGroupName",
  "administrationRoleName",
  "executionRoleName",
  "runbookName",
  "runbookMaxConcurrency",
  "runbookMaxErrors",
  "logBucketName",
  "logRetentionDays",
  "maintenanceWindows",
  "tags",
] as const;

/** Keys whose stack config value is a plain string (never JSON-decoded: "012345678901" stays). */
const STRING_KEYS: readonly string[] = [
  "role",
  "accountId",
  "centralAccountId",
  "deployRoleArn",
  "resourceGroupName",
  "administrationRoleName",
  "executionRoleName",
  "runbookName",
  "runbookMaxConcurrency",
  "runbookMaxErrors",
  "logBucketName",
];

const WINDOW_KEYS = [
  "schedule",
  "timezone",
  "offsetDays",
  "durationHours",
  "cutoffHours",
  "maxConcurrency",
  "maxErrors",
  "enabled",
] as const;

const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role\/[\w+=,.@/-]{1,512}$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DOCUMENT_NAME = /^[a-zA-Z0-9_.-]{3,128}$/;
const RESOURCE_GROUP_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/**
 * Turns Pulumi's flat config map (`pulumi.runtime.allConfig()`: "patchfleet:key" → string, with
 * structured values JSON-encoded) into the raw object parseAccountConfig validates. String-typed
 * keys are kept verbatim so a quoted account id like "012345678901" keeps its leading zero.
 */
export function stackConfigToRaw(
  all: Record<string, string>,
  namespace = "patchfleet",
): PlainObject {
  const raw: PlainObject = {};
  const prefix = `${namespace}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (STRING_KEYS.includes(key)) {
      raw[key] = value;
      continue;
    }
    try {
      raw[key] = JSON.parse(value) as unknown;
    } catch {
      raw[key] = value;
    }
  }
  return raw;
}

function accountId(value: unknown, path: string, issues: ConfigIssue[]): string | undefined {
  if (typeof value === "string" && ACCOUNT_ID_PATTERN.test(value)) return value;
  if (typeof value === "number") {
    issues.push({
      path,
      message: `must be a 12-digit account id written as a quoted string, got the number ${value}; quote it ("012345678901") so leading zeros survive`,
    });
  } else {
    issues.push({ path, message: `must be a 12-digit account id, got ${describe(value)}` });
  }
  return undefined;
}

/** MaxConcurrency/MaxErrors: strings per SSM; whole numbers are accepted and turned into strings. */
function rateControl(
  obj: PlainObject,
  key: string,
  path: string,
  issues: ConfigIssue[],
  check: (v: string) => string | undefined,
  fallback: string,
): string {
  const value = obj[key];
  if (value === undefined) return fallback;
  const text = typeof value === "number" && Number.isInteger(value) ? String(value) : value;
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

/** Validates one maintenance window (`scan` or `install`). */
export function parseMaintenanceWindow(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): MaintenanceWindowSpec | undefined {
  const obj = objectWithKnownKeys(raw, path, WINDOW_KEYS, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  const schedule = optionalString(obj, "schedule", path, issues);
  if (obj.schedule === undefined) {
    issues.push({
      path: joinPath(path, "schedule"),
      message: "is required, for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)",
    });
  } else if (schedule !== undefined) {
    const problem = checkScheduleExpression(schedule);
    if (problem !== undefined) issues.push({ path: joinPath(path, "schedule"), message: problem });
  }
  const timezone = optionalString(obj, "timezone", path, issues) ?? "UTC";
  if (!isTimeZone(timezone)) {
    issues.push({
      path: joinPath(path, "timezone"),
      message: `must be an IANA time zone like "UTC" or "Europe/Berlin", got ${JSON.stringify(timezone)}`,
    });
  }
  const offsetDays = optionalInteger(obj, "offsetDays", path, issues, 0, 6);
  if (
    offsetDays !== undefined &&
    offsetDays > 0 &&
    schedule !== undefined &&
    !schedule.startsWith("cron(")
  ) {
    issues.push({
      path: joinPath(path, "offsetDays"),
      message: "works only with cron(...) schedules; remove it or use a cron schedule",
    });
  }
  const durationHours = optionalInteger(obj, "durationHours", path, issues, 1, 24);
  if (obj.durationHours === undefined) {
    issues.push({
      path: joinPath(path, "durationHours"),
      message: "is required: the window length in hours, 1–24",
    });
  }
  const cutoffHours = optionalInteger(obj, "cutoffHours", path, issues, 0, 23);
  const effectiveCutoff = cutoffHours ?? (durationHours === 1 ? 0 : 1);
  if (cutoffHours !== undefined && durationHours !== undefined && cutoffHours >= durationHours) {
    issues.push({
      path: joinPath(path, "cutoffHours"),
      message: `must be less than durationHours (${durationHours}), got ${cutoffHours}; tasks need time to start`,
    });
  }
  const maxConcurrency = rateControl(
    obj,
    "maxConcurrency",
    path,
    issues,
    checkMaxConcurrency,
    DEFAULT_WINDOW_MAX_CONCURRENCY,
  );
  const maxErrors = rateControl(
    obj,
    "maxErrors",
    path,
    issues,
    checkMaxErrors,
    DEFAULT_WINDOW_MAX_ERRORS,
  );
  const enabled = optionalBoolean(obj, "enabled", path, issues) ?? true;
  if (issues.length > before || schedule === undefined || durationHours === undefined)
    return undefined;
  const spec: MaintenanceWindowSpec = {
    schedule,
    timezone,
    durationHours,
    cutoffHours: effectiveCutoff,
    maxConcurrency,
    maxErrors,
    enabled,
  };
  if (offsetDays !== undefined && offsetDays > 0) spec.offsetDays = offsetDays;
  return spec;
}

function parseWindows(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): AccountConfig["maintenanceWindows"] {
  if (raw === undefined) return {};
  const obj = objectWithKnownKeys(raw, path, ["scan", "install"], issues);
  if (obj === undefined) return {};
  const out: AccountConfig["maintenanceWindows"] = {};
  if (obj.scan !== undefined)
    out.scan = parseMaintenanceWindow(obj.scan, joinPath(path, "scan"), issues);
  if (obj.install !== undefined) {
    out.install = parseMaintenanceWindow(obj.install, joinPath(path, "install"), issues);
  }
  if (out.scan === undefined) delete out.scan;
  if (out.install === undefined) delete out.install;
  return out;
}

function parseRegions(raw: unknown, path: string, issues: ConfigIssue[]): string[] {
  if (raw === undefined) {
    issues.push({
      path,
      message: 'is required: a list of regions, home region first, e.g. ["us-east-1", "eu-west-1"]',
    });
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({
      path,
      message: `must be a non-empty list of region names, got ${describe(raw)}`,
    });
    return [];
  }
  const out: string[] = [];
  // Array.from turns holes of sparse arrays into undefined, which is then reported.
  Array.from(raw as unknown[]).forEach((item: unknown, i) => {
    const p = indexPath(path, i);
    if (!isAwsRegion(item)) {
      issues.push({
        path: p,
        message: `${describe(item)} is not a region with Systems Manager; use one of ${AWS_REGIONS.join(", ")}`,
      });
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

function parseTags(raw: unknown, path: string, issues: ConfigIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  if (!isPlainObject(raw)) {
    issues.push({ path, message: `must be a map of tag key → string value, got ${describe(raw)}` });
    return out;
  }
  const entries = Object.entries(raw);
  if (entries.length > 45) {
    issues.push({
      path,
      message: `has ${entries.length} tags; at most 45 are allowed (AWS allows 50, patchfleet keeps 5 spare)`,
    });
  }
  for (const [key, value] of entries) {
    const p = joinPath(path, key);
    if (
      key.length === 0 ||
      key.length > 128 ||
      key.toLowerCase().startsWith("aws:") ||
      key === "__proto__"
    ) {
      issues.push({
        path: p,
        message: "tag keys must be 1–128 characters and must not start with aws:",
      });
    } else if (typeof value !== "string" || value.length > 256) {
      issues.push({
        path: p,
        message: `must be a string of at most 256 characters, got ${describe(value)}`,
      });
    } else {
      out[key] = value;
    }
  }
  return out;
}

function namedString(
  obj: PlainObject,
  key: string,
  issues: ConfigIssue[],
  fallback: string,
  pattern: RegExp,
  rule: string,
): string {
  const value = optionalString(obj, key, "", issues);
  if (value === undefined) return fallback;
  if (!pattern.test(value)) {
    issues.push({ path: key, message: `${rule}, got ${JSON.stringify(value)}` });
    return fallback;
  }
  return value;
}

function parseResourceGroupTag(
  raw: unknown,
  issues: ConfigIssue[],
): { key: string; value: string } {
  if (raw === undefined) return { ...DEFAULT_RESOURCE_GROUP_TAG };
  const obj = objectWithKnownKeys(raw, "resourceGroupTag", ["key", "value"], issues);
  if (obj === undefined) return { ...DEFAULT_RESOURCE_GROUP_TAG };
  const key = optionalString(obj, "key", "resourceGroupTag", issues);
  const value = optionalString(obj, "value", "resourceGroupTag", issues);
  if (key === undefined || key.length === 0 || key.length > 128) {
    issues.push({
      path: "resourceGroupTag.key",
      message: `must be a tag key of 1–128 characters, got ${describe(obj.key)}`,
    });
  }
  if (value === undefined || value.length > 256) {
    issues.push({
      path: "resourceGroupTag.value",
      message: `must be a tag value of at most 256 characters, got ${describe(obj.value)}`,
    });
  }
  return {
    key: key ?? DEFAULT_RESOURCE_GROUP_TAG.key,
    value: value ?? DEFAULT_RESOURCE_GROUP_TAG.value,
  };
}

function parseAccounts(
  obj: PlainObject,
  role: AccountRole | undefined,
  self: string | undefined,
  issues: ConfigIssue[],
) {
  let central: string | undefined;
  if (obj.centralAccountId !== undefined)
    central = accountId(obj.centralAccountId, "centralAccountId", issues);
  if (role === "member" && obj.centralAccountId === undefined) {
    issues.push({
      path: "centralAccountId",
      message: "is required for a member account: the 12-digit id of the central account",
    });
  }
  if (role === "member" && central !== undefined && central === self) {
    issues.push({
      path: "centralAccountId",
      message:
        "equals accountId; a member's central account is another account (use role: central for the central account)",
    });
  }
  if (role === "central" && central !== undefined && self !== undefined && central !== self) {
    issues.push({
      path: "centralAccountId",
      message: `must equal accountId (${self}) for the central account, or be left out`,
    });
  }
  const members: string[] = [];
  const raw = obj.memberAccountIds;
  if (raw !== undefined) {
    if (role === "member") {
      issues.push({
        path: "memberAccountIds",
        message: "only the central account lists member accounts; remove it here",
      });
    } else if (!Array.isArray(raw)) {
      issues.push({
        path: "memberAccountIds",
        message: `must be a list of 12-digit account ids, got ${describe(raw)}`,
      });
    } else {
      // Array.from turns holes of sparse arrays into undefined, which is then reported.
      Array.from(raw as unknown[]).forEach((item: unknown, i) => {
        const p = indexPath("memberAccountIds", i);
        const id = accountId(item, p, issues);
        if (id === undefined) return;
        if (id === self)
          issues.push({
            path: p,
            message: "is the central account itself; list only member accounts",
          });
        else if (members.includes(id))
          issues.push({ path: p, message: `${id} is listed twice; list each account once` });
        else members.push(id);
      });
    }
  }
  return { central: role === "central" ? self : central, members };
}

function parseConfig(raw: unknown, issues: ConfigIssue[]): AccountConfig | undefined {
  if (!isPlainObject(raw)) {
    issues.push({
      path: "patchfleet",
      message: `must be a map of settings (see Pulumi.example.yaml), got ${describe(raw)}`,
    });
    return undefined;
  }
  const obj = objectWithKnownKeys(raw, "", STACK_CONFIG_KEYS, issues) as PlainObject;
  let role: AccountRole | undefined;
  if (obj.role === "central" || obj.role === "member") role = obj.role;
  else
    issues.push({ path: "role", message: `must be central or member, got ${describe(obj.role)}` });
  const self =
    obj.accountId === undefined ? undefined : accountId(obj.accountId, "accountId", issues);
  if (obj.accountId === undefined) {
    issues.push({
      path: "accountId",
      message: 'is required: the 12-digit id of this account, quoted ("012345678901")',
    });
  }
  const regions = parseRegions(obj.regions, "regions", issues);
  const { central, members } = parseAccounts(obj, role, self, issues);
  const deployRoleArn = optionalString(obj, "deployRoleArn", "", issues);
  if (deployRoleArn !== undefined) {
    const m = ROLE_ARN.exec(deployRoleArn);
    if (m === null) {
      issues.push({
        path: "deployRoleArn",
        message: `must be an IAM role ARN like arn:aws:iam::012345678901:role/deploy, got ${JSON.stringify(deployRoleArn)}`,
      });
    } else if (self !== undefined && m[2] !== self) {
      issues.push({
        path: "deployRoleArn",
        message: `is in account ${m[2]} but accountId is ${self}; use a role in the account being deployed`,
      });
    } else if (regions.length > 0 && m[1] !== partitionOf(regions[0] as string)) {
      issues.push({
        path: "deployRoleArn",
        message: `is in partition ${m[1]} but the home region ${regions[0]} is in ${partitionOf(regions[0] as string)}`,
      });
    }
  }
  let patchGroups: Record<string, PatchGroupSpec> = {};
  if (obj.patchGroups === undefined) {
    issues.push({
      path: "patchGroups",
      message: "is required: a map of patch group name → baseline (see Pulumi.example.yaml)",
    });
  } else {
    patchGroups = parsePatchGroups(obj.patchGroups, "patchGroups", issues);
    if (isPlainObject(obj.patchGroups) && Object.keys(obj.patchGroups).length === 0) {
      issues.push({ path: "patchGroups", message: "must define at least one patch group" });
    }
  }
  const roleNameRule = "must be an IAM role name: 1–64 letters, digits and +=,.@_-";
  const administrationRoleName = namedString(
    obj,
    "administrationRoleName",
    issues,
    DEFAULT_ADMINISTRATION_ROLE_NAME,
    IAM_ROLE_NAME,
    roleNameRule,
  );
  const executionRoleName = namedString(
    obj,
    "executionRoleName",
    issues,
    DEFAULT_EXECUTION_ROLE_NAME,
    IAM_ROLE_NAME,
    roleNameRule,
  );
  const resourceGroupName = namedString(
    obj,
    "resourceGroupName",
    issues,
    DEFAULT_RESOURCE_GROUP_NAME,
    RESOURCE_GROUP_NAME,
    "must be 1–128 letters, digits and _.-",
  );
  if (/^aws/i.test(resourceGroupName)) {
    issues.push({
      path: "resourceGroupName",
      message: "must not start with AWS or aws (reserved); rename it",
    });
  }
  const runbookName = namedString(
    obj,
    "runbookName",
    issues,
    DEFAULT_RUNBOOK_NAME,
    DOCUMENT_NAME,
    "must be 3–128 letters, digits and _.-",
  );
  if (/^(aws|amazon|amzn)/i.test(runbookName)) {
    issues.push({
      path: "runbookName",
      message: "must not start with aws, amazon or amzn (reserved for AWS documents); rename it",
    });
  }
  const runbookMaxConcurrency = rateControl(
    obj,
    "runbookMaxConcurrency",
    "",
    issues,
    checkMaxConcurrency,
    DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  );
  const runbookMaxErrors = rateControl(
    obj,
    "runbookMaxErrors",
    "",
    issues,
    checkMaxErrors,
    DEFAULT_RUNBOOK_MAX_ERRORS,
  );
  const logBucketName = namedString(
    obj,
    "logBucketName",
    issues,
    defaultLogBucketName(central ?? "000000000000"),
    BUCKET_NAME,
    "must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
  );
  const logRetentionDays =
    optionalInteger(obj, "logRetentionDays", "", issues, 1, 36500) ?? DEFAULT_LOG_RETENTION_DAYS;
  const maintenanceWindows = parseWindows(obj.maintenanceWindows, "maintenanceWindows", issues);
  const tags = parseTags(obj.tags, "tags", issues);
  const resourceGroupTag = parseResourceGroupTag(obj.resourceGroupTag, issues);
  if (role === undefined || self === undefined || central === undefined) return undefined;
  const config: AccountConfig = {
    role,
    accountId: self,
    regions,
    centralAccountId: central,
    memberAccountIds: members,
    patchGroups,
    resourceGroupTag,
    resourceGroupName,
    administrationRoleName,
    executionRoleName,
    runbookName,
    runbookMaxConcurrency,
    runbookMaxErrors,
    logBucketName,
    logRetentionDays,
    maintenanceWindows,
    tags,
  };
  if (deployRoleArn !== undefined) config.deployRoleArn = deployRoleArn;
  return config;
}

/**
 * Validates the whole `patchfleet:` stack config object (keys as in Pulumi.example.yaml) and
 * returns the fully-defaulted AccountConfig, or throws ConfigError listing EVERY problem.
 */
export function parseAccountConfig(raw: unknown): AccountConfig {
  const issues: ConfigIssue[] = [];
  let config: AccountConfig | undefined;
  try {
    config = parseConfig(raw, issues);
  } catch (err) {
    // A validator bug must still come out as a config problem, never as a crash of the program.
    issues.push({
      path: "patchfleet",
      message: `could not be validated (${err instanceof Error ? err.message : String(err)}); please report this with the config that caused it`,
    });
  }
  if (issues.length > 0 || config === undefined) {
    if (issues.length === 0)
      issues.push({ path: "patchfleet", message: "is incomplete; see Pulumi.example.yaml" });
    throw new ConfigError(issues);
  }
  return config;
}
