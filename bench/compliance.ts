/**
 * Compliance read throughput against the local SSM/STS endpoint: 100 account-regions (50 accounts
 * × 2 regions) × 200 instances, 20 ms latency per request, at concurrency 1 and 16. Prints wall
 * time, speed-up and API calls per target next to the pages each target needs.
 *
 * The latency floor of each run is the schedule itself, replayed without any CPU cost: targets are
 * handed to `concurrency` workers in order, a target first waits for its account's AssumeRole (one
 * per account, shared by its regions), then reads its pages one after another. Its ratio is the
 * best speed-up the latency allows (100 targets over 16 workers take 7 rounds, not 6.25).
 *
 * The endpoint runs in a child process so that its CPU time does not share the event loop being
 * measured. A short untimed warm-up first loads the SDK and compiles the hot paths, so neither
 * measured run pays for that.
 *
 *   npm run build && node dist/bench/compliance.js [--accounts 50] [--instances 200] [--latency 20]
 *     [--concurrency 1,16]
 */
import { fork } from "child_process";
import * as os from "os";
import { performance } from "perf_hooks";
import { gatherCompliance } from "../automation/ops/compliance";
import { FakeAws, useFakeEnv } from "../test/ops/fake-aws";
import { CENTRAL_KEY, makeFleet, makeInstances, member, registerRoles } from "../test/ops/fixtures";

const REGIONS = ["us-east-1", "eu-west-1"];

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function list(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1].split(",").map(Number);
}

/**
 * Wall time of a run if only latency counted: `concurrency` workers take targets in order; each
 * target waits for its account's role (assumed once, by the first target of that account), then
 * makes `pages` calls one after another.
 */
export function latencyFloorMs(
  accountOfTarget: readonly string[],
  concurrency: number,
  pages: number,
  latency: number,
): number {
  const free = new Array<number>(Math.max(1, concurrency)).fill(0);
  const roleReady = new Map<string, number>();
  let end = 0;
  for (const account of accountOfTarget) {
    const w = free.indexOf(Math.min(...free));
    const start = free[w];
    let ready = roleReady.get(account);
    if (ready === undefined) {
      ready = start + latency;
      roleReady.set(account, ready);
    }
    free[w] = Math.max(start, ready) + pages * latency;
    end = Math.max(end, free[w]);
  }
  return end;
}

function accountIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `7${String(i).padStart(11, "0")}`);
}

interface Stats {
  ssmCalls: number;
  stsCalls: number;
  maxInFlight: number;
  /** TCP connections the endpoint accepted. */
  connections: number;
  /** CPU time of the endpoint process since the last stats, in ms. */
  cpuMs: number;
}

function cpuMs(since?: NodeJS.CpuUsage): { ms: number; systemMs: number; now: NodeJS.CpuUsage } {
  const now = process.cpuUsage();
  const d = since ? process.cpuUsage(since) : now;
  return { ms: (d.user + d.system) / 1000, systemMs: d.system / 1000, now };
}

type Message = { url: string } | { stats: Stats };

/** Child process: serve the fake endpoint; answer "stats" (and reset counters) on request. */
async function serve(accounts: number, instances: number, latency: number): Promise<void> {
  const fake = new FakeAws();
  await fake.start();
  fake.latencyMs = latency;
  const fleet = makeFleet(accountIds(accounts).map((a) => member(a, REGIONS)));
  registerRoles(fake, fleet);
  for (const m of fleet.members) {
    for (const r of REGIONS) {
      fake.instances.set(
        `${m.account}/${r}`,
        makeInstances(`${m.account.slice(-3)}${r}`, instances),
      );
    }
  }
  let mark = process.cpuUsage();
  process.on("message", (msg: string) => {
    if (msg === "stats") {
      const cpu = cpuMs(mark);
      mark = cpu.now;
      const stats: Stats = {
        cpuMs: cpu.ms,
        ssmCalls: fake.calls.filter((c) => c.service === "ssm").length,
        stsCalls: fake.calls.filter((c) => c.service === "sts").length,
        maxInFlight: fake.maxInFlight,
        connections: fake.connections,
      };
      fake.calls.length = 0;
      fake.maxInFlight = 0;
      fake.connections = 0;
      process.send!({ stats } satisfies Message);
    } else if (msg === "stop") {
      void fake.stop().then(() => process.disconnect());
    }
  });
  process.send!({ url: fake.url } satisfies Message);
}

async function measure(accounts: number, instances: number, latency: number): Promise<void> {
  const child = fork(__filename, ["--serve", ...process.argv.slice(2)], { stdio: "inherit" });
  const next = () =>
    new Promise<Message>((resolve) => child.once("message", (m) => resolve(m as Message)));
  const first = await next();
  if (!("url" in first)) throw new Error("bench: the endpoint did not start");
  const restore = useFakeEnv(CENTRAL_KEY);
  const fleet = makeFleet(accountIds(accounts).map((a) => member(a, REGIONS)));
  const targets = accounts * REGIONS.length;
  const accountOfTarget = fleet.members.flatMap((m) => m.regions.map(() => m.account));
  // DescribeInstanceInformation and DescribeInstancePatchStates, 50 per page each.
  const pagesNeeded = 2 * Math.ceil(instances / 50);
  const calls = targets * pagesNeeded + accounts;
  console.log(
    `compliance bench: ${targets} account-regions x ${instances} instances, ${latency} ms latency, ` +
      `${pagesNeeded} pages needed per target (${calls} calls with ${accounts} AssumeRole); ` +
      `node ${process.version}, ${os.cpus().length} cpus`,
  );
  // Untimed warm-up on a fifth of the accounts (a few hundred calls): module loading and the JIT's
  // optimizing compiler do their work here instead of in whichever measured run comes first.
  await gatherCompliance({
    fleet: makeFleet(fleet.members.slice(0, Math.max(1, Math.ceil(accounts / 5)))),
    runId: "warmup",
    aws: { endpoint: first.url },
    concurrency: 16,
    detailLimit: 0,
  });
  let base = 0;
  let baseFloor = 0;
  for (const concurrency of list("concurrency", [1, 16])) {
    child.send("stats");
    await next(); // resets the endpoint's counters and CPU mark
    const load = os.loadavg()[0];
    const cpuStart = process.cpuUsage();
    const eluStart = performance.eventLoopUtilization();
    const started = process.hrtime.bigint();
    const report = await gatherCompliance({
      fleet,
      runId: `bench${concurrency}`,
      aws: { endpoint: first.url },
      concurrency,
      detailLimit: 0,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const clientCpu = cpuMs(cpuStart);
    // Share of the run the client's event loop was busy: near 1, the client is the bottleneck.
    const elu = performance.eventLoopUtilization(eluStart).utilization;
    child.send("stats");
    const reply = await next();
    if (!("stats" in reply)) throw new Error("bench: no stats from the endpoint");
    const s = reply.stats;
    const perTarget = report.targets.map((t) => t.apiCalls);
    const read = report.targets.filter((t) => t.state === "SUCCEEDED").length;
    const floor = latencyFloorMs(accountOfTarget, concurrency, pagesNeeded, latency);
    if (base === 0) {
      base = ms;
      baseFloor = floor;
    }
    const speedUp =
      ms === base
        ? ""
        : `, speed-up ${(base / ms).toFixed(1)}x (latency allows ${(baseFloor / floor).toFixed(1)}x)`;
    console.log(
      `concurrency ${String(concurrency).padStart(2)}: ${(ms / 1000).toFixed(2)} s` +
        ` (latency floor ${(floor / 1000).toFixed(2)} s, ${((ms / floor - 1) * 100).toFixed(0)}% over)` +
        speedUp +
        `\n  calls per target min ${Math.min(...perTarget)} max ${Math.max(...perTarget)}` +
        `, server saw ${s.ssmCalls / targets} SSM calls per target and ${s.stsCalls} AssumeRole ` +
        `for ${accounts} accounts, max ${s.maxInFlight} requests in flight` +
        `, ${s.connections} connections; ${read}/${targets} targets read, ` +
        `${report.totals.instances} instances` +
        `\n  CPU: client ${(clientCpu.ms / 1000).toFixed(2)} s ` +
        `(${(clientCpu.ms / calls).toFixed(2)} ms per call, system ${(clientCpu.systemMs / 1000).toFixed(2)} s)` +
        `, client event loop busy ${(elu * 100).toFixed(0)}% of the run` +
        `, endpoint ${(s.cpuMs / 1000).toFixed(2)} s; load average before the run ${load.toFixed(1)}`,
    );
    if (read !== targets || report.totals.instances !== targets * instances) {
      throw new Error("bench: a target or an instance went missing");
    }
    if (perTarget.some((n) => n !== pagesNeeded)) {
      throw new Error(
        `bench: expected ${pagesNeeded} calls per target, got ${perTarget.join(",")}`,
      );
    }
  }
  child.send("stop");
  await new Promise((resolve) => child.once("exit", resolve));
  restore();
}

const accounts = arg("accounts", 50);
const instances = arg("instances", 200);
const latency = arg("latency", 20);
(process.argv.includes("--serve")
  ? serve(accounts, instances, latency)
  : measure(accounts, instances, latency)
).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
