import { strict as assert } from "assert";
import { spawn } from "child_process";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli/main";
import type { CliIO } from "../../automation/cli/io";
import type { ComplianceReport } from "../../automation/ops/compliance";
import type { PatchReport } from "../../automation/ops/patch";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeInstances } from "./fixtures";
import { ensureBuilt } from "../check/cli-helpers";
import { REPO_ROOT } from "../helpers/repo-paths";

const A = "222222222222";
const B = "333333333333";
const ROOT = REPO_ROOT;

const FLEET = `central:
  account: "${CENTRAL}"
  regions: [us-east-1, eu-west-1]
  operationsRole: arn:aws:iam::${CENTRAL}:role/patchfleet-operations
members:
  - account: "${A}"
    name: prod-a
    regions: [us-east-1, eu-west-1]
    readRole: arn:aws:iam::${A}:role/patchfleet-read
    externalId: ext-222
  - account: "${B}"
    name: prod-b
    regions: [us-east-1]
    readRole: arn:aws:iam::${B}:role/patchfleet-read
patchGroups:
  web-linux:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [Security]
        approveAfterDays: 7
rollout:
  maxConcurrent: 50%
  failureTolerance: 1
`;

function io(env: NodeJS.ProcessEnv, cwd: string, signal = new AbortController().signal) {
  const out = { out: "", err: "" };
  const value: CliIO = {
    stdout: (t) => void (out.out += t),
    stderr: (t) => void (out.err += t),
    isTTY: false,
    env,
    cwd,
    signal,
  };
  return Object.assign(out, { io: value });
}

describe("patch and compliance commands", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let dir: string;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    fake.baseKeys.set(CENTRAL_KEY, CENTRAL);
    fake.roles.set(`arn:aws:iam::${CENTRAL}:role/patchfleet-operations`, { account: CENTRAL });
    fake.roles.set(`arn:aws:iam::${A}:role/patchfleet-read`, { account: A, externalId: "ext-222" });
    fake.roles.set(`arn:aws:iam::${B}:role/patchfleet-read`, { account: B });
    for (const r of ["us-east-1", "eu-west-1"]) {
      fake.documents.set(`${CENTRAL}/${r}/patchfleet-RunPatchBaseline`, {
        type: "Automation",
        sharedWith: [A, B],
      });
    }
    for (const t of [
      `${CENTRAL}/us-east-1`,
      `${CENTRAL}/eu-west-1`,
      `${A}/us-east-1`,
      `${A}/eu-west-1`,
      `${B}/us-east-1`,
    ]) {
      fake.resourceGroups.add(`${t}/patchfleet-patch-targets`);
    }
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-cli-"));
    await fs.writeFile(path.join(dir, "fleet.yaml"), FLEET);
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("patch --json prints the report, writes --report and exits 1 when a target failed", async () => {
    fake.plan = {
      parentStatuses: ["InProgress", "CompletedWithFailure"],
      targetStatuses: { [`${B}/us-east-1`]: "TimedOut" },
    };
    // Output directories must exist before the run (checked before any AWS call).
    await fs.mkdir(path.join(dir, "out"));
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(
      [
        "patch",
        "--fleet",
        "fleet.yaml",
        "--operation",
        "Scan",
        "--json",
        "--report",
        "out/patch.json",
        "--poll-seconds",
        "0.01",
      ],
      c.io,
    );
    assert.equal(code, 1, c.err);
    const report = JSON.parse(c.out) as PatchReport;
    const written = JSON.parse(await fs.readFile(path.join(dir, "out/patch.json"), "utf8"));
    assert.deepEqual(written, report);
    assert.equal(report.operation, "Scan");
    assert.equal(report.reboot, "RebootIfNeeded");
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state]),
      [
        [CENTRAL, "us-east-1", "SUCCEEDED"],
        [CENTRAL, "eu-west-1", "SUCCEEDED"],
        [A, "us-east-1", "SUCCEEDED"],
        [A, "eu-west-1", "SUCCEEDED"],
        [B, "us-east-1", "FAILED"],
      ],
    );
    // One automation per region, one after another.
    const starts = fake.callsOf("StartAutomationExecution").map(
      (c) =>
        c.body as {
          TargetLocations: {
            Regions: string[];
            TargetLocationMaxConcurrency: string;
            TargetLocationMaxErrors: string;
          }[];
        },
    );
    assert.deepEqual(
      starts.map((b) =>
        b.TargetLocations.map((l) => [
          l.Regions,
          l.TargetLocationMaxConcurrency,
          l.TargetLocationMaxErrors,
        ]),
      ),
      [[[["us-east-1"], "50%", "1"]], [[["eu-west-1"], "50%", "1"]]],
    );
    assert.match(c.err, /Scan: 4 succeeded, 1 failed, 0 cancelled, 0 skipped, 0 still running/);
    assert.match(c.err, /report written to out\/patch.json/);
    // Runs are kept beside the fleet file.
    const runs = await fs.readdir(path.join(dir, ".patchfleet", "runs"));
    assert.deepEqual(runs, [`patch-run-${report.runId}.json`]);
  });

  it("patch exits 2 on a preflight problem and prints each problem with its fix", async () => {
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-RunPatchBaseline`, {
      type: "Automation",
      sharedWith: [A],
    });
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(
      ["patch", "--fleet", "fleet.yaml", "--operation", "Install", "--reboot", "NoReboot"],
      c.io,
    );
    assert.equal(code, 2);
    assert.match(
      c.out,
      new RegExp(
        `^Preflight found 1 problem\\(s\\); nothing was started:\\n  ${B}/us-east-1: runbook ` +
          `patchfleet-RunPatchBaseline in us-east-1 is not shared with member account ${B} ` +
          `\\(prod-b\\)\\n    fix: share it`,
      ),
    );
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });

  it("rejects bad options with exit 2 and the fix", async () => {
    const cases: [string[], string][] = [
      [
        ["patch", "--fleet", "fleet.yaml"],
        "patchfleet patch: --operation Scan|Install is required (Scan only reports)\n",
      ],
      [
        ["patch", "--fleet", "fleet.yaml", "--operation", "scan"],
        'patchfleet patch: --operation must be one of Scan, Install, got "scan"\n',
      ],
      [
        ["patch", "--fleet", "fleet.yaml", "--operation", "Install", "--reboot", "Always"],
        'patchfleet patch: --reboot must be one of RebootIfNeeded, NoReboot, got "Always"\n',
      ],
      [
        ["compliance", "--fleet", "fleet.yaml", "--concurrency", "0"],
        'patchfleet compliance: --concurrency must be a whole number from 1 to 256, got "0"\n',
      ],
      [
        ["compliance"],
        "patchfleet compliance: --fleet <file> is required (e.g. --fleet examples/fleet.yaml)\n",
      ],
    ];
    for (const [argv, message] of cases) {
      const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
      assert.equal(await main(argv, c.io), 2, argv.join(" "));
      assert.equal(c.err, message);
    }
    assert.equal(fake.calls.length, 0);
  });

  it("compliance writes JSON and the dashboard and exits 1 when a target cannot be read", async () => {
    fake.instances.set(`${A}/us-east-1`, makeInstances("a", 4));
    fake.instances.set(`${A}/eu-west-1`, makeInstances("e", 2));
    fake.unassumable.add(`arn:aws:iam::${B}:role/patchfleet-read`);
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(
      ["compliance", "--fleet", "fleet.yaml", "--html", "dash.html", "--report", "c.json"],
      c.io,
    );
    assert.equal(code, 1, c.err);
    const report = JSON.parse(
      await fs.readFile(path.join(dir, "c.json"), "utf8"),
    ) as ComplianceReport;
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.totals.instances]),
      [
        [A, "us-east-1", "SUCCEEDED", 4],
        [A, "eu-west-1", "SUCCEEDED", 2],
        [B, "us-east-1", "FAILED", 0],
      ],
    );
    const lines = c.out.split("\n");
    assert.equal(
      lines[0],
      `  ${A} prod-a us-east-1: 50% compliant, 2/4 reporting instances, 4 missing, 1 failed, 2 critical, ` +
        "4 security; last Scan 2026-11-20T03:03:00.000Z",
    );
    assert.match(
      lines[2],
      new RegExp(`^  ${B} prod-b us-east-1: FAILED: could not read .*AccessDenied`),
    );
    assert.equal(
      lines[3],
      // An account-region that was not read makes the fleet figure partial, and it says so first
      // (issue: "100% compliant" with nothing read).
      "Fleet: only 2/3 account-regions read (1 unreadable); of what was read: 50% compliant, " +
        "3/6 reporting instances, 6 missing, 2 failed, 3 critical, 6 security",
    );
    assert.equal(lines[4], "report written to c.json");
    assert.equal(lines[5], "dashboard written to dash.html");
    const html = await fs.readFile(path.join(dir, "dash.html"), "utf8");
    assert.match(html, /<dd data-total="instances">6<\/dd>/);
    const assume = fake
      .callsOf("AssumeRole")
      .find((x) => x.body.RoleArn === `arn:aws:iam::${A}:role/patchfleet-read`);
    assert.equal(assume?.body.ExternalId, "ext-222");
    assert.match(String(assume?.body.RoleSessionName), new RegExp(`^patchfleet-[0-9a-f]{8}-${A}$`));
  });

  it("Ctrl-C in a real process stops waiting, prints the stop command and exits 130", async function () {
    this.timeout(60_000);
    ensureBuilt();
    fake.plan = { parentStatuses: ["InProgress"] };
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "bin", "patchfleet.js"),
        "patch",
        "--fleet",
        path.join(dir, "fleet.yaml"),
        "--operation",
        "Install",
        "--poll-seconds",
        "30",
      ],
      {
        cwd: dir,
        // The compiled CLI, as installed (ensureBuilt rebuilds a stale dist/).
        env: { ...process.env, PATCHFLEET_FROM_SOURCE: "", PATCHFLEET_AWS_ENDPOINT: fake.url },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress line; stderr: ${err}`)), 45_000);
      let sent = false;
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        // One Ctrl-C: later chunks (the report) must not send a second one to an exiting process.
        if (!sent && out.includes("next check in")) {
          sent = true;
          clearTimeout(timer);
          child.kill("SIGINT");
          resolve();
        }
      });
    });
    assert.equal(await exit, 130, err);
    const id = [...fake.executions.keys()][0];
    assert.match(
      out,
      new RegExp(
        "Stopped waiting; the automation is still running\\. Run the same patch command to follow " +
          `it again, or stop it with:\\n  aws ssm stop-automation-execution --automation-execution-id ${id} --region us-east-1\\n`,
      ),
    );
    assert.match(out, /Install: 0 succeeded, 0 failed, 2 cancelled, 0 skipped, 3 still running/);
    assert.equal(fake.callsOf("StopAutomationExecution").length, 0);
    assert.equal(fake.executions.size, 1);
  });
});
