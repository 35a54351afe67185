/**
 * patchfleet as a library: the same entry points the CLI uses, with typed options, an AbortSignal,
 * typed events and result objects. Nothing here exits the process or reads argv.
 *
 * Each folder's index.ts is its public surface; this file only gathers them.
 */

// The fleet file and its validated model.
export type * from "./fleet";
export { FleetError, loadFleet, parseFleet } from "./fleet";

// Stack operations over a fleet (Automation API, one stack per account, central first), and the
// policy config for application stacks, from topology stack outputs.
export {
  APPROVED_BASELINE_POLICY,
  MINIMUM_PULUMI_VERSION,
  PULUMI_INSTALL_HINT,
  PolicyConfigOutputsError,
  PulumiCliError,
  REPORT_SCHEMA_VERSION,
  RunnerInputError,
  STACK_OPERATIONS,
  StackDriver,
  applyCentralOutputs,
  buildReport,
  centralConfigMap,
  centralOutputsFrom,
  exitCodeFor,
  maskOutputs,
  policyConfigFromOutputs,
  redact,
  resolveBackend,
  resolvePulumiCli,
  runFleet,
  selectTargets,
  topologyProgram,
  writeReport,
} from "./stacks";
export type {
  CentralOutputs,
  FleetEvent,
  FleetReport,
  FleetRunResult,
  FleetTarget,
  FleetTargetResult,
  PolicyConfigFile,
  ProgramFactory,
  RunFleetOptions,
  StackDriverOptions,
  StackOperation,
  StackRunOptions,
  StackRunOutcome,
  StackSpec,
} from "./stacks";

// The rollout scheduler (pure core and async driver) and CI sharding.
export * from "./rollout";

// The offline check (SDK mock runtime + policy pack), under its own name: its report types
// differ from the runner's.
export * as check from "./check";

// Fleet operations in the accounts themselves: patch runs and compliance (AWS SDK, no Pulumi).
export { gatherCompliance, renderDashboard, runPatch } from "./ops";
export type {
  ComplianceOptions,
  ComplianceReport,
  PatchOptions,
  PatchReport,
  PatchTargetReport,
} from "./ops";
