/** The rollout scheduler (pure core and async driver) and CI sharding. Only re-exports. */
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
} from "./scheduler";
export type {
  RolloutEvent,
  RolloutPrefs,
  RolloutState,
  RolloutTarget,
  RunRolloutOptions,
  TargetResult,
  WorkerOutcome,
} from "./scheduler";
export { ShardError, parseShard, selectShard } from "./shard";
export type { Shard } from "./shard";
