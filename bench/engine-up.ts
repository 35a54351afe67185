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

function main(): number {
  if (!fs.existsSync(path.join(BIN, "pulumi"))) {
    console.error("bench:engine: .engine/bin/pulumi is missing; run `npm run engine:setup` first");
    return 2;
  }
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
    {
      env,
      encoding: "utf8",
    },
  );
  const wall = (Date.now() - t0) / 1000;
  if (up.status !== 0) {
    console.error(up.stdout, up.stderr);
    return 1;
  }
  const targets = (
    JSON.parse(fs.readFileSync(report, "utf8")) as { targets: { stackName: string }[] }
  ).targets;
  let engine = 0;
  const rows: string[] = [];
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
    rows.push(`  ${t.stackName.padEnd(24)} ${secs.toFixed(1)} s`);
  }
  console.log(`patchfleet up, examples/fleet.yaml (${targets.length} stacks), real Pulumi engine:`);
  console.log(rows.join("\n"));
  console.log(`  wall time                ${wall.toFixed(1)} s`);
  console.log(`  sum of stacks' engine    ${engine.toFixed(1)} s`);
  console.log(
    `  runner overhead          ${(wall - engine).toFixed(1)} s beyond the summed engine time ` +
      `(stacks overlap under rollout.maxConcurrent, so this can be negative)`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return 0;
}

process.exitCode = main();
