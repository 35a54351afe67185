/**
 * The offline check: synthesize a fleet's topology stacks, or any Pulumi program, under the SDK's
 * mock runtime and run the policy pack on what they would deploy. No cloud, no Pulumi CLI.
 */
import { runJobs, type PoolStats } from "./pool";
import { buildReport, type CheckReport } from "./report";
import { fleetJobs, programJob, readPolicyConfig } from "./targets";
import type { CheckJob, TargetResult } from "./types";

export { CheckInputError, PROGRAM_ACCOUNT, PROGRAM_REGION } from "./targets";
export { buildReport, renderHtml, renderText, summaryLine, countByType } from "./report";
export type { CheckReport, ReportResource, ReportTarget } from "./report";
export { defaultWorkerCount } from "./pool";
export { INTERRUPTED, NOT_CHECKED, wasInterrupted } from "./types";
export { outputNote, type OutputStats } from "./output";
export type { CheckViolation, ProgramFailure, TargetResult } from "./types";

export interface CheckOptions {
  /** A fleet file: every account of it is a target. Exclusive with `program`. Paths given here
   * are relative to `cwd`. */
  fleet?: string;
  /** A Pulumi program (directory or entry file). Exclusive with `fleet`. */
  program?: string;
  /** Directory relative paths start from, and failure locations are shown against.
   * @default process.cwd() */
  cwd?: string;
  /** Stack whose `Pulumi.<stack>.yaml` config the program reads. */
  stack?: string;
  /** Policy config JSON file, as `pulumi preview --policy-pack-config` takes it. */
  policyConfig?: string;
  /** Worker processes. @default the machine's available parallelism */
  workers?: number;
  /** Targets per worker process before it is replaced. @default 150 */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called once the targets are known, before any runs, with how many there are. */
  onStart?: (targets: number) => void;
  onResult?: (result: TargetResult) => void;
}

export interface CheckOutcome {
  report: CheckReport;
  stats: PoolStats & { wallMillis: number };
  /** True when the signal stopped the check before every target ran. */
  interrupted: boolean;
}

/** The targets a check would cover, without running them. */
export async function checkJobs(options: CheckOptions): Promise<CheckJob[]> {
  const policyConfig = readPolicyConfig(options.policyConfig, options.cwd);
  if (options.fleet !== undefined) return fleetJobs(options.fleet, policyConfig, options.cwd);
  if (options.program !== undefined) {
    return [programJob(options.program, policyConfig, options.stack, options.cwd)];
  }
  throw new Error("runCheck needs a fleet or a program");
}

export async function runCheck(options: CheckOptions): Promise<CheckOutcome> {
  const started = Date.now();
  const jobs = await checkJobs(options);
  options.onStart?.(jobs.length);
  const { results, stats } = await runJobs(jobs, {
    workers: options.workers,
    batchSize: options.batchSize,
    signal: options.signal,
    onResult: options.onResult,
  });
  return {
    report: buildReport(results),
    stats: { ...stats, wallMillis: Date.now() - started },
    interrupted: Boolean(options.signal?.aborted),
  };
}
