/**
 * `patch`: preflight, then one multi-account, multi-region automation of the fleet's runbook,
 * followed to the end and reported per account-region.
 */
import { randomUUID } from "crypto";
import * as path from "path";
import type { PatchOperation, RebootOption } from "../../domain";
import type { Fleet } from "../fleet/types";
import { resolveFailureTolerance } from "../rollout/scheduler";
import { AwsFailureKind, AwsOptions, AwsSessions, awsFailureKind } from "./aws";
import { statusMeaning } from "./automation-values";
import { PollOptions, follow, listAttempts } from "./patch-follow";
import {
  PatchTargetReport,
  PatchTargetState,
  emptySummary,
  logLocation,
  summarize,
  targetReports,
} from "./patch-report";
import { fleetDigest, findStarted, startExecution } from "./patch-start";
import {
  PatchTarget,
  PreflightProblem,
  centralRef,
  homeRegion,
  patchTargets,
  preflight,
} from "./preflight";
import { RunRecord, RunStore } from "./run-store";
import { errorText } from "./util";
import { OperationError } from "../../domain";

export type { PollOptions } from "./patch-follow";
export { administrationRoleArn, fleetDigest, runbookParameters } from "./patch-start";
export type { PatchTargetReport, PatchTargetState } from "./patch-report";
export { logLocation, targetReports } from "./patch-report";
export type { PreflightProblem } from "./preflight";

/** The automation of one region: patchfleet starts one per region, one after another (R3). */
export interface RegionExecution {
  region: string;
  /** Kept per run and region, so a retry never starts a second execution in that region (R7). */
  clientToken: string;
  executionId?: string;
  executionStatus?: string;
  /** Targets of this region, and how many of them failed. */
  targets: number;
  failed: number;
  /** Failures this region tolerates (rollout.failureTolerance of this region's targets). */
  tolerance: number;
  /** Why the region was not started, when it was not. */
  notStarted?: string;
}

export interface PatchReport {
  kind: "patch";
  runId: string;
  operation: PatchOperation;
  reboot: RebootOption;
  runbookName: string;
  snapshotId: string;
  /** True when this invocation continued a run started earlier (same ClientTokens). */
  resumed: boolean;
  /** One entry per region, in the order they run: regionOrder first, then fleet-file order. */
  executions: RegionExecution[];
  /** Set when a region went over its failure tolerance, so later regions were not started. */
  stoppedBy?: string;
  /** Set when patchfleet stopped waiting before the execution ended. */
  interrupted: boolean;
  stopCommand?: string;
  preflight: PreflightProblem[];
  /** Checks that were not made, and why. */
  notes: string[];
  summary: Record<PatchTargetState, number>;
  targets: PatchTargetReport[];
  /** Set for `patch --ring` (automation/ops/rings): the ring, its override list, a --force reason. */
  ring?: PatchRing;
}

/** One ring's part of a ring rollout; runs are kept apart per rollout and ring. */
export interface PatchRing {
  name: string;
  rolloutId: string;
  /** Account ids of the ring: only their account-regions are patched. */
  accounts: readonly string[];
  /** s3:// URL passed to the runbook as InstallOverrideList (rings after the first). */
  installOverrideList?: string;
  /** Why a refusal (gate, soak, freeze) was overridden with --force. */
  forced?: string;
}

export interface PatchOptions {
  fleet: Fleet;
  operation: PatchOperation;
  reboot: RebootOption;
  /** Where runs are kept. @default `.patchfleet/runs` beside the fleet file */
  stateDir?: string;
  aws?: Omit<AwsOptions, "runId">;
  poll?: PollOptions;
  /** Aborting stops waiting (the automation keeps running); the report says how to stop it. */
  signal?: AbortSignal;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
  /** Waits between status checks. @default a timer that ends early when `signal` aborts */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Patch one ring only (automation/ops/rings decides whether it may start). */
  ring?: PatchRing;
}

export function defaultStateDir(fleet: Fleet): string {
  return path.join(path.dirname(path.resolve(fleet.file)), ".patchfleet", "runs");
}

export function stopCommand(executionId: string, region: string): string {
  return `aws ssm stop-automation-execution --automation-execution-id ${executionId} --region ${region}`;
}

/**
 * The automation could not be started or followed. A run that started something stays open in the
 * state directory, so running `patch` again continues it (it looks for the executions the run
 * already started before starting anything).
 */
export class PatchRunError extends OperationError {
  constructor(
    readonly runId: string,
    readonly clientToken: string,
    readonly cause: unknown,
    /** The run's record in the state directory, when the run started something. */
    readonly recordFile: string | undefined,
    /** Whether the fleet file changed since the run first tried to start. */
    readonly fleetChanged = false,
  ) {
    const what = errorText(cause).replace(/\.$/, "");
    const kind = awsFailureKind(cause);
    const name = (cause as { name?: string })?.name;
    super(
      name === "LegacyRunError"
        ? `run ${runId} stopped: ${(cause as Error).message}.`
        : name === "IdempotentParameterMismatch"
          ? `run ${runId} stopped: ${what}. ` +
            (fleetChanged
              ? "The fleet file changed since this run first tried to start: restore it and " +
                "run again"
              : "SSM refused this run's ClientToken although the fleet file did not change") +
            `; or check in the SSM console that no execution started for this run (tag ` +
            `patchfleet:run=${runId}), then delete ${recordFile} to start a new run.`
          : `run ${runId} stopped (${KIND_TEXT[kind]}): ${what}. ` +
            (recordFile === undefined
              ? "Nothing was started; fix the cause and run the same command again."
              : `Run the same patch command again: it looks for the executions run ${runId} ` +
                "already started (tag patchfleet:run) before starting any, so SSM runs at most " +
                "one per region."),
    );
  }
}

const KIND_TEXT: Record<AwsFailureKind, string> = {
  "no-credentials": "no AWS credentials",
  denied: "access denied",
  "not-found": "not found",
  unreachable: "endpoint unreachable",
  "timed-out": "timed out",
  throttled: "throttled",
  invalid: "request refused as invalid",
  error: "error",
};

/**
 * The regions of a patch run in the order they run: `rollout.regionOrder` first, then the other
 * regions in the order they first appear among the targets (fleet-file order).
 */
export function regionSequence(
  fleet: Fleet,
  targets: readonly { region: string }[] = patchTargets(fleet),
): string[] {
  const present = new Set(targets.map((t) => t.region));
  const out: string[] = [];
  for (const r of fleet.rollout.regionOrder ?? []) {
    if (present.has(r) && !out.includes(r)) out.push(r);
  }
  for (const t of targets) if (!out.includes(t.region)) out.push(t.region);
  return out;
}

/** Every target of `regions`, CANCELLED with one reason (a region over tolerance, or a stop). */
function cancelled(
  fleet: Fleet,
  targets: readonly PatchTarget[],
  reason: string,
): PatchTargetReport[] {
  return targets.map(({ member, region }) => ({
    account: member.account,
    name: member.name,
    region,
    state: "CANCELLED" as const,
    reason,
    counts: { steps: 0, succeeded: 0, failed: 0, running: 0 },
    logLocation: logLocation(fleet, member.account, region),
  }));
}

export async function runPatch(options: PatchOptions): Promise<PatchReport> {
  const { fleet, operation, reboot } = options;
  const log = options.log ?? (() => undefined);
  const store = new RunStore(options.stateDir ?? defaultStateDir(fleet));
  const ring = options.ring;
  const key = [path.resolve(fleet.file), fleet.runbookName, operation, reboot]
    .concat(ring ? [`ring:${ring.rolloutId}/${ring.name}`] : [])
    .join("|");
  const digest = fleetDigest(fleet);
  // A run is kept on disk only once it is about to start something (R7 needs the token on disk
  // before the first start); one that never got that far leaves no record.
  const { record, resumed } = await store.openOrNew(key, operation, reboot, new Date(), digest);
  let recorded = resumed;
  const aws = new AwsSessions({ progress: log, ...options.aws, runId: record.runId });
  const home = homeRegion(fleet);
  const report: PatchReport = {
    kind: "patch",
    runId: record.runId,
    operation,
    reboot,
    runbookName: fleet.runbookName,
    snapshotId: record.snapshotId,
    resumed,
    executions: [],
    interrupted: false,
    preflight: [],
    notes: [],
    summary: emptySummary(),
    targets: [],
    ...(ring ? { ring: { ...ring, accounts: [...ring.accounts] } } : {}),
  };
  if (ring) record.ring = report.ring;
  let clientToken = record.clientToken;
  try {
    if (resumed) log(`resuming run ${record.runId}: looking for executions it already started`);
    const checked = await preflight(fleet, aws);
    report.preflight = checked.problems;
    report.notes.push(...checked.notes);
    const all = patchTargets(fleet).filter(
      (t) => !ring || ring.accounts.includes(t.member.account),
    );
    if (report.preflight.length > 0) {
      report.targets = all.map(({ member, region: r }) => ({
        account: member.account,
        name: member.name,
        region: r,
        state: "SKIPPED" as const,
        reason: `not started: preflight found ${report.preflight.length} problem(s)`,
        counts: { steps: 0, succeeded: 0, failed: 0, running: 0 },
        logLocation: logLocation(fleet, member.account, r),
      }));
      report.summary = summarize(report.targets);
      return report;
    }
    const writer = await aws.ssm(centralRef(fleet), home, "write");
    const reader = await aws.ssm(centralRef(fleet), home, "read");
    const byRegion = new Map<string, PatchTarget[]>();
    for (const t of all) byRegion.set(t.region, [...(byRegion.get(t.region) ?? []), t]);
    const reports = new Map<string, PatchTargetReport>();
    const put = (list: PatchTargetReport[]) => {
      for (const t of list) reports.set(`${t.account}/${t.region}`, t);
    };
    if (record.executionId !== undefined && record.regions === undefined) {
      // A run from before regions ran one after another: one execution covers every region.
      throw Object.assign(
        new Error(
          `run ${record.runId} started execution ${record.executionId} for all regions at once; ` +
            `wait for it to end (or stop it: ${stopCommand(record.executionId, home)}), then ` +
            `delete ${store.fileOf(record.runId)} to start a new run`,
        ),
        { name: "LegacyRunError" },
      );
    }
    record.regions ??= {};
    for (const region of regionSequence(fleet, all)) {
      const targets = byRegion.get(region) ?? [];
      const tolerance = resolveFailureTolerance(fleet.rollout.failureTolerance, targets.length);
      const saved = record.regions[region];
      const entry: RegionExecution = {
        region,
        clientToken: saved?.clientToken ?? randomUUID(),
        targets: targets.length,
        failed: 0,
        tolerance,
      };
      report.executions.push(entry);
      // An interrupt before a region started (during preflight, or between regions) starts
      // nothing more; a region already started is still followed once to report it.
      if (options.signal?.aborted && saved?.executionId === undefined) report.interrupted = true;
      if (report.stoppedBy !== undefined || report.interrupted) {
        entry.notStarted = report.stoppedBy ?? "patchfleet stopped waiting before this region";
        put(cancelled(fleet, targets, `not started: ${entry.notStarted}`));
        continue;
      }
      if (saved?.executionId === undefined && saved !== undefined) {
        // An earlier attempt of this run tried to start here and did not record the answer (a
        // timeout or a crash). A ClientToken "can't be reused" (StartAutomationExecution API
        // reference), so look for the execution by the run's tags instead of starting again.
        const found = await findStarted(
          reader,
          fleet,
          record.runId,
          region,
          new Date(record.createdAt),
        );
        if (found !== undefined) {
          saved.executionId = found;
          await store.save(record);
          log(`found execution ${found} in ${region}, started earlier by run ${record.runId}`);
        }
      }
      if (saved === undefined) {
        // The token is on disk before the first attempt, so a crash mid-call is retried with it.
        record.regions[region] = { clientToken: entry.clientToken };
        await store.save(record);
        recorded = true;
      }
      const regionRun = record.regions[region];
      clientToken = regionRun.clientToken;
      if (regionRun.executionId === undefined) {
        log(
          `starting ${fleet.runbookName} (${operation}) in ${region}: ${targets.length} account(s)`,
        );
        let out;
        try {
          out = await startExecution(writer, fleet, targets, region, {
            operation,
            reboot,
            snapshotId: record.snapshotId,
            runId: record.runId,
            clientToken: regionRun.clientToken,
            installOverrideList: ring?.installOverrideList,
          });
        } catch (err) {
          // A refusal that cannot have started anything, before any region started: forget the
          // run, so the next attempt is a new run rather than a "resume" of nothing.
          const kind = awsFailureKind(err);
          const definite = ["denied", "not-found", "invalid", "no-credentials"].includes(kind);
          const started = Object.values(record.regions).some((r) => r.executionId !== undefined);
          if (definite && !started) {
            await store.remove(record.runId);
            recorded = false;
          }
          throw err;
        }
        if (!out.AutomationExecutionId) throw new Error("StartAutomationExecution returned no id");
        regionRun.executionId = out.AutomationExecutionId;
        await store.save(record);
      } else {
        log(
          `following execution ${regionRun.executionId} in ${region}, started earlier by run ${record.runId}`,
        );
      }
      const executionId = regionRun.executionId;
      entry.executionId = executionId;
      const status = await follow(reader, executionId, options, log);
      entry.executionStatus = status;
      const done = statusMeaning(status).state !== undefined;
      if (!done) {
        report.interrupted = true;
        report.stopCommand = stopCommand(executionId, home);
      }
      const attempts = await listAttempts(
        aws,
        fleet,
        reader,
        executionId,
        region,
        targets,
        report.notes,
      );
      const regionReports = targetReports(
        fleet,
        targets,
        attempts,
        done ? status : undefined,
        !done,
      );
      put(regionReports);
      entry.failed = regionReports.filter((t) => t.state === "FAILED").length;
      if (done) {
        regionRun.finalStatus = status;
        await store.save(record);
        if (entry.failed > tolerance) {
          report.stoppedBy =
            `region ${region} went over its failure tolerance (${entry.failed} of ` +
            `${targets.length} failed, tolerance ${tolerance})`;
          log(`${report.stoppedBy}; later regions are not started`);
        }
      }
    }
    report.targets = all.map(({ member, region }) => reports.get(`${member.account}/${region}`)!);
    report.summary = summarize(report.targets);
    if (!report.interrupted && recorded) {
      const finished: RunRecord = {
        ...record,
        finishedAt: new Date().toISOString(),
        finalStatus: report.stoppedBy === undefined ? "Done" : "StoppedByTolerance",
      };
      await store.save(finished);
    }
    return report;
  } catch (err) {
    throw new PatchRunError(
      record.runId,
      clientToken,
      err,
      recorded ? store.fileOf(record.runId) : undefined,
      record.fleetDigest !== undefined && record.fleetDigest !== digest,
    );
  } finally {
    aws.destroy();
  }
}
