/**
 * Values patchfleet sends to and reads from SSM Automation: rate controls (R6), target location
 * chunks, and the meaning of every automation status (R8).
 */
import type { AutomationStatus, TargetState } from "../../domain";
import { AUTOMATION_STATUSES } from "../../domain";
import type { CountOrPercent, Fleet } from "../fleet/types";

/** SSM's patterns for TargetLocationMaxConcurrency and TargetLocationMaxErrors. */
export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;
/** At most this many accounts, and this many regions, in one TargetLocation. */
export const TARGET_LOCATION_LIMIT = 50;
/** At most this many TargetLocations in one StartAutomationExecution. */
export const TARGET_LOCATIONS_PER_EXECUTION = 100;

/**
 * rollout.maxConcurrent as TargetLocationMaxConcurrency. Percentages go to SSM unchanged, so SSM's
 * own rounding applies to them; a count must be at least 1.
 */
export function maxConcurrencyValue(value: CountOrPercent): string {
  const text = value.kind === "percent" ? `${value.value}%` : `${value.value}`;
  if (!MAX_CONCURRENCY_PATTERN.test(text)) {
    throw new RangeError(
      `rollout.maxConcurrent ${text} cannot be sent to SSM: use a whole count of at least 1 or ` +
        `a percentage from 1% to 100%`,
    );
  }
  return text;
}

/**
 * rollout.failureTolerance as TargetLocationMaxErrors. SSM stops queueing new target locations when
 * failures exceed this value, which is the same meaning as a failure tolerance.
 */
export function maxErrorsValue(value: CountOrPercent): string {
  const text = value.kind === "percent" ? `${value.value}%` : `${value.value}`;
  if (!MAX_ERRORS_PATTERN.test(text)) {
    throw new RangeError(
      `rollout.failureTolerance ${text} cannot be sent to SSM: use a whole count of at least 0 ` +
        `or a percentage from 0% to 100%`,
    );
  }
  return text;
}

export interface LocationChunk {
  accounts: string[];
  regions: string[];
}

/**
 * Groups member accounts by their exact region list, then cuts each group into chunks of at most
 * 50 accounts × 50 regions. Every account-region of the fleet's members lands in exactly one chunk.
 */
export function targetLocationChunks(members: Fleet["members"]): LocationChunk[] {
  const groups = new Map<string, { regions: string[]; accounts: string[] }>();
  for (const m of members) {
    const regions = [...new Set(m.regions)].sort();
    const key = regions.join(",");
    let g = groups.get(key);
    if (!g) {
      g = { regions, accounts: [] };
      groups.set(key, g);
    }
    if (!g.accounts.includes(m.account)) g.accounts.push(m.account);
  }
  const chunks: LocationChunk[] = [];
  for (const g of groups.values()) {
    for (let a = 0; a < g.accounts.length; a += TARGET_LOCATION_LIMIT) {
      for (let r = 0; r < g.regions.length; r += TARGET_LOCATION_LIMIT) {
        chunks.push({
          accounts: g.accounts.slice(a, a + TARGET_LOCATION_LIMIT),
          regions: g.regions.slice(r, r + TARGET_LOCATION_LIMIT),
        });
      }
    }
  }
  return chunks;
}

/** What one automation status means for a target: a final report state, or still running. */
export interface StatusMeaning {
  /** The report state once the status is final; `undefined` while the target is still running. */
  state: TargetState | undefined;
  /** Why, in words a report can show. */
  reason: string;
}

const MEANINGS: Record<AutomationStatus, StatusMeaning> = {
  Pending: { state: undefined, reason: "waiting to start" },
  InProgress: { state: undefined, reason: "running" },
  Waiting: { state: undefined, reason: "waiting on a step (for example an approval or a sleep)" },
  PendingApproval: { state: undefined, reason: "waiting for approval" },
  Approved: { state: undefined, reason: "approved, about to run" },
  Scheduled: { state: undefined, reason: "scheduled to run later" },
  RunbookInProgress: { state: undefined, reason: "runbook running" },
  PendingChangeCalendarOverride: {
    state: undefined,
    reason: "blocked by a change calendar, waiting for an override",
  },
  ChangeCalendarOverrideApproved: {
    state: undefined,
    reason: "change calendar override approved, about to run",
  },
  Cancelling: { state: undefined, reason: "being cancelled" },
  Success: { state: "SUCCEEDED", reason: "automation succeeded" },
  CompletedWithSuccess: { state: "SUCCEEDED", reason: "completed with success" },
  Failed: { state: "FAILED", reason: "automation failed" },
  TimedOut: { state: "FAILED", reason: "automation timed out" },
  CompletedWithFailure: { state: "FAILED", reason: "completed with failure" },
  Rejected: { state: "FAILED", reason: "approval rejected" },
  ChangeCalendarOverrideRejected: {
    state: "FAILED",
    reason: "change calendar closed and the override was rejected",
  },
  Cancelled: { state: "CANCELLED", reason: "automation cancelled" },
  // Exited: the runbook ended early on purpose (an exit branch); nothing failed, nothing patched.
  Exited: { state: "SKIPPED", reason: "runbook exited early without patching" },
};

/**
 * The meaning of an automation status. A status this version of patchfleet does not know yet is
 * a failure that names the status, never silently "unknown".
 */
export function statusMeaning(status: string | undefined): StatusMeaning {
  if (status !== undefined && (AUTOMATION_STATUSES as readonly string[]).includes(status)) {
    return MEANINGS[status as AutomationStatus];
  }
  return {
    state: "FAILED",
    reason: `automation status ${JSON.stringify(status ?? null)} is not one patchfleet knows`,
  };
}
