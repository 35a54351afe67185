/** The public surface of patchfleet's Pulumi components and their config. */
export * from "./types";
export {
  ConfigError,
  type ConfigIssue,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_RESOURCE_GROUP_NAME,
  DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  DEFAULT_RUNBOOK_MAX_ERRORS,
  DEFAULT_RUNBOOK_NAME,
  DEFAULT_WINDOW_MAX_CONCURRENCY,
  DEFAULT_WINDOW_MAX_ERRORS,
  PATCH_GROUP_NAME_PATTERN,
  STACK_CONFIG_KEYS,
  checkScheduleExpression,
  defaultLogBucketName,
  parseAccountConfig,
  parseMaintenanceWindow,
  parsePatchGroups,
  stackConfigToRaw,
} from "./config";
export {
  MAX_CONCURRENCY_PATTERN,
  MAX_ERRORS_PATTERN,
  checkMaxConcurrency,
  checkMaxErrors,
} from "./schedule";
export {
  AutomationRoles,
  type AutomationRolesArgs,
  MAINTENANCE_WINDOW_ROLE_NAME,
  type PolicyDocument,
  type PolicyStatement,
  administrationPermissions,
  administrationTrustPolicy,
  executionPermissions,
  executionTrustPolicy,
  maintenanceWindowPermissions,
  maintenanceWindowTrustPolicy,
  roleArn,
} from "./automation-roles";
export { PatchTargetGroup, type PatchTargetGroupArgs } from "./resource-group";
export { PatchBaselines, type PatchBaselinesArgs, osSlug } from "./patch-baselines";
export {
  MAX_DOCUMENT_SHARE_ACCOUNTS,
  PatchRunbook,
  type PatchRunbookArgs,
  checkShareCount,
  runbookContent,
} from "./runbook";
export {
  PatchMaintenanceWindows,
  type PatchMaintenanceWindowsArgs,
  type WindowResources,
} from "./maintenance-windows";
export {
  BUCKET_POLICY_MAX_BYTES,
  PatchLogBucket,
  type PatchLogBucketArgs,
  bucketPolicyProblem,
  logBucketPolicy,
  logPrefix,
  policyBytes,
} from "./log-bucket";
export {
  AccountPatchTopology,
  DEPLOY_SESSION_NAME,
  type RegionOutputs,
  buildTopology,
  topologyOutputs,
} from "./topology";
