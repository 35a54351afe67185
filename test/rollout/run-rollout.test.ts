import { strict as assert } from "assert";
import fc from "fast-check";
import {
  RolloutEvent,
  RolloutTarget,
  TargetResult,
  WorkerOutcome,
  runRollout,
} from "../../automation/rollout/scheduler";

const t = (id: string, region?: string): RolloutTarget => ({
  id,
  account: "111111111111",
  ...(region === undefined ? {} : { region }),
});

function abortError(message: string): Error {
  const e = new Error(message);
  e.name = "AbortError";
  return e;
}

/** A worker that finishes when the test says so, and records what it saw. */
function gatedWorker() {
  const gates = new Map<string, (o: WorkerOutcome | Error) => void>();
  const aborts = new Map<string, number>();
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const worker = (target: RolloutTarget, signal: AbortSignal) => {
    calls.push(target.id);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    signal.addEventListener("abort", () => aborts.set(target.id, (aborts.get(target.id) ?? 0) + 1));
    return new Promise<WorkerOutcome>((resolve, reject) => {
      gates.set(target.id, (o) => {
        inFlight--;
        if (o instanceof Error) reject(o);
        else resolve(o);
      });
    });
  };
  const open = async (id: string, o: WorkerOutcome | Error) => {
    for (let i = 0; i < 50 && !gates.has(id); i++) await new Promise((r) => setImmediate(r));
    const gate = gates.get(id);
    assert.ok(gate, `${id} never started`);
    gates.delete(id);
    gate(o);
  };
  const waitStarted = async (n: number) => {
    for (let i = 0; i < 50 && calls.length < n; i++) await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, n);
  };
  return { worker, open, waitStarted, calls, aborts, max: () => maxInFlight };
}

const brief = (rs: TargetResult[]) => rs.map((r) => [r.id, r.state, r.reason]);

describe("runRollout (async driver)", () => {
  it("reports every target once, in input order, with timings and the worker's reason", async () => {
    const events: string[] = [];
    const res = await runRollout(
      [t("a"), t("b"), t("c")],
      { failureTolerance: { kind: "count", value: 5 } },
      async (target) => {
        if (target.id === "b") throw new Error("stack is currently locked");
        if (target.id === "c") return { state: "SKIPPED", reason: "no changes", detail: 7 };
        return { state: "SUCCEEDED", reason: "updated 3 resources" };
      },
      { onEvent: (e) => events.push(`${e.kind} ${e.target.id}`) },
    );
    assert.deepEqual(brief(res), [
      ["a", "SUCCEEDED", "updated 3 resources"],
      ["b", "FAILED", "stack is currently locked"],
      ["c", "SKIPPED", "no changes"],
    ]);
    assert.equal(res[2].detail, 7);
    for (const r of res) {
      assert.equal(typeof r.startedAt, "string");
      assert.equal(typeof r.finishedAt, "string");
      assert.equal(typeof r.durationMs, "number");
      assert.ok(Date.parse(r.finishedAt as string) >= Date.parse(r.startedAt as string));
    }
    assert.deepEqual(events, [
      "queued a",
      "queued b",
      "queued c",
      "started a",
      "finished a",
      "started b",
      "finished b",
      "started c",
      "finished c",
    ]);
  });

  it("a synchronous throw, a non-Error rejection and a malformed outcome are FAILED", async () => {
    const res = await runRollout(
      [t("a"), t("b"), t("c")],
      { maxConcurrent: { kind: "count", value: 3 }, failureTolerance: { kind: "count", value: 3 } },
      (target) => {
        if (target.id === "a") throw new TypeError("bad program");
        if (target.id === "b") return Promise.reject("plain string");
        return Promise.resolve({ state: "DONE" } as unknown as WorkerOutcome);
      },
    );
    assert.deepEqual(brief(res), [
      ["a", "FAILED", "bad program"],
      ["b", "FAILED", "plain string"],
      [
        "c",
        "FAILED",
        'worker returned an invalid outcome {"state":"DONE"}; expected { state: SUCCEEDED | FAILED | SKIPPED, reason }',
      ],
    ]);
  });

  it("strict tolerance: the first failure cancels the rest, and nothing else starts", async () => {
    const g = gatedWorker();
    const run = runRollout(
      [t("a"), t("b"), t("c"), t("d")],
      { maxConcurrent: { kind: "count", value: 4 }, failureTolerance: { kind: "count", value: 1 } },
      g.worker,
    );
    await g.waitStarted(2); // min(4, 1 + 1) in flight
    await g.open("a", { state: "FAILED", reason: "x" });
    await g.waitStarted(2); // one failure: only 1 in flight now (b)
    await g.open("b", { state: "FAILED", reason: "y" });
    const res = await run;
    const why =
      "the targets without a region exceeded its failure tolerance (2 failed, tolerance 1)";
    assert.deepEqual(brief(res), [
      ["a", "FAILED", "x"],
      ["b", "FAILED", "y"],
      ["c", "CANCELLED", `not tried: ${why}`],
      ["d", "CANCELLED", `not tried: ${why}`],
    ]);
    assert.deepEqual(g.calls, ["a", "b"]);
    assert.equal(res[2].startedAt, undefined);
  });

  it("percent concurrency rounds down per region: 25% of 8 runs 2 at a time, 10% of 9 runs 1", async () => {
    const eight = gatedWorker();
    const targets = Array.from({ length: 8 }, (_, i) => t(`u${i}`, "us-east-1"));
    const run = runRollout(
      targets,
      {
        maxConcurrent: { kind: "percent", value: 25 },
        failureTolerance: { kind: "count", value: 3 },
      },
      eight.worker,
    );
    await eight.waitStarted(2);
    await eight.open("u0", { state: "SUCCEEDED", reason: "ok" });
    await eight.waitStarted(3);
    for (let i = 1; i < 8; i++) await eight.open(`u${i}`, { state: "SUCCEEDED", reason: "ok" });
    assert.equal((await run).length, 8);
    assert.equal(eight.max(), 2);

    const nine = gatedWorker();
    const run9 = runRollout(
      Array.from({ length: 9 }, (_, i) => t(`e${i}`, "eu-west-1")),
      {
        maxConcurrent: { kind: "percent", value: 10 },
        failureTolerance: { kind: "count", value: 3 },
      },
      nine.worker,
    );
    for (let i = 0; i < 9; i++) {
      await nine.waitStarted(i + 1);
      await nine.open(`e${i}`, { state: "SUCCEEDED", reason: "ok" });
    }
    assert.equal((await run9).length, 9);
    assert.equal(nine.max(), 1);
  });

  it("abort: stops scheduling, aborts each running worker once, waits, cancels the rest", async () => {
    const g = gatedWorker();
    const controller = new AbortController();
    const events: RolloutEvent[] = [];
    const run = runRollout(
      ["a", "b", "c", "d", "e"].map((id) => t(id)),
      { maxConcurrent: { kind: "count", value: 3 }, failureTolerance: { kind: "count", value: 5 } },
      g.worker,
      { signal: controller.signal, onEvent: (e) => events.push(e) },
    );
    await g.waitStarted(3);
    await g.open("a", { state: "SUCCEEDED", reason: "ok" });
    await g.waitStarted(4);
    controller.abort();
    controller.abort();
    let settled = false;
    void run.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, "must wait for running workers");
    await g.open("b", abortError("update cancelled"));
    await g.open("c", { state: "FAILED", reason: "interrupted update" });
    await g.open("d", new Error("boom"));
    const res = await run;
    assert.deepEqual(brief(res), [
      ["a", "SUCCEEDED", "ok"],
      ["b", "CANCELLED", "stopped while running: update cancelled"],
      ["c", "FAILED", "interrupted update"],
      ["d", "FAILED", "boom"],
      ["e", "CANCELLED", "not tried: the rollout was stopped"],
    ]);
    assert.deepEqual([...g.aborts.entries()].sort(), [
      ["b", 1],
      ["c", 1],
      ["d", 1],
    ]);
    assert.deepEqual(g.calls, ["a", "b", "c", "d"]);
    const finished = events.filter((e) => e.kind === "finished").map((e) => e.target.id);
    assert.deepEqual(finished, ["a", "e", "b", "c", "d"]);
  });

  it("an already-aborted signal cancels everything without calling the worker", async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const res = await runRollout(
      [t("a", "us-east-1"), t("b", "eu-west-1")],
      {},
      async () => {
        calls++;
        return { state: "SUCCEEDED", reason: "ok" };
      },
      { signal: controller.signal },
    );
    assert.equal(calls, 0);
    assert.deepEqual(brief(res), [
      ["a", "CANCELLED", "not tried: the rollout was stopped"],
      ["b", "CANCELLED", "not tried: the rollout was stopped"],
    ]);
  });

  it("no targets resolves to an empty report", async () => {
    assert.deepEqual(
      await runRollout([], {}, async () => ({ state: "SUCCEEDED", reason: "ok" })),
      [],
    );
  });

  it("a throwing listener does not disturb the rollout; its error surfaces after all settled", async () => {
    const calls: string[] = [];
    const boom = new Error("listener bug");
    await assert.rejects(
      runRollout(
        [t("a"), t("b")],
        {},
        async (target) => {
          calls.push(target.id);
          return { state: "SUCCEEDED", reason: "ok" };
        },
        {
          onEvent: (e) => {
            if (e.kind === "started") throw boom;
          },
        },
      ),
      (e: unknown) => e === boom,
    );
    assert.deepEqual(calls, ["a", "b"]);
  });

  it("property: random completion orders and random aborts keep R1, R4 and the event contract", async () => {
    const regions = ["us-east-1", "eu-west-1", undefined];
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(
          fc.record({
            region: fc.constantFrom(...regions),
            outcome: fc.constantFrom("SUCCEEDED", "FAILED", "SKIPPED", "THROW"),
          }),
          { maxLength: 15 },
        ),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (s, specs, maxC, tol, abortSomewhere) => {
          const targets = specs.map((spec, i) => t(`t${i}`, spec.region));
          const controller = new AbortController();
          const events: RolloutEvent[] = [];
          const aborts = new Map<string, number>();
          const called: string[] = [];
          let inFlight = 0;
          let region: string | undefined | null = null;
          const worker = async (target: RolloutTarget, signal: AbortSignal) => {
            called.push(target.id);
            if (inFlight > 0) assert.equal(target.region, region, "two regions in flight");
            region = target.region;
            inFlight++;
            assert.ok(inFlight <= maxC, `R1: ${inFlight} in flight > ${maxC}`);
            signal.addEventListener("abort", () =>
              aborts.set(target.id, (aborts.get(target.id) ?? 0) + 1),
            );
            const spec = specs[Number(target.id.slice(1))];
            try {
              await s.schedule(Promise.resolve(), `finish ${target.id}`);
            } finally {
              inFlight--;
            }
            if (spec.outcome === "THROW") throw new Error(`boom ${target.id}`);
            return { state: spec.outcome, reason: `did ${target.id}` } as WorkerOutcome;
          };
          const aborted = abortSomewhere
            ? s.schedule(Promise.resolve(), "abort").then(() => controller.abort())
            : Promise.resolve();
          const run = runRollout(
            targets,
            {
              maxConcurrent: { kind: "count", value: maxC },
              failureTolerance: { kind: "count", value: tol },
            },
            worker,
            { signal: controller.signal, onEvent: (e) => events.push(e) },
          );
          const res = await s.waitFor(run);
          // The abort may still be pending when the rollout already finished; release it.
          await s.waitIdle();
          await aborted;
          assert.deepEqual(
            res.map((r) => r.id),
            targets.map((x) => x.id),
          );
          for (const r of res) {
            const spec = specs[Number(r.id.slice(1))];
            if (called.includes(r.id)) {
              const want = spec.outcome === "THROW" ? "FAILED" : spec.outcome;
              const reason = spec.outcome === "THROW" ? `boom ${r.id}` : `did ${r.id}`;
              assert.deepEqual([r.state, r.reason], [want, reason]);
              assert.equal(typeof r.durationMs, "number");
            } else {
              assert.equal(r.state, "CANCELLED");
              assert.match(r.reason, /^not tried: /);
              assert.equal(r.startedAt, undefined);
            }
            assert.ok((aborts.get(r.id) ?? 0) <= 1, `${r.id} aborted twice`);
          }
          if (!abortSomewhere) assert.equal(aborts.size, 0);
          const kinds = events.map((e) => e.kind);
          assert.deepEqual(
            kinds.slice(0, targets.length),
            targets.map(() => "queued"),
          );
          const started = events.filter((e) => e.kind === "started").map((e) => e.target.id);
          assert.deepEqual(started, called);
          const finished = events.flatMap((e) => (e.kind === "finished" ? [e.result] : []));
          assert.equal(finished.length, targets.length);
          assert.deepEqual(
            [...finished].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1))),
            res,
          );
        },
      ),
      { numRuns: 1000 },
    );
  });
});
