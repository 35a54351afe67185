import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../automation/cli/main";
import { loadFleet } from "../../automation/fleet/parse-fleet";
import { stackName } from "../../automation/stacks/topology-config";
import { PULUMI_INSTALL_HINT } from "../../automation/stacks/pulumi-cli";
import type { FleetReport } from "../../automation/stacks/run-report";
import { ensureBuilt } from "../check/cli-helpers";
import { FakePulumi, Scenario, StackScenario } from "../fake-pulumi/harness";
import { CENTRAL_OUTPUTS } from "./fixtures";
import { REPO_ROOT, repoPath } from "../helpers/repo-paths";

const ROOT = REPO_ROOT;
const BIN = path.join(ROOT, "bin", "patchfleet.js");
const FLEET = repoPath("test", "runner", "fixtures", "fleet.yaml");
const PASSPHRASE = "correct-horse-battery";

before(function () {
  this.timeout(180_000);
  ensureBuilt();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs bin/patchfleet.js in `cwd` on the compiled dist/ (as an installed CLI runs; `npm test` builds
 * it first, and ensureBuilt rebuilds a stale one); `onStdout` may act on the child (e.g. SIGINT).
 */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  onStdout?: (text: string, pid: number) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...env, PATCHFLEET_FROM_SOURCE: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 45000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child.pid as number);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe("patchfleet CLI end to end (bin/patchfleet.js with the stand-in pulumi on PATH)", function () {
  this.timeout(60000);
  let fake: FakePulumi;
  let work: string;
  let stacks: { central: string; prodA: string; prodB: string };

  before(async () => {
    const fleet = await loadFleet(FLEET);
    stacks = {
      central: stackName(fleet.central),
      prodA: stackName(fleet.members[0]),
      prodB: stackName(fleet.members[1]),
    };
  });

  /** Every stack answers `up` with topology-like outputs unless the scenario says otherwise. */
  function scenarioWith(own: Record<string, StackScenario>): Scenario {
    return { stacks: { "*": { outputs: CENTRAL_OUTPUTS }, ...own } };
  }

  function setup(scenario: Scenario = scenarioWith({})) {
    fake = new FakePulumi(scenario);
    work = path.join(fake.dir, "project");
    fs.mkdirSync(work);
    fs.copyFileSync(FLEET, path.join(work, "fleet.yaml"));
  }

  const readReport = (file: string) =>
    JSON.parse(fs.readFileSync(path.join(work, file), "utf8")) as FleetReport;

  afterEach(() => fake?.cleanup());

  it("up: exit 0, plain progress lines, the report lists every stack once and no secret", async () => {
    setup();
    const run = await cli(
      ["up", "--fleet", "fleet.yaml", "--report", "out/report.json"],
      fake.env(),
      work,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = readReport("out/report.json");
    assert.deepEqual(
      report.targets.map((t) => [t.name, t.role, t.state]),
      [
        ["central", "central", "SUCCEEDED"],
        ["prod-a", "member", "SUCCEEDED"],
        ["prod-b", "member", "SUCCEEDED"],
      ],
    );
    assert.deepEqual(report.counts, { SUCCEEDED: 3, FAILED: 0, CANCELLED: 0, SKIPPED: 0 });
    assert.equal(report.operation, "up");
    assert.equal(report.backend, `file://${path.join(work, ".patchfleet", "state")}`);
    const lines = run.stdout.split("\n").filter((l) => l.startsWith("["));
    assert.deepEqual(
      lines.map((l) => l.replace(/^\[\d\d:\d\d:\d\d\] /, "").replace(/ \(\d+\.\ds\)$/, "")),
      [
        "central (111111111111): started up",
        "central (111111111111): SUCCEEDED: deployed",
        "prod-a (222222222222): started up",
        "prod-a (222222222222): SUCCEEDED: deployed",
        "prod-b (333333333333): started up",
        "prod-b (333333333333): SUCCEEDED: deployed",
      ],
    );
    assert.match(run.stdout, /\nup: 3 succeeded, 0 failed, 0 cancelled, 0 skipped \(\d+\.\ds\)\n/);
    assert.match(run.stdout, /report written to out\/report\.json\n$/);
    const everything =
      run.stdout + run.stderr + fs.readFileSync(path.join(work, "out/report.json"), "utf8");
    assert.ok(!everything.includes(PASSPHRASE));
    assert.ok(fs.existsSync(path.join(work, ".patchfleet", "workspaces")));
  });

  it("a failed member gives exit 1 and --json prints only the report on stdout", async () => {
    setup(scenarioWith({ [stacks.prodB]: { up: "fail" } }));
    const run = await cli(
      ["up", "--fleet", "fleet.yaml", "--json", "--failure-tolerance", "0"],
      fake.env(),
      work,
    );
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as FleetReport;
    assert.deepEqual(
      report.targets.map((t) => t.state),
      ["SUCCEEDED", "SUCCEEDED", "FAILED"],
    );
    assert.match(report.targets[2].reason, /^up failed: Running program failed: /);
    assert.match(run.stderr, /  FAILED prod-b \(333333333333\): up failed: /);
  });

  it("bad input exits 2 with the problem and no stack trace", async () => {
    setup();
    const run = await cli(
      ["up", "--fleet", "fleet.yaml", "--max-concurrent", "0"],
      fake.env(),
      work,
    );
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "patchfleet up: --max-concurrent must be a whole number >= 1 or a percentage 1%-100% " +
        '(e.g. --max-concurrent 5 or --max-concurrent 25%), got "0"\n',
    );
    assert.equal(fake.invocations().length, 0);
  });

  it("a missing Pulumi CLI exits 2 with the install hint, before any work", async () => {
    setup();
    const env = { ...fake.env(), PATH: path.join(fake.dir, "empty-bin") };
    const run = await cli(["up", "--fleet", "fleet.yaml"], env, work);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `patchfleet up: the Pulumi CLI (\`pulumi\`) was not found on PATH. ${PULUMI_INSTALL_HINT}\n`,
    );
    assert.equal(run.stdout, "");
    assert.ok(!fs.existsSync(path.join(work, ".patchfleet")), "nothing was created");
  });

  it("SIGINT: one interrupt to the running pulumi, exit 130, and the report is still written", async () => {
    setup(scenarioWith({ [stacks.prodA]: { up: "slow", slowMs: 20000 } }));
    let sent = false;
    const run = await cli(
      ["up", "--fleet", "fleet.yaml", "--report", "r.json"],
      fake.env(),
      work,
      (out, pid) => {
        if (!sent && out.includes("prod-a (222222222222): started up")) {
          sent = true;
          // Once `pulumi up` of prod-a is under way (the fake marks it), interrupt patchfleet only.
          const poll = setInterval(() => {
            if (!fake.slowStarted(stacks.prodA)) return;
            clearInterval(poll);
            process.kill(pid, "SIGINT");
          }, 50);
        }
      },
    );
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /interrupt received; finishing running work/);
    const report = readReport("r.json");
    assert.equal(report.interrupted, true);
    assert.deepEqual(
      report.targets.map((t) => t.state),
      ["SUCCEEDED", "FAILED", "CANCELLED"],
    );
    assert.match(report.targets[1].reason, /^interrupted: up was cancelled while running/);
    assert.equal(report.targets[2].reason, "not tried: the rollout was stopped");
    assert.equal(fake.invocations().filter((c) => c.signal === "SIGINT").length, 1);
    assert.equal(fake.calls("cancel").length, 0);
  });

  it("policy-config writes the CrossGuard config from the account's stack outputs", async () => {
    setup(
      scenarioWith({
        [stacks.prodA]: {
          outputs: {
            regions: {
              "us-east-1": { baselineIds: { web: "pb-0aaa" } },
              "eu-west-1": { baselineIds: { web: "pb-0bbb" } },
            },
          },
        },
      }),
    );
    const up = await cli(
      ["up", "--fleet", "fleet.yaml", "--only", "central,prod-a"],
      fake.env(),
      work,
    );
    assert.equal(up.code, 0, up.stderr);
    const run = await cli(
      [
        "policy-config",
        "--fleet",
        "fleet.yaml",
        "--account",
        "222222222222",
        "--region",
        "eu-west-1",
      ],
      fake.env(),
      work,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      "patchfleet-instance-approved-baseline": {
        patchGroups: { web: "pb-0bbb" },
        approvedBaselines: ["pb-0bbb"],
      },
    });
  });
});

describe("stack commands --help", () => {
  for (const op of ["preview", "up", "refresh", "destroy", "drift", "outputs", "policy-config"]) {
    it(`${op} --help prints its usage and exits 0`, async () => {
      let out = "";
      const code = await main([op, "--help"], {
        stdout: (t) => (out += t),
        stderr: () => undefined,
        isTTY: false,
        env: {},
        cwd: process.cwd(),
        signal: new AbortController().signal,
      });
      assert.equal(code, 0);
      assert.ok(out.startsWith(`Usage: patchfleet ${op} --fleet <file>`), out);
      assert.match(out, /--help/);
    });
  }
});

describe("stack command option checks", () => {
  it("--clear-pending-creates is refused outside refresh, before reading the fleet", async () => {
    let err = "";
    const code = await main(["up", "--fleet", "missing.yaml", "--clear-pending-creates"], {
      stdout: () => undefined,
      stderr: (t) => (err += t),
      isTTY: false,
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
    });
    assert.equal(code, 2);
    assert.equal(
      err,
      "patchfleet up: --clear-pending-creates only applies to `patchfleet refresh`\n",
    );
  });
});

describe("policy-config in process (stand-in pulumi on the injected PATH)", function () {
  this.timeout(30000);
  let fake: FakePulumi;
  let work: string;

  function io(env: NodeJS.ProcessEnv) {
    const captured = {
      out: "",
      err: "",
      stdout: (t: string) => (captured.out += t),
      stderr: (t: string) => (captured.err += t),
      isTTY: false,
      env,
      cwd: work,
      signal: new AbortController().signal,
    };
    return captured;
  }

  beforeEach(() => {
    fake = new FakePulumi({
      stacks: {
        "*": {
          outputs: {
            ...CENTRAL_OUTPUTS,
            regions: { "us-east-1": { baselineIds: { web: "pb-0ccc", db: "pb-0ddd" } } },
          },
        },
      },
    });
    work = path.join(fake.dir, "project");
    fs.mkdirSync(work);
    fs.copyFileSync(FLEET, path.join(work, "fleet.yaml"));
  });
  afterEach(() => fake.cleanup());

  it("an account whose stack was never deployed is exit 2 with the command to run", async () => {
    const c = io(fake.env());
    const code = await main(["policy-config", "--fleet", "fleet.yaml", "--account", "prod-b"], c);
    assert.equal(code, 2);
    assert.match(
      c.err,
      /^patchfleet policy-config: stack \S+ does not exist yet; run `patchfleet up` first \(deploy it with `patchfleet up --only prod-b`\)\n$/,
    );
    assert.equal(c.out, "");
  });

  it("--out writes the file for the account's first region", async () => {
    const up = io(fake.env());
    assert.equal(await main(["up", "--fleet", "fleet.yaml"], up), 0, up.err);
    const c = io(fake.env());
    const code = await main(
      [
        "policy-config",
        "--fleet",
        "fleet.yaml",
        "--account",
        "333333333333",
        "--out",
        "pc/app.json",
      ],
      c,
    );
    assert.equal(code, 0, c.err);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(work, "pc", "app.json"), "utf8")), {
      "patchfleet-instance-approved-baseline": {
        patchGroups: { web: "pb-0ccc", db: "pb-0ddd" },
        approvedBaselines: ["pb-0ccc", "pb-0ddd"],
      },
    });
    assert.equal(c.err, "policy config for prod-b (us-east-1) written to pc/app.json\n");
    assert.equal(c.out, "");
  });

  it("an unknown account or region is exit 2 naming what exists", async () => {
    const c = io(fake.env());
    assert.equal(
      await main(["policy-config", "--fleet", "fleet.yaml", "--account", "444444444444"], c),
      2,
    );
    assert.equal(
      c.err,
      `patchfleet policy-config: --account: no account "444444444444" in ${path.join(work, "fleet.yaml")}; ` +
        "known: central (111111111111), prod-a (222222222222), prod-b (333333333333)\n",
    );
    const r = io(fake.env());
    assert.equal(
      await main(
        ["policy-config", "--fleet", "fleet.yaml", "--account", "prod-b", "--region", "eu-west-1"],
        r,
      ),
      2,
    );
    assert.equal(
      r.err,
      "patchfleet policy-config: --region: account prod-b is not deployed to eu-west-1; its regions: us-east-1\n",
    );
    assert.equal(fake.invocations().length, 0);
  });
});
