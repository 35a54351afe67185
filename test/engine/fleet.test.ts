/**
 * The fleet commands (`patchfleet up/preview/drift/refresh/destroy`, bin/patchfleet.js) on a small
 * fleet file under the real Pulumi CLI, plus the CrossGuard pack on examples/app with the policy
 * config `patchfleet policy-config` writes from the deployed stacks.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  CENTRAL,
  REPO,
  cloudResources,
  gate,
  pulumi,
  pulumiOk,
  requireEngine,
  sandbox,
  start,
  waitFor,
} from "./harness";
import type { Sandbox } from "./harness";

const MEMBER = "222222222222";
const CLI = path.join(REPO, "bin", "patchfleet.js");

function fleetYaml(groups: string[]): string {
  const group = (name: string) => `  ${name}:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [Security, Bugfix]
        approveAfterDays: 7
        complianceLevel: CRITICAL
`;
  return `project: patchfleet
central:
  account: "${CENTRAL}"
  name: central
  regions: [us-east-1]
members:
  - account: "${MEMBER}"
    name: prod-a
    regions: [us-east-1]
    deployRole: arn:aws:iam::${MEMBER}:role/patchfleet-deploy
patchGroups:
${groups.map(group).join("")}maintenanceWindows:
  scan:
    schedule: "cron(0 1 ? * * *)"
    timezone: UTC
    durationHours: 2
    cutoffHours: 1
    maxConcurrency: "25%"
    maxErrors: "10%"
rollout:
  maxConcurrent: 2
  failureTolerance: 0
logBucket: patchfleet-engine-logs-${CENTRAL}
backend: file://./state
`;
}

interface Report {
  interrupted?: boolean;
  counts: Record<string, number>;
  targets: {
    name: string;
    state: string;
    changes?: Record<string, number>;
    error?: string;
    message?: string;
  }[];
}

describe("engine: patchfleet fleet commands under the real Pulumi CLI", function () {
  let sb: Sandbox;
  let fleetFile: string;

  function patchfleet(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: sb.dir,
      env: { ...sb.env, ...extraEnv },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function run(op: string, extra: string[] = []): Report {
    const reportFile = path.join(sb.dir, `${op}-report.json`);
    const r = patchfleet([op, "--fleet", fleetFile, "--report", reportFile, ...extra]);
    if (r.status !== 0) {
      throw new Error(`patchfleet ${op} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    }
    return JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report;
  }

  before(function () {
    requireEngine(this);
    sb = sandbox("fleet");
    fleetFile = path.join(sb.dir, "fleet.yaml");
    fs.writeFileSync(fleetFile, fleetYaml(["web-linux"]));
  });

  it("Ctrl-C during a rollout: exit 130, the report is written, no stack is left locked", async function () {
    const reportFile = path.join(sb.dir, "interrupted-report.json");
    const env = { ...sb.env, PATCHFLEET_STANDIN_DELAY_MS: "1500" };
    const p = start(
      process.execPath,
      [CLI, "up", "--fleet", fleetFile, "--report", reportFile],
      sb.dir,
      env,
    );
    const deadline = Date.now() + 240_000;
    // Interrupt once the engine is creating the central stack's resources: patchfleet up prints
    // no engine events, so watch the stand-in cloud for the first one.
    let exited = false;
    void p.done.then(() => (exited = true));
    while (cloudResources(sb).length === 0 && !exited && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    p.child.kill("SIGINT");
    const { code } = await p.done;
    assert.equal(code, 130, p.output());
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report;
    assert.equal(report.interrupted, true);
    // The file backend keeps a stack's lock under .pulumi/locks while an update holds it.
    const locks = path.join(sb.dir, "state", ".pulumi", "locks");
    const held = fs.existsSync(locks)
      ? fs.readdirSync(locks, { recursive: true }).filter((f) => String(f).endsWith(".json"))
      : [];
    assert.deepEqual(held, []);
  });

  it("`patchfleet up` deploys central first, then the member with central's outputs", function () {
    // After an interrupt, refresh clears what the engine left pending (pulumi docs: pending
    // operations, https://www.pulumi.com/docs/iac/concepts/state-and-backends/#pending-operations).
    run("refresh", ["--clear-pending-creates"]);
    const report = run("up");
    assert.deepEqual(
      report.targets.map((t) => [t.name, t.state]),
      [
        ["central", "SUCCEEDED"],
        ["prod-a", "SUCCEEDED"],
      ],
    );
    const cloud = cloudResources(sb);
    assert.ok(
      cloud.some((l) => l.startsWith(`${MEMBER}-us-east-1.json aws:ssm/patchBaseline`)),
      cloud.join("\n"),
    );
  });

  it("a second `patchfleet up` changes nothing; preview, drift and refresh agree", function () {
    for (const op of ["up", "preview", "drift", "refresh"]) {
      const report = run(op);
      for (const t of report.targets) {
        assert.equal(t.state, "SUCCEEDED", `${op} ${t.name}: ${JSON.stringify(t)}`);
        if (t.changes) {
          // Pulumi's change summary: only `same` when nothing changes.
          assert.deepEqual(
            Object.keys(t.changes),
            ["same"],
            `${op} ${t.name}: ${JSON.stringify(t.changes)}`,
          );
        }
      }
    }
  });

  it("a stack locked by another pulumi process is reported as locked", async function () {
    const programDir = path.join(sb.dir, "lock-holder");
    fs.mkdirSync(programDir);
    fs.writeFileSync(path.join(programDir, "Pulumi.yaml"), "name: patchfleet\nruntime: nodejs\n");
    // `pulumi refresh` of the central stack holds its lock while its reads wait at the stand-in
    // cloud's gate, which opens only once patchfleet has run: no race against the holder's pace.
    const held = gate(sb, "lock-holder");
    const holder = start(
      path.join(REPO, ".engine", "bin", "pulumi"),
      ["refresh", "--yes", "--stack", "central", "--non-interactive"],
      programDir,
      { ...held.env, PULUMI_BACKEND_URL: `file://${path.join(sb.dir, "state")}` },
    );
    const reportFile = path.join(sb.dir, "locked-report.json");
    let r: ReturnType<typeof patchfleet>;
    try {
      await waitFor("the holder's refresh to reach the cloud", held.reached);
      r = patchfleet(["up", "--fleet", fleetFile, "--only", "central", "--report", reportFile]);
    } finally {
      held.open();
    }
    assert.equal((await holder.done).code, 0, holder.output());
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report;
    const central = report.targets.find((t) => t.name === "central");
    assert.match(JSON.stringify(central), /locked/);
  });

  it("the policy pack blocks examples/app's first preview, and passes once its groups are registered", function () {
    const app = path.join(sb.dir, "app");
    fs.cpSync(path.join(REPO, "examples", "app"), app, { recursive: true });
    fs.rmSync(path.join(app, "policy-config.json"));
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(app, "node_modules"));
    const policyConfig = path.join(sb.dir, "policy-config.json");
    const pc = patchfleet([
      "policy-config",
      "--fleet",
      fleetFile,
      "--account",
      "prod-a",
      "--out",
      policyConfig,
    ]);
    assert.equal(pc.status, 0, pc.stdout + pc.stderr);

    pulumiOk(sb, ["stack", "init", "app-dev"], app);
    pulumiOk(sb, ["config", "set", "aws:region", "us-east-1", "--stack", "app-dev"], app);
    // As the README says: the pack straight from the repository, installed once at its root.
    const pack = path.join(REPO, "policy-pack");
    const blocked = pulumi(
      sb,
      [
        "preview",
        "--stack",
        "app-dev",
        "--policy-pack",
        pack,
        "--policy-pack-config",
        policyConfig,
      ],
      app,
    );
    const out = blocked.stdout + blocked.stderr;
    assert.notEqual(blocked.status, 0, out);
    assert.match(out, /patchfleet-instance-approved-baseline/);
    assert.match(out, /batch/);
    assert.match(out, /legacy-batch/);

    fs.writeFileSync(fleetFile, fleetYaml(["web-linux", "legacy-batch"]));
    run("up");
    const pc2 = patchfleet([
      "policy-config",
      "--fleet",
      fleetFile,
      "--account",
      "prod-a",
      "--out",
      policyConfig,
    ]);
    assert.equal(pc2.status, 0, pc2.stdout + pc2.stderr);
    // The first preview type-checked examples/app; this one only transpiles it
    // (PULUMI_NODEJS_TRANSPILE_ONLY, read by @pulumi/pulumi's cmd/run), as it did not change.
    const passed = pulumi(
      sb,
      [
        "preview",
        "--stack",
        "app-dev",
        "--policy-pack",
        pack,
        "--policy-pack-config",
        policyConfig,
      ],
      app,
      { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    );
    assert.equal(passed.status, 0, passed.stdout + passed.stderr);
    assert.ok(
      !fs.existsSync(path.join(pack, "node_modules")),
      "nothing is installed inside policy-pack/",
    );
  });

  it("`patchfleet destroy` leaves the stand-in cloud empty", function () {
    run("destroy");
    assert.deepEqual(cloudResources(sb), []);
  });
});
