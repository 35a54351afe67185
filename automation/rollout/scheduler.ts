/**
 * Rollout across many targets (account stacks, or account × region) with the operation preferences
 * of CloudFormation StackSets: a concurrency limit, a strict failure tolerance, and regions rolled
 * out one after another.
 *
 * The scheduler is a deterministic state machine with no timers and no I/O (`initRollout`, `plan`,
 * `record`, `stop`), so every interleaving of outcomes can be property-tested. `runRollout` is the
 * small async driver that feeds it real worker outcomes.
 */
import type { CountOrPercent } from "../fleet/types";
import { InputError, type TargetState } from "../../domain";

export interface RolloutTarget {
  id: string;
  account: string;
  region?: string;
}

export interface RolloutPrefs {
  /** @default { kind: "count", value: 1 } */
  maxConcurrent?: CountOrPercent;
  /** @default { kind: "count", value: 0 } */
  failureTolerance?: CountOrPercent;
  /** Regions listed here go first, in this order; other regions follow in order of appearance. */
  regionOrder?: string[];
}

export interface WorkerOutcome {
  state: "SUCCEEDED" | "FAILED" | "SKIPPED";
  reason: string;
  detail?: unknown;
}

export interface TargetResult {
  id: string;
  account: string;
  region?: string;
  state: TargetState;
  reason: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  detail?: unknown;
}

export type RolloutEvent =
  | { kind: "queued" | "started"; target: RolloutTarget }
  | { kind: "finished"; target: RolloutTarget; result: TargetResult };

/**
 * Percentages resolve against the number of targets in the region group being rolled out (as
 * StackSets counts accounts per region), and ROUND DOWN: floor(n × p / 100). AWS's documents
 * disagree on whether 10 % of 50 errors is 5 or 6; patchfleet always means 5 (and 10 % of 49 is 4).
 * A concurrency that rounds down to 0 becomes 1, so a rollout always makes progress; a tolerance
 * that rounds down to 0 stays 0 (the first failure stops the region).
 *
 * `n × p` is an integer and exact in a double for any realistic n, and when it is not a multiple of
 * 100 its quotient is at least 0.01 away from an integer, so the floating division cannot round
 * across an integer boundary.
 */
export function resolveMaxConcurrent(value: CountOrPercent, targets: number): number {
  if (value.kind === "count") return value.value;
  return Math.max(1, Math.floor((targets * value.value) / 100));
}

export function resolveFailureTolerance(value: CountOrPercent, targets: number): number {
  if (value.kind === "count") return value.value;
  return Math.floor((targets * value.value) / 100);
}

/** A rollout that was given bad targets or preferences. A bug of the caller, not bad user input. */
export class RolloutError extends InputError {}

function checkPrefs(prefs: RolloutPrefs): void {
  const check = (name: string, v: CountOrPercent | undefined, min: number) => {
    if (v === undefined) return;
    const ok =
      (v.kind === "count" || v.kind === "percent") &&
      Number.isSafeInteger(v.value) &&
      v.value >= min &&
      (v.kind === "count" || v.value <= 100);
    if (!ok) {
      const range = `a whole count >= ${min} or a percentage ${min}-100`;
      throw new RolloutError(`rollout ${name} must be ${range}, got ${JSON.stringify(v)}`);
    }
  };
  check("maxConcurrent", prefs.maxConcurrent, 1);
  check("failureTolerance", prefs.failureTolerance, 0);
}

/** One region's targets, rolled out as a unit. */
export interface RolloutGroup {
  region: string | undefined;
  ids: string[];
  maxConcurrent: number;
  tolerance: number;
  /** Index into `ids` of the next target not yet started or cancelled. */
  next: number;
  running: number;
  failed: number;
}

export interface RolloutState {
  targets: Map<string, RolloutTarget>;
  /** Input order, used for the final report. */
  order: string[];
  groups: RolloutGroup[];
  /** The group being rolled out; groups before it are finished. */
  current: number;
  running: Set<string>;
  results: Map<string, TargetResult>;
  /** Why the rollout stopped early, if it did. */
  stopped?: string;
}

function groupLabel(region: string | undefined): string {
  return region === undefined ? "the targets without a region" : `region ${region}`;
}

/** Groups targets by region: `regionOrder` first, then the rest in order of first appearance. */
export function initRollout(targets: readonly RolloutTarget[], prefs: RolloutPrefs): RolloutState {
  checkPrefs(prefs);
  const byId = new Map<string, RolloutTarget>();
  const byRegion = new Map<string | undefined, string[]>();
  for (const t of targets) {
    if (typeof t.id !== "string" || t.id === "") {
      throw new RolloutError(`every rollout target needs a non-empty id`);
    }
    if (byId.has(t.id)) throw new RolloutError(`rollout target id "${t.id}" appears twice`);
    byId.set(t.id, t);
    const ids = byRegion.get(t.region);
    if (ids) ids.push(t.id);
    else byRegion.set(t.region, [t.id]);
  }
  const regionKeys: (string | undefined)[] = [];
  for (const r of prefs.regionOrder ?? []) {
    if (byRegion.has(r) && !regionKeys.includes(r)) regionKeys.push(r);
  }
  for (const r of byRegion.keys()) if (!regionKeys.includes(r)) regionKeys.push(r);
  const maxConcurrent = prefs.maxConcurrent ?? { kind: "count", value: 1 };
  const tolerance = prefs.failureTolerance ?? { kind: "count", value: 0 };
  const groups = regionKeys.map((region): RolloutGroup => {
    const ids = byRegion.get(region) ?? [];
    return {
      region,
      ids,
      maxConcurrent: resolveMaxConcurrent(maxConcurrent, ids.length),
      tolerance: resolveFailureTolerance(tolerance, ids.length),
      next: 0,
      running: 0,
      failed: 0,
    };
  });
  return {
    targets: byId,
    order: targets.map((t) => t.id),
    groups,
    current: 0,
    running: new Set(),
    results: new Map(),
  };
}

function settle(
  state: RolloutState,
  id: string,
  result: Omit<TargetResult, "id" | "account" | "region">,
) {
  const t = state.targets.get(id) as RolloutTarget;
  const full: TargetResult = { id, account: t.account, ...result };
  if (t.region !== undefined) full.region = t.region;
  state.results.set(id, full);
  return full;
}

/** Marks every not-yet-started target of group `from` and later groups CANCELLED. */
function cancelPending(state: RolloutState, from: number, reasonFor: (g: number) => string) {
  const settled: TargetResult[] = [];
  for (let g = from; g < state.groups.length; g++) {
    const group = state.groups[g];
    while (group.next < group.ids.length) {
      const id = group.ids[group.next++];
      settled.push(settle(state, id, { state: "CANCELLED", reason: reasonFor(g) }));
    }
  }
  return settled;
}

/**
 * The targets to start now, marked as running. Respects R1 (never more than the group's
 * maxConcurrent in flight) and R2 strict mode (failed + in flight never exceeds tolerance + 1, so
 * even if everything in flight fails, at most tolerance + 1 targets of a region fail).
 */
export function plan(state: RolloutState): string[] {
  if (state.stopped !== undefined) return [];
  while (state.current < state.groups.length) {
    const g = state.groups[state.current];
    if (g.next < g.ids.length || g.running > 0) break;
    state.current++;
  }
  if (state.current >= state.groups.length) return [];
  const g = state.groups[state.current];
  const room = Math.min(g.maxConcurrent, g.tolerance + 1 - g.failed) - g.running;
  const start: string[] = [];
  while (start.length < room && g.next < g.ids.length) {
    const id = g.ids[g.next++];
    g.running++;
    state.running.add(id);
    start.push(id);
  }
  return start;
}

/**
 * Records the outcome of a running target. Returns every result this settled: the target's own,
 * and the targets CANCELLED because its region went over tolerance (R3: later regions are not
 * attempted either).
 */
export function record(
  state: RolloutState,
  id: string,
  outcome: WorkerOutcome | { state: "CANCELLED"; reason: string; detail?: unknown },
): TargetResult[] {
  if (!state.running.delete(id)) {
    throw new RolloutError(`rollout target "${id}" finished but was not running`);
  }
  const t = state.targets.get(id) as RolloutTarget;
  const g = state.groups.find((group) => group.region === t.region) as RolloutGroup;
  g.running--;
  const own: Omit<TargetResult, "id" | "account" | "region"> = {
    state: outcome.state,
    reason: outcome.reason,
  };
  if (outcome.detail !== undefined) own.detail = outcome.detail;
  const settled = [settle(state, id, own)];
  if (outcome.state === "FAILED") g.failed++;
  if (state.stopped === undefined && g.failed > g.tolerance) {
    const where = groupLabel(g.region);
    state.stopped = `${where} exceeded its failure tolerance (${g.failed} failed, tolerance ${g.tolerance})`;
    const gi = state.groups.indexOf(g);
    settled.push(
      ...cancelPending(state, gi, (i) =>
        i === gi
          ? `not tried: ${state.stopped}`
          : `not tried: an earlier region failed (${state.stopped})`,
      ),
    );
  }
  return settled;
}

/** Stops scheduling (P4): every target not yet started is CANCELLED; running ones still record. */
export function stop(state: RolloutState, why: string): TargetResult[] {
  if (state.stopped !== undefined) return [];
  state.stopped = why;
  return cancelPending(state, state.current, () => `not tried: ${why}`);
}

export function isDone(state: RolloutState): boolean {
  return state.results.size === state.targets.size;
}

/** Every target's result, in input order. */
export function results(state: RolloutState): TargetResult[] {
  return state.order.map((id) => state.results.get(id) as TargetResult);
}

function normalizeOutcome(value: unknown): WorkerOutcome {
  const v = value as Partial<WorkerOutcome> | null | undefined;
  if (
    v !== null &&
    typeof v === "object" &&
    (v.state === "SUCCEEDED" || v.state === "FAILED" || v.state === "SKIPPED") &&
    typeof v.reason === "string"
  ) {
    return v.detail === undefined
      ? { state: v.state, reason: v.reason }
      : { state: v.state, reason: v.reason, detail: v.detail };
  }
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 200) shown = `${shown.slice(0, 197)}...`;
  return {
    state: "FAILED",
    reason: `worker returned an invalid outcome ${shown}; expected { state: SUCCEEDED | FAILED | SKIPPED, reason }`,
  };
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export interface RunRolloutOptions {
  /** Aborting stops scheduling, aborts each running worker's signal once, and waits for them. */
  signal?: AbortSignal;
  /** Called synchronously for every event. */
  onEvent?: (e: RolloutEvent) => void;
}

/**
 * Runs `worker` for every target under `prefs` and resolves with every target's result in input
 * order, each exactly once (R4). A worker that throws or rejects is FAILED with its message; one
 * that rejects with an `AbortError` after the rollout was aborted is CANCELLED. Never rejects for a
 * worker's sake; rejects with the first error an `onEvent` listener threw, after all workers
 * settled (a listener error must not leave operations running unobserved).
 */
export async function runRollout<T extends RolloutTarget>(
  targets: T[],
  prefs: RolloutPrefs,
  worker: (target: T, signal: AbortSignal) => Promise<WorkerOutcome>,
  options: RunRolloutOptions = {},
): Promise<TargetResult[]> {
  const state = initRollout(targets, prefs);
  const { signal, onEvent } = options;
  let listenerError: { error: unknown } | undefined;
  let internalError: { error: unknown } | undefined;
  const emit = (e: RolloutEvent) => {
    if (!onEvent) return;
    try {
      onEvent(e);
    } catch (error) {
      listenerError ??= { error };
    }
  };
  const byId = new Map<string, T>(targets.map((t) => [t.id, t]));
  const controllers = new Map<string, AbortController>();
  const started = new Map<string, number>();
  const finish = (r: TargetResult) => {
    const t0 = started.get(r.id);
    if (t0 !== undefined) {
      const t1 = Date.now();
      r.startedAt = new Date(t0).toISOString();
      r.finishedAt = new Date(t1).toISOString();
      r.durationMs = t1 - t0;
    }
    emit({ kind: "finished", target: byId.get(r.id) as T, result: r });
  };

  for (const t of targets) emit({ kind: "queued", target: t });

  await new Promise<void>((resolve) => {
    let resolved = false;
    const pump = () => {
      if (resolved) return;
      if (signal?.aborted && state.stopped === undefined) {
        stop(state, "the rollout was stopped").forEach(finish);
      }
      if (signal?.aborted) {
        for (const [id, c] of controllers) {
          controllers.delete(id);
          c.abort(signal.reason);
        }
      }
      for (const id of plan(state)) launch(id);
      if (isDone(state)) {
        resolved = true;
        signal?.removeEventListener("abort", pump);
        resolve();
      }
    };
    const launch = (id: string) => {
      const target = byId.get(id) as T;
      const controller = new AbortController();
      controllers.set(id, controller);
      started.set(id, Date.now());
      emit({ kind: "started", target });
      let promise: Promise<WorkerOutcome>;
      try {
        promise = Promise.resolve(worker(target, controller.signal));
      } catch (err) {
        promise = Promise.reject(err);
      }
      promise
        .then(normalizeOutcome, (err: unknown): Parameters<typeof record>[2] => {
          if (signal?.aborted && err instanceof Error && err.name === "AbortError") {
            return { state: "CANCELLED", reason: `stopped while running: ${errorMessage(err)}` };
          }
          return { state: "FAILED", reason: errorMessage(err) };
        })
        .then(
          (outcome) => {
            controllers.delete(id);
            record(state, id, outcome).forEach(finish);
            pump();
          },
          (err: unknown) => {
            // Only a bug in the scheduler itself lands here; surface it rather than hang.
            internalError ??= { error: err };
            resolved = true;
            resolve();
          },
        );
    };
    signal?.addEventListener("abort", pump);
    pump();
  });
  if (internalError) throw internalError.error;
  if (listenerError) throw listenerError.error;
  return results(state);
}
