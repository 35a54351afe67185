import { strict as assert } from "assert";
import fc from "fast-check";
import {
  RolloutError,
  RolloutPrefs,
  RolloutTarget,
  TargetResult,
  initRollout,
  isDone,
  plan,
  record,
  resolveFailureTolerance,
  resolveMaxConcurrent,
  results,
  stop,
} from "../../automation/rollout/scheduler";
import type { CountOrPercent } from "../../automation/fleet/types";

const REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"];

/** Independent of the implementation: the largest k with k * 100 <= n * p (floor, R5). */
function floorPercent(n: number, p: number): number {
  let k = 0;
  while ((k + 1) * 100 <= n * p) k++;
  return k;
}
function expectedMax(v: CountOrPercent, n: number): number {
  return v.kind === "count" ? v.value : Math.max(1, floorPercent(n, v.value));
}
function expectedTolerance(v: CountOrPercent, n: number): number {
  return v.kind === "count" ? v.value : floorPercent(n, v.value);
}

const countOrPercent = (minCount: number, maxCount: number, minPct: number) =>
  fc.oneof(
    fc
      .integer({ min: minCount, max: maxCount })
      .map((value) => ({ kind: "count" as const, value })),
    fc.integer({ min: minPct, max: 100 }).map((value) => ({ kind: "percent" as const, value })),
  );

const scenario = fc.record({
  regions: fc.array(fc.constantFrom<string | undefined>(...REGIONS, undefined), {
    maxLength: 30,
  }),
  prefs: fc.record({
    maxConcurrent: countOrPercent(1, 8, 1),
    failureTolerance: countOrPercent(0, 4, 0),
    regionOrder: fc.shuffledSubarray([...REGIONS, "sa-east-1"]),
  }),
  /** Which running target finishes next, and how. Cycled when the run needs more steps. */
  steps: fc.array(
    fc.record({
      pick: fc.nat(),
      state: fc.constantFrom("SUCCEEDED" as const, "FAILED" as const, "SKIPPED" as const),
    }),
    { minLength: 1, maxLength: 60 },
  ),
  /** Step at which `stop` is called, or -1 for never. */
  stopAt: fc.integer({ min: -1, max: 40 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

/** The group order the scheduler must follow (R3), computed independently. */
function expectedGroupOrder(targets: RolloutTarget[], order: string[]): (string | undefined)[] {
  const present = [...new Set(targets.map((t) => t.region))];
  const first = order.filter((r) => present.includes(r));
  return [...first, ...present.filter((r) => !first.includes(r as string))];
}

interface Trace {
  targets: RolloutTarget[];
  results: TargetResult[];
  startedOrder: string[];
  exceeded: (string | undefined)[];
  stoppedAtStep: number | undefined;
}

/** Drives the pure core through one scenario, checking R1, R2 and exactly-once at every step. */
function simulate(s: Scenario): Trace {
  const targets: RolloutTarget[] = s.regions.map((region, i) => ({
    id: `t${i}`,
    account: String(100000000000 + i),
    ...(region === undefined ? {} : { region }),
  }));
  const prefs: RolloutPrefs = s.prefs;
  const state = initRollout(targets, prefs);
  const groupOf = (id: string) => targets[Number(id.slice(1))].region;
  const size = (r: string | undefined) => targets.filter((t) => t.region === r).length;
  const running: string[] = [];
  const failed = new Map<string | undefined, number>();
  const settled = new Map<string, TargetResult>();
  const startedOrder: string[] = [];
  const exceeded: (string | undefined)[] = [];
  let stoppedAtStep: number | undefined;
  const settle = (list: TargetResult[]) => {
    for (const r of list) {
      assert.equal(settled.has(r.id), false, `${r.id} settled twice`);
      settled.set(r.id, r);
    }
  };

  for (let step = 0; step < 10_000; step++) {
    if (step === s.stopAt) {
      stoppedAtStep = step;
      settle(stop(state, "operator stop"));
    }
    const started = plan(state);
    for (const id of started) {
      assert.equal(settled.has(id), false, `${id} started after it was settled`);
      assert.equal(startedOrder.includes(id), false, `${id} started twice`);
      assert.equal(stoppedAtStep, undefined, `${id} started after stop`);
      startedOrder.push(id);
      running.push(id);
    }
    if (running.length > 0) {
      const region = groupOf(running[0]);
      const n = size(region);
      const maxC = expectedMax(s.prefs.maxConcurrent, n);
      const tol = expectedTolerance(s.prefs.failureTolerance, n);
      const f = failed.get(region) ?? 0;
      // Only one region is ever in flight (R3).
      assert.deepEqual(
        running.filter((id) => groupOf(id) !== region),
        [],
        "two regions in flight",
      );
      // R1 and R2 (strict): bounded, and the scheduler fills the room it has.
      assert.ok(running.length <= maxC, `R1: ${running.length} in flight > ${maxC}`);
      assert.ok(f + running.length <= tol + 1, `R2: ${f} failed + ${running.length} in flight`);
      if (stoppedAtStep === undefined && exceeded.length === 0) {
        const notStarted = targets.filter(
          (t) => t.region === region && !startedOrder.includes(t.id),
        ).length;
        assert.equal(running.length, Math.min(maxC, tol + 1 - f, running.length + notStarted));
      }
    } else {
      assert.equal(isDone(state), true, "nothing running but not done");
      break;
    }
    const choice = s.steps[step % s.steps.length];
    const [id] = running.splice(choice.pick % running.length, 1);
    const region = groupOf(id);
    if (choice.state === "FAILED") failed.set(region, (failed.get(region) ?? 0) + 1);
    const tol = expectedTolerance(s.prefs.failureTolerance, size(region));
    const before = exceeded.length;
    if ((failed.get(region) ?? 0) > tol && stoppedAtStep === undefined && before === 0) {
      exceeded.push(region);
    }
    const out = record(state, id, { state: choice.state, reason: `step ${step}` });
    assert.deepEqual(out[0], {
      id,
      account: targets[Number(id.slice(1))].account,
      ...(region === undefined ? {} : { region }),
      state: choice.state,
      reason: `step ${step}`,
    });
    settle(out);
  }
  assert.equal(isDone(state), true);
  assert.equal(settled.size, targets.length);
  return { targets, results: results(state), startedOrder, exceeded, stoppedAtStep };
}

describe("rollout scheduler (pure core)", () => {
  it("R5: percentages round down; concurrency at least 1, tolerance may be 0", () => {
    const pct = (value: number): CountOrPercent => ({ kind: "percent", value });
    assert.equal(resolveMaxConcurrent(pct(10), 50), 5);
    assert.equal(resolveMaxConcurrent(pct(10), 49), 4);
    assert.equal(resolveMaxConcurrent(pct(10), 9), 1);
    assert.equal(resolveMaxConcurrent(pct(100), 7), 7);
    assert.equal(resolveMaxConcurrent(pct(33), 3), 1);
    assert.equal(resolveMaxConcurrent({ kind: "count", value: 4 }, 2), 4);
    assert.equal(resolveFailureTolerance(pct(10), 50), 5);
    assert.equal(resolveFailureTolerance(pct(10), 59), 5);
    assert.equal(resolveFailureTolerance(pct(10), 60), 6);
    assert.equal(resolveFailureTolerance(pct(10), 9), 0);
    assert.equal(resolveFailureTolerance(pct(0), 500), 0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 100 }), (n, p) => {
        assert.equal(resolveFailureTolerance(pct(p), n), floorPercent(n, p));
        assert.equal(resolveMaxConcurrent(pct(p), n), Math.max(1, floorPercent(n, p)));
      }),
      { numRuns: 1000 },
    );
  });

  it("rejects duplicate ids and out-of-range preferences with exact messages", () => {
    const t = (id: string): RolloutTarget => ({ id, account: "111111111111" });
    assert.throws(
      () => initRollout([t("a"), t("a")], {}),
      (e: unknown) =>
        e instanceof RolloutError && e.message === 'rollout target id "a" appears twice',
    );
    assert.throws(
      () => initRollout([t("a")], { maxConcurrent: { kind: "count", value: 0 } }),
      (e: unknown) =>
        e instanceof RolloutError &&
        e.message ===
          'rollout maxConcurrent must be a whole count >= 1 or a percentage 1-100, got {"kind":"count","value":0}',
    );
    assert.throws(
      () => initRollout([t("a")], { failureTolerance: { kind: "percent", value: 101 } }),
      (e: unknown) =>
        e instanceof RolloutError &&
        e.message ===
          'rollout failureTolerance must be a whole count >= 0 or a percentage 0-100, got {"kind":"percent","value":101}',
    );
    const s = initRollout([t("a")], {});
    assert.throws(
      () => record(s, "a", { state: "SUCCEEDED", reason: "ok" }),
      (e: unknown) =>
        e instanceof RolloutError &&
        e.message === 'rollout target "a" finished but was not running',
    );
  });

  it("defaults to one at a time and stops at the first failure (tolerance 0)", () => {
    const targets = ["a", "b", "c"].map((id) => ({ id, account: "111111111111" }));
    const s = initRollout(targets, {});
    assert.deepEqual(plan(s), ["a"]);
    assert.deepEqual(plan(s), []);
    assert.deepEqual(record(s, "a", { state: "SUCCEEDED", reason: "ok" }).length, 1);
    assert.deepEqual(plan(s), ["b"]);
    const out = record(s, "b", { state: "FAILED", reason: "boom" });
    assert.deepEqual(
      out.map((r) => [r.id, r.state, r.reason]),
      [
        ["b", "FAILED", "boom"],
        [
          "c",
          "CANCELLED",
          "not tried: the targets without a region exceeded its failure tolerance (1 failed, tolerance 0)",
        ],
      ],
    );
    assert.deepEqual(plan(s), []);
    assert.equal(isDone(s), true);
  });

  it("a region over tolerance cancels that region's rest and every later region (R3)", () => {
    const targets = [
      { id: "e1", account: "111111111111", region: "eu-west-1" },
      { id: "u1", account: "111111111111", region: "us-east-1" },
      { id: "u2", account: "222222222222", region: "us-east-1" },
      { id: "u3", account: "333333333333", region: "us-east-1" },
    ];
    const s = initRollout(targets, {
      maxConcurrent: { kind: "count", value: 5 },
      failureTolerance: { kind: "count", value: 1 },
      regionOrder: ["us-east-1", "eu-west-1"],
    });
    assert.deepEqual(plan(s), ["u1", "u2"]);
    assert.equal(record(s, "u1", { state: "FAILED", reason: "x" }).length, 1);
    assert.deepEqual(plan(s), []);
    const out = record(s, "u2", { state: "FAILED", reason: "y" });
    const why = "region us-east-1 exceeded its failure tolerance (2 failed, tolerance 1)";
    assert.deepEqual(
      out.map((r) => [r.id, r.state, r.reason]),
      [
        ["u2", "FAILED", "y"],
        ["u3", "CANCELLED", `not tried: ${why}`],
        ["e1", "CANCELLED", `not tried: an earlier region failed (${why})`],
      ],
    );
    assert.equal(isDone(s), true);
    assert.deepEqual(
      results(s).map((r) => r.id),
      ["e1", "u1", "u2", "u3"],
    );
  });

  it("property: R1, R2 and exactly-once hold for random targets, preferences and outcomes", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const trace = simulate({ ...s, stopAt: -1 });
        const ids = trace.results.map((r) => r.id);
        assert.deepEqual(
          ids,
          trace.targets.map((t) => t.id),
        );
        for (const r of trace.results) {
          assert.ok(["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED"].includes(r.state));
          assert.ok(r.reason.length > 0, `${r.id} has no reason`);
          assert.equal(r.state === "CANCELLED", !trace.startedOrder.includes(r.id));
        }
        // Nothing is cancelled unless a region went over tolerance.
        if (trace.exceeded.length === 0) {
          assert.equal(trace.startedOrder.length, trace.targets.length);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("property: regions run one after another in order; a failed region stops the rest (R3)", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const trace = simulate({ ...s, stopAt: -1 });
        const order = expectedGroupOrder(trace.targets, s.prefs.regionOrder);
        const regionOf = (id: string) => trace.targets.find((t) => t.id === id)?.region;
        const startedGroups = trace.startedOrder.map((id) => order.indexOf(regionOf(id)));
        for (let i = 1; i < startedGroups.length; i++) {
          assert.ok(startedGroups[i] >= startedGroups[i - 1], "regions out of order");
        }
        if (trace.exceeded.length > 0) {
          const bad = order.indexOf(trace.exceeded[0]);
          const n = trace.targets.filter((t) => t.region === trace.exceeded[0]).length;
          const tol = expectedTolerance(s.prefs.failureTolerance, n);
          const failedThere = trace.results.filter(
            (r) => r.state === "FAILED" && r.region === trace.exceeded[0],
          ).length;
          assert.equal(failedThere, tol + 1);
          for (const r of trace.results) {
            const g = order.indexOf(r.region);
            if (g > bad) {
              assert.equal(r.state, "CANCELLED");
              assert.match(r.reason, /^not tried: an earlier region failed \(.* exceeded its/);
            }
          }
        } else {
          // Every region that finished within tolerance let the next one run.
          assert.deepEqual(
            [...new Set(startedGroups)],
            order.map((_, i) => i),
          );
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("property: a stop at a random point cancels exactly the targets not yet started", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const trace = simulate(s);
        for (const r of trace.results) {
          const started = trace.startedOrder.includes(r.id);
          if (started) {
            assert.notEqual(r.state, "CANCELLED");
            assert.match(r.reason, /^step \d+$/);
          } else if (trace.stoppedAtStep !== undefined && trace.exceeded.length === 0) {
            assert.deepEqual([r.state, r.reason], ["CANCELLED", "not tried: operator stop"]);
          } else {
            assert.equal(r.state, "CANCELLED");
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});
