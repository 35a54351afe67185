/**
 * The fleet-wide settings of a fleet file besides accounts and patch groups: resource group, IAM
 * role names, runbook, log bucket, maintenance windows, and the tags put on every resource.
 */
import {
  DEFAULT_ADMINISTRATION_ROLE_NAME,
  DEFAULT_EXECUTION_ROLE_NAME,
  DEFAULT_RESOURCE_GROUP_TAG,
  partitionOf,
} from "../../domain";
import {
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_RESOURCE_GROUP_NAME,
  DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  DEFAULT_RUNBOOK_MAX_ERRORS,
  DEFAULT_RUNBOOK_NAME,
  defaultLogBucketName,
  parseMaintenanceWindow,
} from "../../components/config";
import * as names from "../../components/config-names";
import { describe } from "../../components/config-util";
import {
  parseTagMap,
  rateControl,
  resourceGroupTagKeyProblem,
} from "../../components/config-rules";
import { checkShareCount } from "../../components/document-sharing";
import {
  ORGANIZATION_ID_PATTERN,
  ORGANIZATION_ID_RULE,
  DATA_SYNC_PREFIX,
  bucketPolicyProblem,
} from "../../components/log-bucket-policy";
import { checkMaxConcurrency, checkMaxErrors } from "../../components/schedule";
import type { Fleet, FleetAccount } from "./types";
import type { Checker, Obj } from "./checker";

export type FleetSettings = Pick<
  Fleet,
  | "resourceGroupTag"
  | "resourceGroupName"
  | "administrationRoleName"
  | "executionRoleName"
  | "runbookName"
  | "runbookMaxConcurrency"
  | "runbookMaxErrors"
  | "logBucketName"
  | "logRetentionDays"
  | "organizationId"
  | "maintenanceWindows"
>;

/** The settings from resourceGroup to maintenanceWindows, defaulted where absent or invalid. */
export function parseSettings(
  c: Checker,
  top: Obj,
  centralAccount: string | undefined,
): FleetSettings {
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
  const tagKeyProblem = tagKey === undefined ? undefined : resourceGroupTagKeyProblem(tagKey);
  if (tagKeyProblem !== undefined) c.add("resourceGroup.tagKey", tagKeyProblem);
  const tagValue = rg === undefined ? undefined : c.string(rg, "tagValue", "resourceGroup");
  if (tagValue !== undefined && tagValue.length > 256) {
    c.add("resourceGroup.tagValue", "must be a tag value of at most 256 characters");
  }
  const rgName = c.named(
    rg ?? {},
    "name",
    "resourceGroup",
    names.RESOURCE_GROUP_NAME_PATTERN,
    names.RESOURCE_GROUP_NAME_RULE,
    DEFAULT_RESOURCE_GROUP_NAME,
  );
  if (names.RESERVED_RESOURCE_GROUP_PREFIX.test(rgName)) {
    c.add("resourceGroup.name", names.RESERVED_RESOURCE_GROUP_PREFIX_RULE);
  }

  const roles =
    top.roles === undefined
      ? {}
      : c.map(
          top.roles,
          "roles",
          ["administrationRoleName", "executionRoleName"],
          "IAM role names",
        );
  const administrationRoleName = c.named(
    roles ?? {},
    "administrationRoleName",
    "roles",
    names.IAM_ROLE_NAME_PATTERN,
    names.IAM_ROLE_NAME_RULE,
    DEFAULT_ADMINISTRATION_ROLE_NAME,
  );
  const executionRoleName = c.named(
    roles ?? {},
    "executionRoleName",
    "roles",
    names.IAM_ROLE_NAME_PATTERN,
    names.IAM_ROLE_NAME_RULE,
    DEFAULT_EXECUTION_ROLE_NAME,
  );

  const runbookName = c.named(
    top,
    "runbookName",
    "",
    names.DOCUMENT_NAME_PATTERN,
    "must be an SSM document name: 3–128 letters, digits and _.-",
    DEFAULT_RUNBOOK_NAME,
  );
  if (names.RESERVED_DOCUMENT_PREFIX.test(runbookName)) {
    c.add("runbookName", names.RESERVED_DOCUMENT_PREFIX_RULE);
  }
  const rate = (key: string, check: (v: string) => string | undefined, fallback: string) =>
    rateControl(top, key, "", c.issues, check, fallback, { nullIsAbsent: true });
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
    names.BUCKET_NAME_PATTERN,
    names.BUCKET_NAME_RULE,
    defaultLogBucketName(centralAccount ?? "000000000000"),
  );
  let logRetentionDays = DEFAULT_LOG_RETENTION_DAYS;
  if (top.logRetentionDays !== undefined && top.logRetentionDays !== null) {
    const v = top.logRetentionDays;
    if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 36500) logRetentionDays = v;
    else c.add("logRetentionDays", `must be a whole number of days, 1–36500, got ${describe(v)}`);
  }

  const organizationId = c.string(top, "organizationId", "");
  if (organizationId !== undefined && !ORGANIZATION_ID_PATTERN.test(organizationId)) {
    c.add("organizationId", `${ORGANIZATION_ID_RULE}, got ${describe(organizationId)}`);
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

  const settings: FleetSettings = {
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
  };
  if (organizationId !== undefined && ORGANIZATION_ID_PATTERN.test(organizationId)) {
    settings.organizationId = organizationId;
  }
  return settings;
}

/**
 * What only the whole fleet's size can break: the central runbook is shared with every member
 * (SSM's private-sharing quota), and the central log bucket policy lists every account unless it
 * grants by organization (S3's 20 KB policy limit).
 */
export function checkCentralScale(
  c: Checker,
  central: Pick<FleetAccount, "account" | "regions"> | undefined,
  memberCount: number,
  memberIds: string[],
  settings: Pick<FleetSettings, "logBucketName" | "organizationId">,
  dataSync = false,
): void {
  const share = checkShareCount(memberCount);
  if (share !== undefined) c.add("members", share);
  if (central === undefined || !Array.isArray(central.regions) || central.regions.length === 0) {
    return;
  }
  const size = bucketPolicyProblem(
    partitionOf(central.regions[0] as string),
    settings.logBucketName,
    [central.account, ...memberIds],
    central.regions,
    settings.organizationId,
    [],
    dataSync ? DATA_SYNC_PREFIX : undefined,
  );
  if (size !== undefined) c.add("members", size);
}

export function parseTags(c: Checker, raw: unknown, path: string): Record<string, string> {
  return parseTagMap(raw, path, c.issues, {
    valueHint: " (quote numbers and booleans)",
    nullIsAbsent: true,
  });
}
