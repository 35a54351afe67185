/**
 * `patch`: preflight, then one multi-account, multi-region automation of the fleet's runbook,
 * followed to the end and reported per account-region.
 */
import {
  AutomationExecutionMetadata,
  GetAutomationExecutionCommand,
  ListTagsForResourceCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StepExecution,
  paginateDescribeAutomationExecutions,
  paginateDescribeAutomationStepExecutions,
} from "@aws-sdk/client-ssm";
import { createHash, randomUUID } from "crypto";
import * as path from "path";
import type { PatchOperation, RebootOption } from "../../domain";
import { partitionOf } from "../../domain";
import type { Fleet } from "../fleet/types";
import { resolveFailureTolerance } from "../rollout/scheduler";
import { AwsFailureKind, AwsOptions, AwsSessions, RoleRef, awsFailureKind } from "./aws";
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
 * The runbook's parameters (components/runbook.ts). A multi-account start passes the central
 * account's administration role as AutomationAssumeRole: "--parameters
 * AutomationAssumeRole=arn:aws:iam::management account ID:role/AWS-SystemsManager-AutomationAdministrationRole"
 * (Systems Manager user guide, Running automations in multiple AWS Regions and accounts), and the
 * caller needs iam:PassRole on it. SSM runs each target with TargetLocation.ExecutionRoleName.
 */
export function runbookParameters(
  fleet: Fleet,
  operation: PatchOperation,
  reboot: RebootOption,
  snapshotId: string,
): Record<string, string[]> {
  return {
    AutomationAssumeRole: [administrationRoleArn(fleet)],
    Operation: [operation],
    RebootOption: [reboot],
    SnapshotId: [snapshotId],
  };
}

/** The administration role in the central account, which the start passes to SSM. */
export function administrationRoleArn(fleet: Fleet): string {
  const partition = partitionOf(homeRegion(fleet));
  return `arn:${partition}:iam::${fleet.central.account}:role/${fleet.administrationRoleName}`;
}

/**
 * What the start of a run depends on in the fleet file: a change to it between two attempts of
 * one run is what makes SSM refuse a reused ClientToken with IdempotentParameterMismatch.
 */
export function fleetDigest(fleet: Fleet): string {
  const relevant = {
    runbookName: fleet.runbookName,
    central: [fleet.central.account, fleet.central.regions],
    members: fleet.members.map((m) => [m.account, m.regions]),
    roles: [fleet.administrationRoleName, fleet.executionRoleName],
    rollout: fleet.rollout,
  };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
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
export class PatchRunError extends Error {
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
    this.name = "PatchRunError";
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

async function listSteps(ssm: SSMClient, executionId: string): Promise<StepExecution[]> {
  const steps: StepExecution[] = [];
  for await (const page of paginateDescribeAutomationStepExecutions(
    { client: ssm, pageSize: 50 },
    { AutomationExecutionId: executionId },
  )) {
    steps.push(...(page.StepExecutions ?? []));
  }
  return steps;
}

/**
 * The child executions of `parentId` that SSM started in one target account and region. They live
 * in that account and region ("To view the output of the child automations created in your target
 * accounts, be sure to specify the appropriate account, Region, and AutomationExecutionId", user
 * guide), so they are read with a client of that account-region.
 */
async function listChildren(
  ssm: SSMClient,
  parentId: string,
): Promise<AutomationExecutionMetadata[]> {
  const children: AutomationExecutionMetadata[] = [];
  for await (const page of paginateDescribeAutomationExecutions(
    { client: ssm, pageSize: 50 },
    { Filters: [{ Key: "ParentExecutionId", Values: [parentId] }] },
  )) {
    children.push(...(page.AutomationExecutionMetadataList ?? []));
  }
  return children;
}

/**
 * What SSM documents about each target of one region's execution: the parent's step executions
 * ("The automation in the primary account contains aws:executeAutomation steps for each of the
 * target accounts", user guide) whose TargetLocation names exactly one account and region; for a
 * target no such step names, its child executions, read in its own account and region with the
 * role patchfleet reads that account with. A target neither gives is left without attempts, and
 * reported as unknown.
 */
async function listAttempts(
  aws: AwsSessions,
  fleet: Fleet,
  reader: SSMClient,
  executionId: string,
  region: string,
  targets: readonly PatchTarget[],
  notes: string[],
): Promise<TargetAttempt[]> {
  const steps = stepAttempts(await listSteps(reader, executionId));
  const covered = new Set(steps.map((s) => `${s.account}/${s.region}`));
  const out = [...steps];
  for (const { member } of targets) {
    if (covered.has(`${member.account}/${region}`)) continue;
    const isCentral = member.account === fleet.central.account;
    const ref: RoleRef | undefined =
      member.readRole !== undefined
        ? { account: member.account, roleArn: member.readRole, externalId: member.externalId }
        : isCentral
          ? centralRef(fleet)
          : undefined;
    if (ref === undefined) continue;
    try {
      const children = await listChildren(await aws.ssm(ref, region, "read"), executionId);
      out.push(...childAttempts(children, member.account, region));
    } catch (err) {
      notes.push(
        `${member.account}/${region}: could not read its child executions: ${errorText(err)}`,
      );
    }
  }
  return out;
}

/**
 * The execution this run already started in `region`, found by the tags it was started with.
 * DescribeAutomationExecutions filters by TagKey (AutomationExecutionFilterKey) but its output
 * (AutomationExecutionMetadata) carries no tags, so each candidate's tags are read with
 * ListTagsForResource (ResourceType Automation).
 */
async function findStarted(
  reader: SSMClient,
  fleet: Fleet,
  runId: string,
  region: string,
  since: Date,
): Promise<string | undefined> {
  const after = new Date(since.getTime() - 5 * 60_000).toISOString();
  for await (const page of paginateDescribeAutomationExecutions(
    { client: reader, pageSize: 50 },
    {
      Filters: [
        { Key: "TagKey", Values: [RUN_TAG] },
        { Key: "DocumentNamePrefix", Values: [fleet.runbookName] },
        { Key: "StartTimeAfter", Values: [after] },
      ],
    },
  )) {
    for (const e of page.AutomationExecutionMetadataList ?? []) {
      if (!e.AutomationExecutionId || e.ParentAutomationExecutionId) continue;
      if (e.DocumentName !== fleet.runbookName) continue;
      const tags = await reader.send(
        new ListTagsForResourceCommand({
          ResourceType: "Automation",
          ResourceId: e.AutomationExecutionId,
        }),
      );
      const has = (k: string, v: string) => tags.TagList?.some((t) => t.Key === k && t.Value === v);
      if (has(RUN_TAG, runId) && has(REGION_TAG, region)) return e.AutomationExecutionId;
    }
  }
  return undefined;
}

const RUN_TAG = "patchfleet:run";
const REGION_TAG = "patchfleet:region";

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
  };
  let clientToken = record.clientToken;
  try {
    if (resumed) log(`resuming run ${record.runId}: looking for executions it already started`);
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
        let out;
        try {
          out = await writer.send(
            new StartAutomationExecutionCommand({
              DocumentName: fleet.runbookName,
              Parameters: runbookParameters(fleet, operation, reboot, record.snapshotId),
              TargetLocations: locations,
              ClientToken: regionRun.clientToken,
              Tags: [
                { Key: RUN_TAG, Value: record.runId },
                { Key: REGION_TAG, Value: region },
              ],
            }),
          );
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
