/**
 * The per-target report of a patch run: every target account-region once, from the child (or
 * step) executions SSM reported and the parent execution's status.
 */
import type { AutomationExecutionMetadata, StepExecution } from "@aws-sdk/client-ssm";
import type { TargetState } from "../../domain";
import type { Fleet } from "../fleet/types";
import { statusMeaning } from "./automation-values";
import type { PatchTarget } from "./preflight";

/**
 * UNKNOWN: the execution ended, but nothing SSM documents gives this target's result (no step
 * execution names it alone, and its child executions could not be read in its account).
 */
export type PatchTargetState = TargetState | "IN_PROGRESS" | "UNKNOWN";

export interface PatchTargetReport {
  account: string;
  name: string;
  region: string;
  state: PatchTargetState;
  /** The automation status SSM reported for this target, when it reported one. */
  status?: string;
  reason: string;
  /**
   * Attempts SSM reported for this target, by outcome: its child executions (or, when SSM listed
   * none for it, its step executions).
   */
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
  return { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, SKIPPED: 0, IN_PROGRESS: 0, UNKNOWN: 0 };
}

/** One attempt SSM reported for one account-region: a child execution, or a step execution. */
export interface TargetAttempt {
  account: string;
  region: string;
  status: string | undefined;
  startTime?: Date;
  failureMessage?: string;
}

/**
 * The child executions SSM started in one target account and region (read there), as attempts.
 */
export function childAttempts(
  children: readonly AutomationExecutionMetadata[],
  account: string,
  region: string,
): TargetAttempt[] {
  return children.map((c) => ({
    account,
    region,
    status: c.AutomationExecutionStatus,
    startTime: c.ExecutionStartTime,
    failureMessage: c.FailureMessage,
  }));
}

/** Step executions whose TargetLocation names exactly one account and one region. */
export function stepAttempts(steps: readonly StepExecution[]): TargetAttempt[] {
  const out: TargetAttempt[] = [];
  for (const step of steps) {
    const loc = step.TargetLocation;
    if (loc?.Accounts?.length !== 1 || loc.Regions?.length !== 1) continue;
    out.push({
      account: loc.Accounts[0],
      region: loc.Regions[0],
      status: step.StepStatus,
      startTime: step.ExecutionStartTime,
      failureMessage: step.FailureMessage,
    });
  }
  return out;
}

/**
 * One report line per target account-region, from the attempts SSM reported. `parentStatus` is
 * the execution's final status, or undefined when patchfleet stopped waiting.
 */
export function targetReports(
  fleet: Fleet,
  targets: readonly PatchTarget[],
  attempts: readonly TargetAttempt[],
  parentStatus: string | undefined,
  interrupted: boolean,
): PatchTargetReport[] {
  const byTarget = new Map<string, TargetAttempt[]>();
  for (const attempt of attempts) {
    const key = `${attempt.account}/${attempt.region}`;
    const list = byTarget.get(key) ?? [];
    list.push(attempt);
    byTarget.set(key, list);
  }
  const parent = statusMeaning(parentStatus);
  return targets.map(({ member, region }) => {
    const list = byTarget.get(`${member.account}/${region}`) ?? [];
    const counts = { steps: list.length, succeeded: 0, failed: 0, running: 0 };
    for (const s of list) {
      const state = statusMeaning(s.status).state;
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
    // The newest attempt decides: earlier ones of the same target are retries.
    const last = [...list].sort(
      (a, b) => (a.startTime?.getTime() ?? 0) - (b.startTime?.getTime() ?? 0),
    )[list.length - 1];
    if (!last) {
      if (interrupted || parent.state === undefined) {
        return { ...base, state: "IN_PROGRESS" as const, reason: "not started yet" };
      }
      // AWS documents no call that gives this target's result here: say so, rather than
      // guessing FAILED or CANCELLED from the parent's status.
      return {
        ...base,
        state: "UNKNOWN" as const,
        reason:
          `unknown (not documented): the execution ended (${parent.reason}) but no step ` +
          "execution names this account-region alone, and its child executions could not be " +
          "read in its account (set members[].readRole)",
      };
    }
    const meaning = statusMeaning(last.status);
    const detail = last.failureMessage ? `: ${last.failureMessage}` : "";
    if (meaning.state === undefined) {
      if (interrupted || parent.state === undefined) {
        return {
          ...base,
          state: "IN_PROGRESS" as const,
          status: last.status,
          reason: meaning.reason,
        };
      }
      return {
        ...base,
        state: "FAILED" as const,
        status: last.status,
        reason: `still ${last.status} when the execution ended (${parent.reason})`,
      };
    }
    return {
      ...base,
      state: meaning.state,
      status: last.status,
      reason: meaning.reason + detail,
    };
  });
}

export function summarize(targets: readonly PatchTargetReport[]): Record<PatchTargetState, number> {
  const summary = emptySummary();
  for (const t of targets) summary[t.state] += 1;
  return summary;
}
