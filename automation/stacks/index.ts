/**
 * Stack operations over a fleet through the Automation API: one stack per account, central first,
 * members configured from the central stack's outputs. Only re-exports.
 */
export {
  FleetLockError,
  LOCK_FILE,
  RunnerInputError,
  STACK_OPERATIONS,
  runFleet,
  resolveBackend,
  selectTargets,
} from "./run-fleet";
export type {
  FleetEvent,
  FleetRunResult,
  FleetTarget,
  FleetTargetResult,
  RunFleetOptions,
  StackOperation,
} from "./run-fleet";
export {
  applyCentralOutputs,
  centralConfigMap,
  centralOutputsFrom,
  topologyProgram,
} from "./stack-program";
export type { CentralOutputs, ProgramFactory } from "./stack-program";
export { centralAccountConfig, memberAccountConfig, stackName } from "./topology-config";
export { StackDriver, maskOutputs, redact } from "./stack-driver";
export type {
  StackDriverOptions,
  StackRunOptions,
  StackRunOutcome,
  StackSpec,
} from "./stack-driver";
export {
  MINIMUM_PULUMI_VERSION,
  PULUMI_INSTALL_HINT,
  PulumiCliError,
  resolvePulumiCli,
} from "./pulumi-cli";
export { REPORT_SCHEMA_VERSION, buildReport, exitCodeFor, writeReport } from "./run-report";
export type { FleetReport } from "./run-report";
export {
  APPROVED_BASELINE_POLICY,
  PolicyConfigOutputsError,
  policyConfigFromOutputs,
} from "./app-policy-config";
export type { PolicyConfigFile } from "./app-policy-config";
