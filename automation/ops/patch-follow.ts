/**
 * Following a patch run's automation in one region: polling it to its end, and reading what SSM
 * documents about each of its targets.
 */
import {
  AutomationExecutionMetadata,
  GetAutomationExecutionCommand,
  SSMClient,
  StepExecution,
  paginateDescribeAutomationExecutions,
  paginateDescribeAutomationStepExecutions,
} from "@aws-sdk/client-ssm";
import type { Fleet } from "../fleet/types";
import { AwsSessions, RoleRef } from "./aws";
import { statusMeaning } from "./automation-values";
import { TargetAttempt, childAttempts, stepAttempts } from "./patch-report";
import { PatchTarget, centralRef } from "./preflight";
import { errorText, sleep } from "./util";

export interface PollOptions {
  /** First wait between status checks. @default 5000 */
  initialMs?: number;
  /** Longest wait between status checks. @default 60000 */
  maxMs?: number;
  /** Growth of the wait after each check that found the execution still running. @default 1.5 */
  factor?: number;
}

/** What following needs from the patch options. */
export interface FollowOptions {
  poll?: PollOptions;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls one execution until it ends or the signal aborts, waiting `initialMs` first and growing
 * the wait by `factor` up to `maxMs`. Returns the last status seen.
 */
export async function follow(
  reader: SSMClient,
  executionId: string,
  options: FollowOptions,
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
export async function listAttempts(
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
