/**
 * `patch`: preflight, then one multi-account, multi-region automation of the fleet's runbook,
 * followed to the end and reported per account-region.
 */
import {
  DescribeAutomationStepExecutionsCommand,
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetAutomationExecutionCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StepExecution,
} from "@aws-sdk/client-ssm";
import * as path from "path";
import type { PatchOperation, RebootOption, TargetState } from "../../domain";
import { partitionOf } from "../../domain";
import type { Fleet, FleetAccount } from "../fleet-types";
import { AwsOptions, AwsSessions, RoleRef } from "./aws";
import {
  TARGET_LOCATIONS_PER_EXECUTION,
  maxConcurrencyValue,
  maxErrorsValue,
  statusMeaning,
  targetLocationChunks,
} from "./automation-values";
import { RunRecord, RunStore } from "./run-store";
import { getGroup } from "./resource-groups";
import { errorText, mapBounded, sleep } from "./util";

export type PatchTargetState = TargetState | "IN_PROGRESS";

export interface PreflightProblem {
  /** "central" or the member account id (with region when it applies). */
  target: string;
  message: string;
  fix: string;
}

export interface PatchTargetReport {
  account: string;
  name: string;
  region: string;
  state: PatchTargetState;
  /** The automation status SSM reported for this target, when it reported one. */
  status?: string;
  reason: string;
  /** Step executions SSM reported for this target, by outcome. */
  counts: { steps: number; succeeded: number; failed: number; running: number };
  /** Where the patch logs of this target are written. */
  logLocation: string;
}

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

export function logLocation(fleet: Fleet, account: string, region: string): string {
  return `s3://${fleet.logBucketName}/accountid=${account}/region=${region}/`;
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

const EXECUTION_ROLE_NAME = /^[\w+=,.@/-]{1,64}$/;

function centralRef(fleet: Fleet): RoleRef {
  return {
    account: fleet.central.account,
    roleArn: fleet.central.operationsRole,
    externalId: fleet.central.externalId,
  };
}

function homeRegion(fleet: Fleet): string {
  return fleet.central.regions[0];
}

async function centralPreflight(fleet: Fleet, aws: AwsSessions): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  try {
    maxConcurrencyValue(fleet.rollout.maxConcurrent);
  } catch (err) {
    problems.push({ target: "fleet", message: errorText(err), fix: "edit rollout.maxConcurrent" });
  }
  try {
    maxErrorsValue(fleet.rollout.failureTolerance);
  } catch (err) {
    problems.push({
      target: "fleet",
      message: errorText(err),
      fix: "edit rollout.failureTolerance",
    });
  }
  if (!EXECUTION_ROLE_NAME.test(fleet.executionRoleName)) {
    problems.push({
      target: "fleet",
      message: `executionRoleName ${JSON.stringify(fleet.executionRoleName)} is not a valid IAM role name`,
      fix: "use 1-64 characters of letters, digits and +=,.@/-_",
    });
  }
  if (fleet.members.length === 0) {
    problems.push({
      target: "fleet",
      message: "the fleet has no member accounts to patch",
      fix: "add accounts under members in the fleet file",
    });
  }
  const chunks = targetLocationChunks(fleet.members);
  if (chunks.length > TARGET_LOCATIONS_PER_EXECUTION) {
    problems.push({
      target: "fleet",
      message: `the fleet needs ${chunks.length} target locations; one automation takes at most ${TARGET_LOCATIONS_PER_EXECUTION}`,
      fix: "give members the same region lists, or split the fleet file",
    });
  }

  const region = homeRegion(fleet);
  const where = `central ${fleet.central.account}/${region}`;
  let ssm: SSMClient;
  try {
    ssm = await aws.ssm(centralRef(fleet), region, "read");
  } catch (err) {
    problems.push({
      target: where,
      message: errorText(err),
      fix: "fix central.operationsRole (or run with credentials of the central account)",
    });
    return problems;
  }
  const name = fleet.runbookName;
  try {
    const doc = await ssm.send(new DescribeDocumentCommand({ Name: name }));
    const type = doc.Document?.DocumentType;
    if (type !== undefined && type !== "Automation") {
      problems.push({
        target: where,
        message: `document ${name} is a ${type} document, not an Automation runbook`,
        fix: "point runbookName at the runbook the central stack deploys",
      });
    }
  } catch (err) {
    problems.push({
      target: where,
      message: `runbook ${name} not found in the central account: ${errorText(err)}`,
      fix: "deploy the central stack first (`patchfleet up`), or correct runbookName",
    });
    return problems;
  }
  const shared = new Set<string>();
  try {
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ssm.send(
        new DescribeDocumentPermissionCommand({
          Name: name,
          PermissionType: "Share",
          MaxResults: 200,
          NextToken: token,
        }),
      );
      for (const id of out.AccountIds ?? []) shared.add(id);
      token = out.NextToken;
      pages += 1;
    } while (token && pages < 1000);
  } catch (err) {
    problems.push({
      target: where,
      message: `cannot read who runbook ${name} is shared with: ${errorText(err)}`,
      fix: "allow ssm:DescribeDocumentPermission to the central operations role",
    });
    return problems;
  }
  if (!shared.has("all")) {
    for (const m of fleet.members) {
      if (m.account === fleet.central.account || shared.has(m.account)) continue;
      problems.push({
        target: m.account,
        message: `runbook ${name} is not shared with member account ${m.account} (${m.name})`,
        fix:
          `share it from the central stack (patchfleet up), or run: aws ssm modify-document-permission ` +
          `--name ${name} --permission-type Share --account-ids-to-add ${m.account} --region ${region}`,
      });
    }
  }
  return problems;
}

/**
 * The resource group the runbook targets must exist in every member account-region. Checked with
 * each member's read role; members without one are listed in a note instead.
 */
async function resourceGroupPreflight(
  fleet: Fleet,
  aws: AwsSessions,
): Promise<{ problems: PreflightProblem[]; notes: string[] }> {
  const group = fleet.resourceGroupName;
  const unchecked = fleet.members.filter((m) => m.readRole === undefined).map((m) => m.account);
  const notes =
    unchecked.length === 0
      ? []
      : [
          `resource group ${group}: not checked in ${unchecked.join(", ")} (no readRole); an ` +
            "account-region without it fails its own target",
        ];
  const work = memberTargets(fleet).filter(({ member }) => member.readRole !== undefined);
  const results = await mapBounded(work, 8, async ({ member, region }) => {
    const target = `${member.account}/${region}`;
    let credentials;
    try {
      credentials = await aws.credentials(
        { account: member.account, roleArn: member.readRole, externalId: member.externalId },
        region,
      );
    } catch (err) {
      return {
        target,
        message: `cannot check resource group ${group}: ${errorText(err)}`,
        fix: `fix members[].readRole of ${member.account} (${member.name})`,
      };
    }
    if (!credentials) return undefined;
    const check = await getGroup(group, region, credentials, {
      endpoint: aws.options.endpoint,
      timeoutMs: aws.options.requestTimeoutMs,
    });
    if (check.found) return undefined;
    if (check.reason === "not-found") {
      return {
        target,
        message: `resource group ${group} does not exist in ${target}`,
        fix: `deploy the member stack of ${member.name} (\`patchfleet up\`), or correct resourceGroup.name`,
      };
    }
    if (check.reason === "denied") {
      return {
        target,
        message: `cannot check resource group ${group}: ${check.message}`,
        fix: `allow resource-groups:GetGroup to ${member.readRole}`,
      };
    }
    return {
      target,
      message: `cannot check resource group ${group}: ${check.message}`,
      fix: "retry; if it persists, check the Resource Groups endpoint of that region",
    };
  });
  return { problems: results.filter((p): p is PreflightProblem => p !== undefined), notes };
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

function emptySummary(): Record<PatchTargetState, number> {
  return { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, SKIPPED: 0, IN_PROGRESS: 0 };
}

function memberTargets(fleet: Fleet): { member: FleetAccount; region: string }[] {
  const out: { member: FleetAccount; region: string }[] = [];
  const seen = new Set<string>();
  for (const member of fleet.members) {
    for (const region of member.regions) {
      const key = `${member.account}/${region}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ member, region });
    }
  }
  return out;
}

/**
 * One report line per member account-region, from the step executions SSM reported. `parent` is the
 * parent execution's status, or undefined when patchfleet stopped waiting.
 */
export function targetReports(
  fleet: Fleet,
  steps: readonly StepExecution[],
  parentStatus: string | undefined,
  interrupted: boolean,
): PatchTargetReport[] {
  const byTarget = new Map<string, StepExecution[]>();
  for (const step of steps) {
    const loc = step.TargetLocation;
    if (loc?.Accounts?.length !== 1 || loc.Regions?.length !== 1) continue;
    const key = `${loc.Accounts[0]}/${loc.Regions[0]}`;
    const list = byTarget.get(key) ?? [];
    list.push(step);
    byTarget.set(key, list);
  }
  const parent = statusMeaning(parentStatus);
  return memberTargets(fleet).map(({ member, region }) => {
    const list = byTarget.get(`${member.account}/${region}`) ?? [];
    const counts = { steps: list.length, succeeded: 0, failed: 0, running: 0 };
    for (const s of list) {
      const state = statusMeaning(s.StepStatus).state;
      if (state === "SUCCEEDED") counts.succeeded += 1;
      else if (state === "FAILED") counts.failed += 1;
      else if (state === undefined) counts.running += 1;
    }
    const base = {
      account: member.account,
      name: member.name,
      region,
      counts,
      logLocation: logLocation(fleet, member.account, region),
    };
    // The latest attempt decides; steps of one target are retries or phases of the same run.
    const last = [...list].sort(
      (a, b) => (a.ExecutionStartTime?.getTime() ?? 0) - (b.ExecutionStartTime?.getTime() ?? 0),
    )[list.length - 1];
    if (!last) {
      if (interrupted || parent.state === undefined) {
        return { ...base, state: "IN_PROGRESS" as const, reason: "not started yet" };
      }
      if (parent.state === "SUCCEEDED") {
        return {
          ...base,
          state: "FAILED" as const,
          reason: "the execution ended but SSM reported nothing for this target",
        };
      }
      return {
        ...base,
        state: "CANCELLED" as const,
        reason: `not started: the execution ended first (${parent.reason})`,
      };
    }
    const meaning = statusMeaning(last.StepStatus);
    const detail = last.FailureMessage ? `: ${last.FailureMessage}` : "";
    if (meaning.state === undefined) {
      if (interrupted || parent.state === undefined) {
        return {
          ...base,
          state: "IN_PROGRESS" as const,
          status: last.StepStatus,
          reason: meaning.reason,
        };
      }
      return {
        ...base,
        state: "FAILED" as const,
        status: last.StepStatus,
        reason: `still ${last.StepStatus} when the execution ended (${parent.reason})`,
      };
    }
    return {
      ...base,
      state: meaning.state,
      status: last.StepStatus,
      reason: meaning.reason + detail,
    };
  });
}

function summarize(targets: readonly PatchTargetReport[]): Record<PatchTargetState, number> {
  const summary = emptySummary();
  for (const t of targets) summary[t.state] += 1;
  return summary;
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
    const groups = await resourceGroupPreflight(fleet, aws);
    report.preflight = [...(await centralPreflight(fleet, aws)), ...groups.problems];
    report.notes.push(...groups.notes);
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
