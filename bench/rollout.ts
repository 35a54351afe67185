/**
 * Rollout overhead: a fake worker of fixed latency t, N targets, concurrency C. The ideal wall time
 * is ceil(N / C) · t; everything above it is scheduling overhead (plus timer lateness, shown
 * separately as the workers' own mean latency). Goal: overhead under 5 %.
 *
 *   npm run build && node dist/bench/rollout.js
 */
import { RolloutTarget, runRollout } from "../automation/rollout/scheduler";

interface Case {
  n: number;
  c: number;
  latencyMs: number;
}

const CASES: Case[] = [
  { n: 200, c: 1, latencyMs: 100 },
  { n: 200, c: 10, latencyMs: 250 },
  { n: 200, c: 50, latencyMs: 1000 },
];

function targets(n: number): RolloutTarget[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    account: String(100000000000 + i),
    region: "us-east-1",
  }));
}

async function measure({ n, c, latencyMs }: Case) {
  let workerTime = 0;
  let maxInFlight = 0;
  let inFlight = 0;
  const start = process.hrtime.bigint();
  const results = await runRollout(
    targets(n),
    { maxConcurrent: { kind: "count", value: c }, failureTolerance: { kind: "count", value: n } },
    async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const t0 = process.hrtime.bigint();
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      workerTime += Number(process.hrtime.bigint() - t0) / 1e6;
      inFlight--;
      return { state: "SUCCEEDED", reason: "ok" };
    },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (results.length !== n || results.some((r) => r.state !== "SUCCEEDED")) {
    throw new Error(`rollout of ${n} targets did not succeed everywhere`);
  }
  const idealMs = Math.ceil(n / c) * latencyMs;
  return { wallMs, idealMs, meanWorkerMs: workerTime / n, maxInFlight };
}

/** Scheduler cost alone: workers that resolve at once. */
async function schedulerOnly(n: number, c: number) {
  const start = process.hrtime.bigint();
  await runRollout(
    targets(n),
    { maxConcurrent: { kind: "count", value: c }, failureTolerance: { kind: "count", value: n } },
    async () => ({ state: "SUCCEEDED", reason: "ok" }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
  console.log("N    C   t(ms)  ideal(ms)  wall(ms)  overhead  mean worker(ms)  max in flight");
  let worst = 0;
  for (const k of CASES) {
    const r = await measure(k);
    const overhead = ((r.wallMs - r.idealMs) / r.idealMs) * 100;
    worst = Math.max(worst, overhead);
    console.log(
      `${String(k.n).padEnd(4)} ${String(k.c).padEnd(3)} ${String(k.latencyMs).padEnd(6)} ` +
        `${String(r.idealMs).padEnd(10)} ${r.wallMs.toFixed(0).padEnd(9)} ` +
        `${(overhead.toFixed(2) + " %").padEnd(9)} ${r.meanWorkerMs.toFixed(2).padEnd(16)} ${r.maxInFlight}`,
    );
  }
  for (const c of [1, 50]) {
    const ms = await schedulerOnly(10_000, c);
    console.log(
      `scheduler alone: 10000 targets, C=${c}: ${ms.toFixed(0)} ms (${((ms / 10_000) * 1000).toFixed(1)} µs/target)`,
    );
  }
  console.log(`worst overhead ${worst.toFixed(2)} % (goal < 5 %)`);
  if (worst >= 5) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
