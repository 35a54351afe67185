/**
 * The offline check: synthesize a fleet's topology stacks, or any Pulumi program, under the SDK's
 * mock runtime and run the policy pack on what they would deploy. No cloud, no Pulumi CLI.
 */
import { failedResult, runJobs, type PoolStats } from "./pool";
import {
  addToTally,
  buildReport,
  emptyTally,
  type CheckReport,
  type ReportTally,
} from "./check-report";
import { classKey, comparable, stampDistance, Template, templateJob } from "./restamp";
import { fleetJobs, programJob, readPolicyConfig } from "./targets";
import { NOT_CHECKED } from "./types";
import type { CheckJob, TargetResult } from "./types";

export { CheckInputError, PROGRAM_ACCOUNT, PROGRAM_REGION } from "./targets";
export {
  buildReport,
  renderHtml,
  renderText,
  summaryLine,
  tallyLine,
  countByType,
  reportTarget,
  jsonChunks,
  textChunks,
  htmlChunks,
} from "./check-report";
export type { CheckReport, ReportResource, ReportTarget, ReportTally } from "./check-report";
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
  /** Only these accounts of the fleet (names or ids). */
  only?: string[];
  /** Only the k-th of n deterministic slices ("k/n") of the fleet's accounts, central included. */
  shard?: string;
  /**
   * Synthesize every target on its own, instead of once per distinct configuration with the
   * others re-stamped from it. The results are the same; this is slower. @default false
   */
  fullSynthesis?: boolean;
  signal?: AbortSignal;
  /** Called once the targets are known, before any runs, with how many there are. */
  onStart?: (targets: number) => void;
  onResult?: (result: TargetResult) => void;
}

export interface CheckStats extends PoolStats {
  wallMillis: number;
  /** Targets synthesized under the mock runtime (templates and verifications included). */
  synthesized: number;
  /** Targets whose result was re-stamped from their configuration's synthesis. */
  restamped: number;
  /** Configurations whose verification failed, so that every target of them was synthesized. */
  unsharedClasses: number;
}

export interface CheckOutcome {
  /** Every target's result in report order, re-stamped as it is read: iterate, do not keep. */
  results(): Generator<TargetResult>;
  /** The report's totals, known without building any target. */
  tally: ReportTally;
  /** The whole report in memory (built on first use): for small fleets and tests. */
  readonly report: CheckReport;
  stats: CheckStats;
  /** True when the signal stopped the check before every target ran. */
  interrupted: boolean;
}

/** The targets a check would cover, without running them. */
export async function checkJobs(options: CheckOptions): Promise<CheckJob[]> {
  const policyConfig = readPolicyConfig(options.policyConfig, options.cwd);
  if (options.fleet !== undefined) {
    return fleetJobs(options.fleet, policyConfig, options.cwd, {
      only: options.only,
      shard: options.shard,
    });
  }
  if (options.program !== undefined) {
    return [programJob(options.program, policyConfig, options.stack, options.cwd)];
  }
  throw new Error("runCheck needs a fleet or a program");
}

/** Where a target's result comes from: its own synthesis, or its configuration's template. */
type Source = { result: TargetResult } | { template: Template };

export async function runCheck(options: CheckOptions): Promise<CheckOutcome> {
  const started = Date.now();
  const jobs = await checkJobs(options);
  options.onStart?.(jobs.length);
  const sources: (Source | undefined)[] = new Array(jobs.length);
  const stats: CheckStats = {
    workersStarted: 0,
    peakWorkerRssKiB: 0,
    wallMillis: 0,
    synthesized: 0,
    restamped: 0,
    unsharedClasses: 0,
    output: { bytes: 0, lines: 0, shownBytes: 0 },
  };
  const onResult = options.onResult;

  /** Synthesizes `list` in full; `forward` says which results are a target's own. */
  const synthesize = async (list: CheckJob[], own: (job: CheckJob) => boolean) => {
    const indexed = list.map((job, index) => ({ ...job, index }));
    const { results, stats: pool } = await runJobs(indexed, {
      workers: options.workers,
      batchSize: options.batchSize,
      signal: options.signal,
      onResult:
        onResult &&
        ((r) => {
          const job = list[r.index];
          if (own(job)) onResult({ ...r, index: job.index });
        }),
    });
    stats.workersStarted += pool.workersStarted;
    stats.peakWorkerRssKiB = Math.max(stats.peakWorkerRssKiB, pool.peakWorkerRssKiB);
    stats.synthesized += list.length;
    // Each pool run forwards its own programs' output; the check reports the sum.
    stats.output.bytes += pool.output.bytes;
    stats.output.lines += pool.output.lines;
    stats.output.shownBytes += pool.output.shownBytes;
    stats.output.spoolFile ??= pool.output.spoolFile;
    return results.map((r, i) => ({ ...r, index: list[i].index }));
  };

  // Group the targets by configuration; small classes are synthesized as they are.
  const classes = new Map<string, CheckJob[]>();
  const alone: CheckJob[] = [];
  for (const job of jobs) {
    const key = options.fullSynthesis ? undefined : classKey(job);
    if (key === undefined) {
      alone.push(job);
      continue;
    }
    const members = classes.get(key);
    if (members === undefined) classes.set(key, [job]);
    else members.push(job);
  }
  const shared: { members: CheckJob[]; check: CheckJob }[] = [];
  for (const members of classes.values()) {
    // Sharing costs two syntheses (the template and its verification): worth it from three on.
    if (members.length < 3) {
      alone.push(...members);
      continue;
    }
    // Verified with the member whose account and regions differ most from the template's.
    let check = members[1];
    for (const m of members.slice(2)) {
      if (stampDistance(members[0], m) >= stampDistance(members[0], check)) check = m;
    }
    shared.push({ members, check });
  }
  const first: CheckJob[] = [
    ...alone,
    ...shared.flatMap((c) => [templateJob(c.members[0], c.members[0].index), c.check]),
  ];
  const own = (job: CheckJob) => !job.recordHashes;
  const results = await synthesize(first, own);
  const byIndex = new Map<number, TargetResult>();
  results.forEach((r, i) => {
    if (own(first[i])) byIndex.set(r.index, r);
  });
  for (const job of alone) sources[job.index] = { result: byIndex.get(job.index)! };

  const again: CheckJob[] = [];
  shared.forEach((c, i) => {
    const templateResult = results[alone.length + 2 * i];
    const checkResult = byIndex.get(c.check.index)!;
    sources[c.check.index] = { result: checkResult };
    const rest = c.members.filter((m) => m !== c.check);
    if (templateResult.failure?.message === NOT_CHECKED) {
      for (const m of rest) sources[m.index] = { result: failedResult(m, NOT_CHECKED) };
      return;
    }
    const template = new Template(templateJob(c.members[0], c.members[0].index), templateResult);
    if (checkResult.failure?.message === NOT_CHECKED) {
      // Interrupted before the verification ran: only the template's own target is known.
      sources[c.members[0].index] = { template };
      for (const m of rest.slice(1)) sources[m.index] = { result: failedResult(m, NOT_CHECKED) };
      return;
    }
    if (comparable(template.restamp(c.check)) !== comparable(checkResult)) {
      stats.unsharedClasses += 1;
      again.push(...rest);
      return;
    }
    for (const m of rest) {
      sources[m.index] = { template };
      stats.restamped += 1;
      if (onResult) onResult(template.restamp(m));
    }
  });
  if (again.length > 0) {
    const more = await synthesize(again, () => true);
    for (const r of more) sources[r.index] = { result: r };
  }

  const tally = emptyTally();
  for (const source of sources) {
    addToTally(tally, "result" in source! ? source.result : source!.template.result);
  }
  function* resultsInOrder(): Generator<TargetResult> {
    for (let i = 0; i < jobs.length; i++) {
      const source = sources[i]!;
      yield "result" in source ? source.result : source.template.restamp(jobs[i]);
    }
  }
  let report: CheckReport | undefined;
  stats.wallMillis = Date.now() - started;
  return {
    results: resultsInOrder,
    tally,
    get report() {
      report ??= buildReport([...resultsInOrder()]);
      return report;
    },
    stats,
    interrupted: Boolean(options.signal?.aborted),
  };
}
