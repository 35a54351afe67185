/**
 * Fleet operations as a library: start and follow patching across the fleet, gather compliance,
 * render the dashboard. Only re-exports.
 */
export { AwsSessions, SESSION_SECONDS, TargetAccessError } from "./aws";
export type { AwsOptions, RoleRef } from "./aws";
export {
  MAX_CONCURRENCY_PATTERN,
  MAX_ERRORS_PATTERN,
  TARGET_LOCATION_LIMIT,
  maxConcurrencyValue,
  maxErrorsValue,
  statusMeaning,
  targetLocationChunks,
} from "./automation-values";
export type { LocationChunk, StatusMeaning } from "./automation-values";
export { PatchRunError, defaultStateDir, runPatch, runbookParameters, stopCommand } from "./patch";
export type {
  PatchOptions,
  PatchReport,
  PatchTargetReport,
  PatchTargetState,
  PollOptions,
  PreflightProblem,
} from "./patch";
export { RunStore } from "./run-store";
export type { RunRecord } from "./run-store";
export { gatherCompliance } from "./compliance";
export type {
  ComplianceOptions,
  ComplianceReport,
  InstanceCompliance,
  PatchGroupCompliance,
  TargetCompliance,
  Totals,
} from "./compliance";
export { compliancePercent, renderDashboard } from "./dashboard";
