/**
 * Starting a patch run's automation in one region: the runbook's parameters, the target
 * locations, the tags a run is found by again, and the lookup that finds an execution an earlier
 * attempt of the run started but did not record.
 */
import {
  ListTagsForResourceCommand,
  SSMClient,
  StartAutomationExecutionCommand,
  StartAutomationExecutionCommandOutput,
  paginateDescribeAutomationExecutions,
} from "@aws-sdk/client-ssm";
import { createHash } from "crypto";
import type { PatchOperation, RebootOption } from "../../domain";
import { partitionOf } from "../../domain";
import type { Fleet } from "../fleet/types";
import { maxConcurrencyValue, maxErrorsValue, targetLocationChunks } from "./automation-values";
import { PatchTarget, homeRegion } from "./preflight";

export const RUN_TAG = "patchfleet:run";
export const REGION_TAG = "patchfleet:region";

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

/** What one region's start sends besides the fleet's own settings. */
export interface StartRequest {
  operation: PatchOperation;
  reboot: RebootOption;
  snapshotId: string;
  runId: string;
  /** Kept per run and region before the call, so a retry reuses it (R7). */
  clientToken: string;
  /** s3:// URL of the install override list (ring promotion), passed as InstallOverrideList. */
  installOverrideList?: string;
}

/**
 * StartAutomationExecution of the fleet's runbook in `region` for `targets`, tagged with the run
 * and the region so that `findStarted` can find it again.
 */
export function startExecution(
  writer: SSMClient,
  fleet: Fleet,
  targets: readonly PatchTarget[],
  region: string,
  request: StartRequest,
): Promise<StartAutomationExecutionCommandOutput> {
  const locations = targetLocationChunks(
    targets.map((t) => ({ ...t.member, regions: [region] })),
  ).map((c) => ({
    Accounts: c.accounts,
    Regions: c.regions,
    TargetLocationMaxConcurrency: maxConcurrencyValue(fleet.rollout.maxConcurrent),
    TargetLocationMaxErrors: maxErrorsValue(fleet.rollout.failureTolerance),
    ExecutionRoleName: fleet.executionRoleName,
  }));
  return writer.send(
    new StartAutomationExecutionCommand({
      DocumentName: fleet.runbookName,
      Parameters: {
        ...runbookParameters(fleet, request.operation, request.reboot, request.snapshotId),
        ...(request.installOverrideList
          ? { InstallOverrideList: [request.installOverrideList] }
          : {}),
      },
      TargetLocations: locations,
      ClientToken: request.clientToken,
      Tags: [
        { Key: RUN_TAG, Value: request.runId },
        { Key: REGION_TAG, Value: region },
      ],
    }),
  );
}

/**
 * The execution this run already started in `region`, found by the tags it was started with.
 * DescribeAutomationExecutions filters by TagKey (AutomationExecutionFilterKey) but its output
 * (AutomationExecutionMetadata) carries no tags, so each candidate's tags are read with
 * ListTagsForResource (ResourceType Automation).
 */
export async function findStarted(
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
