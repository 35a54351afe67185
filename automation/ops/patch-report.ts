/**
 * The per-target report of a patch run: every member account-region once, from the step
 * executions SSM reported and the parent execution's status.
 */
import type { StepExecution } from "@aws-sdk/client-ssm";
import type { TargetState } from "../../domain";
import type { Fleet } from "../fleet-types";
import { statusMeaning } from "./automation-values";
import type { PatchTarget } from "./preflight";

export type PatchTargetState = TargetState | "IN_PROGRESS";

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

/**
 * The runbook's aws:runCommand step writes under
 * `accountid={{ global:ACCOUNT_ID }}/region={{ global:REGION }}/automation/` (components/runbook.ts,
 * OutputS3KeyPrefix); the report points at that prefix, not at its parent.
 */
export function logLocation(fleet: Fleet, account: string, region: string): string {
  return `s3://${fleet.logBucketName}/accountid=${account}/region=${region}/automation/`;
}

export function emptySummary(): Record<PatchTargetState, number> {
  return { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, SKIPPED: 0, IN_PROGRESS: 0 };
}

/**
 * One report line per member account-region, from the step executions SSM reported. `parentStatus`
 * is the parent execution's final status, or undefined when patchfleet stopped waiting.
 */
export function targetReports(
  fleet: Fleet,
  targets: readonly PatchTarget[],
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
  return targets.map(({ member, region }) => {
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

export function summarize(targets: readonly PatchTargetReport[]): Record<PatchTargetState, number> {
  const summary = emptySummary();
  for (const t of targets) summary[t.state] += 1;
  return summary;
}
