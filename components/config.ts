/**
 * The one config module of patchfleet: validates the `patchfleet:` stack config namespace (keys as
 * documented in Pulumi.example.yaml) into a fully-defaulted AccountConfig. Every problem is
 * reported at once, each with its path and the fix; nothing but ConfigError ever escapes.
 */
import {
  DEFAULT_ADMINISTRATION_ROLE_NAME,
  DEFAULT_EXECUTION_ROLE_NAME,
  isAwsRegion,
  partitionOf,
} from "../domain";
import {
  accountId,
  parseAccounts,
  parseRegions,
  parseResourceGroupTag,
  parseTags,
} from "./config-account";
import { parsePatchGroups } from "./config-patch-groups";
import { notificationsProblem, parseNotifications } from "./config-notifications";
import { checkShareCount } from "./document-sharing";
import {
  ORGANIZATION_ID_PATTERN,
  ORGANIZATION_ID_RULE,
  DATA_SYNC_PREFIX,
  bucketPolicyProblem,
} from "./log-bucket-policy";
import {
  ConfigError,
  type ConfigIssue,
  type PlainObject,
  describe,
  isPlainObject,
  objectWithKnownKeys,
  optionalInteger,
  optionalString,
  validateAll,
} from "./config-util";
import * as names from "./config-names";
import { parseWindows } from "./config-windows";
import { namedValue, rateControl, roleArnProblem } from "./config-rules";
import { checkMaxConcurrency, checkMaxErrors } from "./schedule";
import type { AccountConfig, AccountRole, PatchGroupSpec } from "./types";

export { ConfigError, type ConfigIssue } from "./config-util";
export { parsePatchGroups, PATCH_GROUP_NAME_PATTERN } from "./config-patch-groups";
export { checkScheduleExpression } from "./schedule";
export {
  DEFAULT_WINDOW_MAX_CONCURRENCY,
  DEFAULT_WINDOW_MAX_ERRORS,
  parseMaintenanceWindow,
} from "./config-windows";

/** @default resource group name in every account-region. */
export const DEFAULT_RESOURCE_GROUP_NAME = "patchfleet-patch-targets";
/** @default name of the Automation runbook. */
export const DEFAULT_RUNBOOK_NAME = "patchfleet-RunPatchBaseline";
export const DEFAULT_RUNBOOK_MAX_CONCURRENCY = "10%";
export const DEFAULT_RUNBOOK_MAX_ERRORS = "5%";
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
  "organizationId",
  "maintenanceWindows",
  "notifications",
  "dataSyncBucketRegion",
  "dataSyncSharing",
  "tags",
] as const;

/** Keys whose stack config value is structured, so Pulumi stores it JSON-encoded. */
const STRUCTURED_KEYS: readonly string[] = [
  "regions",
  "memberAccountIds",
  "patchGroups",
  "resourceGroupTag",
  "logRetentionDays",
  "maintenanceWindows",
  "notifications",
  "tags",
];
/** Keys whose stack config value is a plain string (never JSON-decoded: "012345678901" stays). */
const STRING_KEYS: readonly string[] = STACK_CONFIG_KEYS.filter(
  (k) => !STRUCTURED_KEYS.includes(k),
);

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

function namedString(
  obj: PlainObject,
  key: string,
  issues: ConfigIssue[],
  fallback: string,
  pattern: RegExp,
  rule: string,
): string {
  const value = optionalString(obj, key, "", issues);
  return namedValue(value, key, issues, pattern, rule, fallback, (v) => JSON.stringify(v));
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
  const arnProblem =
    deployRoleArn === undefined ? undefined : roleArnProblem(deployRoleArn, self, regions[0]);
  if (arnProblem !== undefined) {
    issues.push({
      path: "deployRoleArn",
      message:
        arnProblem.kind === "format"
          ? `must be an IAM role ARN like arn:aws:iam::012345678901:role/deploy, got ${JSON.stringify(deployRoleArn)}`
          : arnProblem.kind === "account"
            ? `is in account ${arnProblem.account} but accountId is ${self}; use a role in the account being deployed`
            : `is in partition ${arnProblem.partition} but the home region ${regions[0]} is in ${arnProblem.expected}`,
    });
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
  const administrationRoleName = namedString(
    obj,
    "administrationRoleName",
    issues,
    DEFAULT_ADMINISTRATION_ROLE_NAME,
    names.IAM_ROLE_NAME_PATTERN,
    names.IAM_ROLE_NAME_RULE,
  );
  const executionRoleName = namedString(
    obj,
    "executionRoleName",
    issues,
    DEFAULT_EXECUTION_ROLE_NAME,
    names.IAM_ROLE_NAME_PATTERN,
    names.IAM_ROLE_NAME_RULE,
  );
  const resourceGroupName = namedString(
    obj,
    "resourceGroupName",
    issues,
    DEFAULT_RESOURCE_GROUP_NAME,
    names.RESOURCE_GROUP_NAME_PATTERN,
    names.RESOURCE_GROUP_NAME_RULE,
  );
  if (names.RESERVED_RESOURCE_GROUP_PREFIX.test(resourceGroupName)) {
    issues.push({ path: "resourceGroupName", message: names.RESERVED_RESOURCE_GROUP_PREFIX_RULE });
  }
  const runbookName = namedString(
    obj,
    "runbookName",
    issues,
    DEFAULT_RUNBOOK_NAME,
    names.DOCUMENT_NAME_PATTERN,
    "must be 3–128 letters, digits and _.-",
  );
  if (names.RESERVED_DOCUMENT_PREFIX.test(runbookName)) {
    issues.push({ path: "runbookName", message: names.RESERVED_DOCUMENT_PREFIX_RULE });
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
    names.BUCKET_NAME_PATTERN,
    names.BUCKET_NAME_RULE,
  );
  const logRetentionDays =
    optionalInteger(obj, "logRetentionDays", "", issues, 1, 36500) ?? DEFAULT_LOG_RETENTION_DAYS;
  const organizationId = optionalString(obj, "organizationId", "", issues);
  if (organizationId !== undefined) {
    if (role === "member") {
      issues.push({
        path: "organizationId",
        message: "is read by the central account only (its log bucket policy); remove it here",
      });
    } else if (!ORGANIZATION_ID_PATTERN.test(organizationId)) {
      issues.push({
        path: "organizationId",
        message: `${ORGANIZATION_ID_RULE}, got ${JSON.stringify(organizationId)}`,
      });
    }
  }
  const dataSyncBucketRegion = optionalString(obj, "dataSyncBucketRegion", "", issues);
  if (dataSyncBucketRegion !== undefined) {
    if (!isAwsRegion(dataSyncBucketRegion)) {
      issues.push({
        path: "dataSyncBucketRegion",
        message: `must be the log bucket's region (the central account's first region), got ${JSON.stringify(dataSyncBucketRegion)}`,
      });
    } else if (role === "central" && regions.length > 0 && regions[0] !== dataSyncBucketRegion) {
      issues.push({
        path: "dataSyncBucketRegion",
        message: `must be ${regions[0] as string}, the central account's first region, where its log bucket is`,
      });
    }
  }
  const dataSyncSharing = optionalString(obj, "dataSyncSharing", "", issues);
  if (dataSyncSharing !== undefined) {
    if (dataSyncSharing !== "Organization") {
      issues.push({
        path: "dataSyncSharing",
        message: `must be Organization (DestinationDataSharingType) or left out, got ${JSON.stringify(dataSyncSharing)}`,
      });
    } else if (dataSyncBucketRegion === undefined) {
      issues.push({
        path: "dataSyncSharing",
        message: "needs dataSyncBucketRegion; set both or neither",
      });
    } else if (role === "central" && organizationId === undefined) {
      issues.push({
        path: "dataSyncSharing",
        message:
          "needs organizationId here: the log bucket policy admits organization-based syncs by the organization's id",
      });
    }
  }
  if (role === "central") {
    const shareProblem = checkShareCount(members.length);
    if (shareProblem !== undefined)
      issues.push({ path: "memberAccountIds", message: shareProblem });
    if (self !== undefined && regions.length > 0) {
      const sizeProblem = bucketPolicyProblem(
        partitionOf(regions[0] as string),
        logBucketName,
        [self, ...members],
        regions,
        organizationId,
        [],
        dataSyncBucketRegion === undefined ? undefined : DATA_SYNC_PREFIX,
      );
      if (sizeProblem !== undefined)
        issues.push({ path: "memberAccountIds", message: sizeProblem });
    }
  }
  const maintenanceWindows = parseWindows(obj.maintenanceWindows, "maintenanceWindows", issues);
  const notifications = parseNotifications(obj.notifications, "notifications", issues);
  if (
    notifications !== undefined &&
    role === "central" &&
    self !== undefined &&
    regions.length > 0
  ) {
    const p = notificationsProblem(notifications, regions, self, members, organizationId);
    if (p !== undefined) issues.push({ path: "notifications", message: p });
  }
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
  if (notifications !== undefined) config.notifications = notifications;
  if (dataSyncBucketRegion !== undefined && isAwsRegion(dataSyncBucketRegion)) {
    // The central account's organizationId makes the bucket policy expect organization-based syncs.
    config.dataSync = {
      bucketRegion: dataSyncBucketRegion,
      organization:
        dataSyncSharing === "Organization" || (role === "central" && organizationId !== undefined),
    };
  }
  if (organizationId !== undefined && role === "central") config.organizationId = organizationId;
  return config;
}

/**
 * Validates the whole `patchfleet:` stack config object (keys as in Pulumi.example.yaml) and
 * returns the fully-defaulted AccountConfig, or throws ConfigError listing EVERY problem.
 */
export function parseAccountConfig(raw: unknown): AccountConfig {
  const issues: ConfigIssue[] = [];
  const config = validateAll(() => parseConfig(raw, issues), issues, {
    path: "patchfleet",
    input: "the config",
    example: "Pulumi.example.yaml",
  });
  if (config === undefined) throw new ConfigError(issues);
  return config;
}
