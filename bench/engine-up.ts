/**
 * `patchfleet up` on examples/fleet.yaml under the real Pulumi engine (npm run engine:setup), with
 * the stand-in AWS provider: wall time of the whole rollout, and the runner's overhead against
 * the sum of the stacks' own engine time (each stack's update duration as the CLI records it in
 * `pulumi stack history --json`: startTime to endTime).
 *
 *   npm run engine:setup && npm run bench:engine
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..");
const BIN = path.join(REPO, ".engine", "bin");

interface HistoryEntry {
  kind: string;
  startTime: string;
  endTime: string;
}

interface Sample {
  wall: number;
  engine: number;
  stacks: [string, number][];
}

/** One `patchfleet up` of the example fleet into a fresh backend and stand-in cloud. */
function once(): Sample | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-bench-engine-"));
  const fleetFile = path.join(dir, "fleet.yaml");
  fs.writeFileSync(
    fleetFile,
    fs
      .readFileSync(path.join(REPO, "examples", "fleet.yaml"), "utf8")
      .replace(/^backend:.*$/m, "backend: file://./state"),
  );
  const env = {
    ...process.env,
    PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PATCHFLEET_STANDIN_CLOUD: path.join(dir, "cloud"),
    PATCHFLEET_STANDIN_ACCOUNT: "111111111111",
  };
  const report = path.join(dir, "report.json");
  const t0 = Date.now();
  const up = spawnSync(
    process.execPath,
    [path.join(REPO, "bin", "patchfleet.js"), "up", "--fleet", fleetFile, "--report", report],
    { cwd: dir, env, encoding: "utf8" },
  );
  const wall = (Date.now() - t0) / 1000;
  if (up.status !== 0) {
    console.error(up.stdout, up.stderr);
    return undefined;
  }
  const targets = (
    JSON.parse(fs.readFileSync(report, "utf8")) as { targets: { stackName: string }[] }
  ).targets;
  let engine = 0;
  const stacks: [string, number][] = [];
  const projectDir = path.join(dir, "project");
  fs.mkdirSync(projectDir);
  fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), "name: patchfleet\nruntime: nodejs\n");
  for (const t of targets) {
    const h = spawnSync(
      path.join(BIN, "pulumi"),
      ["stack", "history", "--json", "--stack", t.stackName],
      {
        cwd: projectDir,
        env: { ...env, PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}` },
        encoding: "utf8",
      },
    );
    const last = (JSON.parse(h.stdout) as HistoryEntry[])[0];
    const secs = last ? (Date.parse(last.endTime) - Date.parse(last.startTime)) / 1000 : 0;
    engine += secs;
    stacks.push([t.stackName, secs]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { wall, engine, stacks };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): number {
  if (!fs.existsSync(path.join(BIN, "pulumi"))) {
    console.error("bench:engine: .engine/bin/pulumi is missing; run `npm run engine:setup` first");
    return 2;
  }
  const runs = Number(process.env.PATCHFLEET_BENCH_RUNS ?? 3);
  const samples: Sample[] = [];
  for (let i = 1; i <= runs; i++) {
    const s = once();
    if (!s) return 1;
    samples.push(s);
    console.log(
      `run ${i}/${runs}: wall ${s.wall.toFixed(1)} s, stacks' engine ${s.engine.toFixed(1)} s ` +
        `(${s.stacks.map(([n, t]) => `${n} ${t.toFixed(0)} s`).join(", ")})`,
    );
  }
  const wall = median(samples.map((s) => s.wall));
  const engine = median(samples.map((s) => s.engine));
  const overhead = median(samples.map((s) => s.wall - s.engine));
  console.log(
    `patchfleet up, examples/fleet.yaml (${samples[0].stacks.length} stacks), real Pulumi ` +
      `engine, median of ${runs} runs (${os.cpus().length} cores, Node ${process.versions.node}):`,
  );
  console.log(`  wall time                ${wall.toFixed(1)} s`);
  console.log(`  sum of stacks' engine    ${engine.toFixed(1)} s`);
  console.log(
    `  runner overhead          ${overhead.toFixed(1)} s beyond the summed engine time ` +
      `(stacks overlap under rollout.maxConcurrent, so this can be negative)`,
  );
  return 0;
}

process.exitCode = main();
