/**
 * `patch`: preflight, then one multi-account, multi-region automation of the fleet's runbook,
 * followed to the end and reported per account-region.
 */
import {
  DescribeAutomationStepExecutionsCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StepExecution,
} from "@aws-sdk/client-ssm";
import * as path from "path";
import type { PatchOperation, RebootOption } from "../../domain";
import { partitionOf } from "../../domain";
import type { Fleet } from "../fleet-types";
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
  emptySummary,
  logLocation,
  summarize,
  targetReports,
} from "./patch-report";
import { PreflightProblem, centralRef, homeRegion, memberTargets, preflight } from "./preflight";
import { RunRecord, RunStore } from "./run-store";
import { errorText, sleep } from "./util";

export type { PatchTargetReport, PatchTargetState } from "./patch-report";
export { logLocation, targetReports } from "./patch-report";
export type { PreflightProblem } from "./preflight";

export interface PatchReport {
  kind: "patch";
  runId: string;
  operation: PatchOperation;
  reboot: RebootOption;
  runbookName: string;
  clientToken: string;
  snapshotId: string;
  /** True when this invocation continued a run started earlier (same ClientToken). */
  resumed: boolean;
  executionId?: string;
  executionStatus?: string;
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
      (cause as { name?: string })?.name === "IdempotentParameterMismatch"
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

export async function runPatch(options: PatchOptions): Promise<PatchReport> {
  const { fleet, operation, reboot } = options;
  const log = options.log ?? (() => undefined);
  const store = new RunStore(options.stateDir ?? defaultStateDir(fleet));
  const key = [path.resolve(fleet.file), fleet.runbookName, operation, reboot].join("|");
  const { record, resumed } = await store.openOrCreate(key, operation, reboot, new Date());
  const aws = new AwsSessions({ ...options.aws, runId: record.runId });
  const region = homeRegion(fleet);
  const report: PatchReport = {
    kind: "patch",
    runId: record.runId,
    operation,
    reboot,
    runbookName: fleet.runbookName,
    clientToken: record.clientToken,
    snapshotId: record.snapshotId,
    resumed,
    interrupted: false,
    preflight: [],
    notes: [],
    summary: emptySummary(),
    targets: [],
  };
  try {
    if (resumed) log(`resuming run ${record.runId} (same ClientToken ${record.clientToken})`);
    const checked = await preflight(fleet, aws);
    report.preflight = checked.problems;
    report.notes.push(...checked.notes);
    if (report.preflight.length > 0) {
      report.targets = memberTargets(fleet).map(({ member, region: r }) => ({
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
    const writer = await aws.ssm(centralRef(fleet), region, "write");
    if (record.executionId === undefined) {
      const locations = targetLocationChunks(fleet.members).map((c) => ({
        Accounts: c.accounts,
        Regions: c.regions,
        TargetLocationMaxConcurrency: maxConcurrencyValue(fleet.rollout.maxConcurrent),
        TargetLocationMaxErrors: maxErrorsValue(fleet.rollout.failureTolerance),
        ExecutionRoleName: fleet.executionRoleName,
      }));
      log(`starting ${fleet.runbookName} (${operation}) in ${locations.length} target location(s)`);
      const out = await writer.send(
        new StartAutomationExecutionCommand({
          DocumentName: fleet.runbookName,
          Parameters: runbookParameters(fleet, operation, reboot, record.snapshotId),
          TargetLocations: locations,
          ClientToken: record.clientToken,
          Tags: [{ Key: "patchfleet:run", Value: record.runId }],
        }),
      );
      if (!out.AutomationExecutionId) throw new Error("StartAutomationExecution returned no id");
      record.executionId = out.AutomationExecutionId;
      await store.save(record);
    } else {
      log(`following execution ${record.executionId} started earlier by run ${record.runId}`);
    }
    const executionId = record.executionId;
    report.executionId = executionId;
    const reader = await aws.ssm(centralRef(fleet), region, "read");
    let wait = options.poll?.initialMs ?? 5000;
    let status: string | undefined;
    for (;;) {
      const got = await reader.send(
        new GetAutomationExecutionCommand({ AutomationExecutionId: executionId }),
      );
      status = got.AutomationExecution?.AutomationExecutionStatus;
      if (statusMeaning(status).state !== undefined) break;
      if (options.signal?.aborted) break;
      log(`execution ${executionId}: ${status ?? "no status yet"}; next check in ${wait} ms`);
      await sleep(wait, options.signal);
      if (options.signal?.aborted) break;
      wait = Math.min(
        options.poll?.maxMs ?? 60_000,
        Math.ceil(wait * (options.poll?.factor ?? 1.5)),
      );
    }
    report.executionStatus = status;
    const done = statusMeaning(status).state !== undefined;
    report.interrupted = !done;
    if (!done) report.stopCommand = stopCommand(executionId, region);
    const steps = await listSteps(reader, executionId);
    report.targets = targetReports(fleet, steps, done ? status : undefined, !done);
    report.summary = summarize(report.targets);
    if (done) {
      const finished: RunRecord = {
        ...record,
        finishedAt: new Date().toISOString(),
        finalStatus: status,
      };
      await store.save(finished);
    }
    return report;
  } catch (err) {
    throw new PatchRunError(record.runId, record.clientToken, err, store.fileOf(record.runId));
  } finally {
    aws.destroy();
  }
}
