/**
 * `patch`: preflight, then one multi-account, multi-region automation of the fleet's runbook,
 * followed to the end and reported per account-region.
 */
import {
  AutomationExecutionMetadata,
  DescribeAutomationExecutionsCommand,
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StepExecution,
} from "@aws-sdk/client-ssm";
import { randomUUID } from "crypto";
import * as path from "path";
import type { PatchOperation, RebootOption } from "../../domain";
import { partitionOf } from "../../domain";
import type { Fleet } from "../fleet-types";
import { resolveFailureTolerance } from "../rollout";
import { AwsOptions, AwsSessions } from "./aws";
import {
  maxConcurrencyValue,
  maxErrorsValue,
  statusMeaning,
  targetLocationChunks,
} from "./automation-values";
import {
  PatchTargetReport,
  PatchTargetState,
  TargetAttempt,
  childAttempts,
  emptySummary,
  logLocation,
  stepAttempts,
  summarize,
  targetReports,
} from "./patch-report";
import {
  PatchTarget,
  PreflightProblem,
  centralRef,
  homeRegion,
  patchTargets,
  preflight,
} from "./preflight";
import { RunRecord, RunStore } from "./run-store";
import { errorText, sleep } from "./util";

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
}

export interface PollOptions {
  /** First wait between status checks. @default 5000 */
  initialMs?: number;
  /** Longest wait between status checks. @default 60000 */
  maxMs?: number;
  /** Growth of the wait after each check that found the execution still running. @default 1.5 */
  factor?: number;
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
}

/**
 * The runbook's parameters (components/runbook.ts). In a multi-account execution each child runs in
 * its own account, so the execution role ARN names that account through the `global:ACCOUNT_ID`
 * variable SSM resolves per target.
 */
export function runbookParameters(
  fleet: Fleet,
  operation: PatchOperation,
  reboot: RebootOption,
  snapshotId: string,
): Record<string, string[]> {
  const partition = partitionOf(homeRegion(fleet));
  return {
    AutomationAssumeRole: [
      `arn:${partition}:iam::{{global:ACCOUNT_ID}}:role/${fleet.executionRoleName}`,
    ],
    Operation: [operation],
    RebootOption: [reboot],
    SnapshotId: [snapshotId],
  };
}

export function defaultStateDir(fleet: Fleet): string {
  return path.join(path.dirname(path.resolve(fleet.file)), ".patchfleet", "runs");
}

export function stopCommand(executionId: string, region: string): string {
  return `aws ssm stop-automation-execution --automation-execution-id ${executionId} --region ${region}`;
}

/**
 * The automation could not be started or followed. The run stays open in the state directory, so
 * running `patch` again reuses its ClientToken and SSM starts at most one execution.
 */
export class PatchRunError extends Error {
  constructor(
    readonly runId: string,
    readonly clientToken: string,
    readonly cause: unknown,
    /** The run's record in the state directory. */
    readonly recordFile: string,
  ) {
    const what = errorText(cause).replace(/\.$/, "");
    super(
      (cause as { name?: string })?.name === "LegacyRunError"
        ? `run ${runId} stopped: ${(cause as Error).message}.`
        : (cause as { name?: string })?.name === "IdempotentParameterMismatch"
          ? // SSM refuses a ClientToken reused with other parameters: the fleet file changed since
            // the first attempt. Retrying would fail the same way, so say what to do instead.
            `run ${runId} stopped: ${what}. The fleet changed since this run first tried to start. ` +
            `Restore the fleet file and run again, or check in the SSM console that no execution ` +
            `started for this run, then delete ${recordFile} to start a new run.`
          : `run ${runId} stopped: ${what}. Run the same patch command again: it continues ` +
            `run ${runId} with ClientToken ${clientToken}, so SSM starts at most one execution.`,
    );
    this.name = "PatchRunError";
  }
}

async function listSteps(ssm: SSMClient, executionId: string): Promise<StepExecution[]> {
  const steps: StepExecution[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await ssm.send(
      new DescribeAutomationStepExecutionsCommand({
        AutomationExecutionId: executionId,
        MaxResults: 50,
        NextToken: token,
      }),
    );
    steps.push(...(out.StepExecutions ?? []));
    token = out.NextToken;
    pages += 1;
  } while (token && pages < 10_000);
  return steps;
}

async function listChildren(
  ssm: SSMClient,
  parentId: string,
): Promise<AutomationExecutionMetadata[]> {
  const children: AutomationExecutionMetadata[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await ssm.send(
      new DescribeAutomationExecutionsCommand({
        Filters: [{ Key: "ParentExecutionId", Values: [parentId] }],
        MaxResults: 50,
        NextToken: token,
      }),
    );
    children.push(...(out.AutomationExecutionMetadataList ?? []));
    token = out.NextToken;
    pages += 1;
  } while (token && pages < 10_000);
  return children;
}

/**
 * What SSM reports per account-region of one region's execution: its child executions, and for
 * targets without a child, step executions that name exactly one account and region.
 */
async function listAttempts(
  ssm: SSMClient,
  executionId: string,
  region: string,
  targets: readonly PatchTarget[],
): Promise<TargetAttempt[]> {
  const children = childAttempts(await listChildren(ssm, executionId), region);
  const covered = new Set(children.map((c) => `${c.account}/${c.region}`));
  if (targets.every((t) => covered.has(`${t.member.account}/${t.region}`))) return children;
  const steps = stepAttempts(await listSteps(ssm, executionId)).filter(
    (s) => !covered.has(`${s.account}/${s.region}`),
  );
  return [...children, ...steps];
}

/**
 * Polls one execution until it ends or the signal aborts, waiting `initialMs` first and growing
 * the wait by `factor` up to `maxMs`. Returns the last status seen.
 */
async function follow(
  reader: SSMClient,
  executionId: string,
  options: PatchOptions,
  log: (line: string) => void,
): Promise<string | undefined> {
  const pause = options.sleep ?? sleep;
  let wait = options.poll?.initialMs ?? 5000;
  for (;;) {
    const got = await reader.send(
      new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }),
    );
    const status = got.AutomationExecution?.AutomationExecutionStatus;
    if (statusMeaning(status).state !== undefined) return status;
    if (options.signal?.aborted) return status;
    log(`execution ${executionId}: ${status ?? "no status yet"}; next check in ${wait} ms`);
    await pause(wait, options.signal);
    if (options.signal?.aborted) return status;
    wait = Math.min(options.poll?.maxMs ?? 60_000, Math.ceil(wait * (options.poll?.factor ?? 1.5)));
  }
}

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
  const key = [path.resolve(fleet.file), fleet.runbookName, operation, reboot].join("|");
  const { record, resumed } = await store.openOrCreate(key, operation, reboot, new Date());
  const aws = new AwsSessions({ ...options.aws, runId: record.runId });
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
  };
  let clientToken = record.clientToken;
  try {
    if (resumed) log(`resuming run ${record.runId} (same ClientTokens)`);
    const checked = await preflight(fleet, aws);
    report.preflight = checked.problems;
    report.notes.push(...checked.notes);
    const all = patchTargets(fleet);
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
      if (saved === undefined) {
        // The token is on disk before the first attempt, so a crash mid-call is retried with it.
        record.regions[region] = { clientToken: entry.clientToken };
        await store.save(record);
      }
      const regionRun = record.regions[region];
      clientToken = regionRun.clientToken;
      if (regionRun.executionId === undefined) {
        const locations = targetLocationChunks(
          targets.map((t) => ({ ...t.member, regions: [region] })),
        ).map((c) => ({
          Accounts: c.accounts,
          Regions: c.regions,
          TargetLocationMaxConcurrency: maxConcurrencyValue(fleet.rollout.maxConcurrent),
          TargetLocationMaxErrors: maxErrorsValue(fleet.rollout.failureTolerance),
          ExecutionRoleName: fleet.executionRoleName,
        }));
        log(
          `starting ${fleet.runbookName} (${operation}) in ${region}: ${targets.length} account(s)`,
        );
        const out = await writer.send(
          new StartAutomationExecutionCommand({
            DocumentName: fleet.runbookName,
            Parameters: runbookParameters(fleet, operation, reboot, record.snapshotId),
            TargetLocations: locations,
            ClientToken: regionRun.clientToken,
            Tags: [
              { Key: "patchfleet:run", Value: record.runId },
              { Key: "patchfleet:region", Value: region },
            ],
          }),
        );
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
      const attempts = await listAttempts(reader, executionId, region, targets);
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
    if (!report.interrupted) {
      const finished: RunRecord = {
        ...record,
        finishedAt: new Date().toISOString(),
        finalStatus: report.stoppedBy === undefined ? "Done" : "StoppedByTolerance",
      };
      await store.save(finished);
    }
    return report;
  } catch (err) {
    throw new PatchRunError(record.runId, clientToken, err, store.fileOf(record.runId));
  } finally {
    aws.destroy();
  }
}
