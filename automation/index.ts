/**
 * patchfleet as a library: the same entry points the CLI uses, with typed options, an AbortSignal,
 * typed events and result objects. Nothing here exits the process or reads argv.
 *
 * This file is only a list of re-exports.
 */

// The fleet file and its validated model.
export type * from "./fleet-types";
export { FleetError, loadFleet, parseFleet } from "./fleet";
export type { FleetIssue } from "./fleet";

// Stack operations over a fleet (Automation API, one stack per account, central first).
export {
  RunnerInputError,
  STACK_OPERATIONS,
  runFleet,
  selectTargets,
  resolveBackend,
} from "./runner";
export type {
  FleetEvent,
  FleetRunResult,
  FleetTarget,
  FleetTargetResult,
  RunFleetOptions,
  StackOperation,
} from "./runner";
export {
  applyCentralOutputs,
  centralConfigMap,
  centralOutputsFrom,
  topologyProgram,
} from "./stack-program";
export type { CentralOutputs, ProgramFactory } from "./stack-program";
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
export { REPORT_SCHEMA_VERSION, buildReport, exitCodeFor, writeReport } from "./report";
export type { FleetReport } from "./report";

// The rollout scheduler (pure core and async driver) and CI sharding.
export {
  RolloutError,
  initRollout,
  isDone,
  plan,
  record,
  resolveFailureTolerance,
  resolveMaxConcurrent,
  results,
  runRollout,
  stop,
} from "./rollout";
export type {
  RolloutEvent,
  RolloutPrefs,
  RolloutState,
  RolloutTarget,
  RunRolloutOptions,
  TargetResult,
  WorkerOutcome,
} from "./rollout";
export { ShardError, parseShard, selectShard } from "./shard";
export type { Shard } from "./shard";

// The offline check (SDK mock runtime + policy pack), under its own name: its report types
// differ from the runner's.
export * as check from "./check";

// The policy config for application stacks, from topology stack outputs.
export {
  APPROVED_BASELINE_POLICY,
  PolicyConfigOutputsError,
  policyConfigFromOutputs,
} from "./policy-config";
export type { PolicyConfigFile } from "./policy-config";

// Fleet operations in the accounts themselves: patch runs and compliance (AWS SDK, no Pulumi).
export { runPatch } from "./ops/patch";
export type { PatchOptions, PatchReport, PatchTargetReport } from "./ops/patch";
export { gatherCompliance } from "./ops/compliance";
export type { ComplianceOptions, ComplianceReport } from "./ops/compliance";
export { renderDashboard } from "./ops/dashboard";
