import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { type CliRun, ensureBuilt, runCli } from "./cli-helpers";

const APP_BATCH_MESSAGE =
  "Every instance, launch template and Auto Scaling group that carries a patch tag belongs to a " +
  "patch group registered to an approved patch baseline.\n" +
  'Instance "batch" has patch tag PatchGroup="legacy-batch": patch group "legacy-batch" is not ' +
  "registered in this stack (aws:ssm/patchGroup:PatchGroup) or in config patchGroups. Fix: " +
  "register the group to an approved baseline, or correct the tag value.";

const BROKEN_MESSAGE =
  "Missing required configuration variable 'patchfleet-example-broken:instanceType'\n" +
  "\tplease set a value using the command `pulumi config set " +
  "patchfleet-example-broken:instanceType <value>`";

const APP_ARGS = [
  "check",
  "--program",
  "examples/app",
  "--policy-config",
  "examples/app/policy-config.json",
];

describe("patchfleet check --program (end to end through the CLI)", function () {
  this.timeout(120_000);
  let tmp: string;
  // `check --program examples/app --json`, run once and read by the tests that need its output.
  let appJson: Promise<CliRun> | undefined;
  const appJsonRun = () => (appJson ??= runCli([...APP_ARGS, "--json"]));

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-check-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("blocks the example app's instance tagged for an unregistered patch group (exit 1)", async () => {
    const run = await appJsonRun();
    assert.equal(run.stderr, "");
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.summary, { targets: 1, resources: 2, mandatory: 1, advisory: 0 });
    assert.equal(report.targets.length, 1);
    const target = report.targets[0];
    assert.equal(target.name, "patchfleet-example-app");
    assert.equal(target.account, "123456789012");
    assert.deepEqual(target.regions, ["us-east-1"]);
    assert.deepEqual(
      target.resources.map((r: { type: string; name: string; region: string }) => [
        r.type,
        r.name,
        r.region,
      ]),
      [
        ["aws:ec2/instance:Instance", "web", "us-east-1"],
        ["aws:ec2/instance:Instance", "batch", "us-east-1"],
      ],
    );
    assert.deepEqual(target.resources[1].inputs, {
      ami: "ami-0abcdef1234567890",
      instanceType: "t3.medium",
      tags: { Name: "batch", PatchGroup: "legacy-batch", "ssm-linuxpatching": "True" },
    });
    assert.deepEqual(target.violations, [
      {
        policy: "patchfleet-instance-approved-baseline",
        enforcementLevel: "mandatory",
        resourceType: "aws:ec2/instance:Instance",
        resourceName: "batch",
        message: APP_BATCH_MESSAGE,
      },
    ]);
  });

  it("prints per-target counts, each violation and a summary line as text", async () => {
    const run = await runCli(APP_ARGS);
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      [
        "patchfleet-example-app (123456789012) us-east-1: 2 resources",
        "     2  aws:ec2/instance:Instance",
        '  mandatory patchfleet-instance-approved-baseline aws:ec2/instance:Instance "batch"',
        `      ${APP_BATCH_MESSAGE.replace("\n", "\n      ")}`,
        "",
        "1 target, 2 resources: 1 mandatory, 0 advisory violation",
        "",
      ].join("\n"),
    );
  });

  it("passes (exit 0) once the group is registered to an approved baseline", async () => {
    const config = path.join(tmp, "approved.json");
    fs.writeFileSync(
      config,
      JSON.stringify({
        "patchfleet-instance-approved-baseline": {
          patchGroups: {
            "web-linux": "pb-0123456789abcdef0",
            "legacy-batch": "pb-0123456789abcdef0",
          },
          approvedBaselines: ["pb-0123456789abcdef0"],
        },
      }),
    );
    const run = await runCli(["check", "--program", "examples/app", "--policy-config", config]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /\n1 target, 2 resources: 0 mandatory, 0 advisory violations\n$/);
  });

  it("reports a program that fails to load with its own message and location (exit 2)", async () => {
    const run = await runCli(["check", "--program", "examples/broken", "--json"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `patchfleet check: patchfleet-example-broken failed to load: ` +
        `examples/broken/index.ts:8:29: ${BROKEN_MESSAGE}\n`,
    );
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.targets[0].error, {
      message: BROKEN_MESSAGE,
      location: "examples/broken/index.ts:8:29",
    });
    assert.deepEqual(report.summary, { targets: 1, resources: 0, mandatory: 0, advisory: 0 });
    assert.doesNotMatch(run.stderr + run.stdout, /at .*node_modules|internal error/);
  });

  it("locates a TypeScript syntax error in a program outside the repository", async () => {
    const dir = path.join(tmp, "syntax");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      'import * as aws from "@pulumi/aws";\n\nconst x = ;\nexport const b = aws.ssm;\n',
    );
    const run = await runCli(["check", "--program", dir], tmp);
    assert.equal(run.code, 2);
    assert.equal(
      run.stdout.split("\n")[1],
      "  failed to load: syntax/index.ts:3:11: Expression expected.",
    );
  });

  it("resolves @pulumi/* from patchfleet for a program elsewhere, with its main, config and regions", async () => {
    const dir = path.join(tmp, "elsewhere");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: elsewhere\nruntime: nodejs\nmain: src/\n",
    );
    fs.mkdirSync(path.join(dir, "src"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      "config:\n  aws:region: eu-west-1\n  elsewhere:group: web\n",
    );
    fs.writeFileSync(
      path.join(dir, "src", "index.ts"),
      [
        'import * as aws from "@pulumi/aws";',
        'import * as pulumi from "@pulumi/pulumi";',
        "const group = new pulumi.Config().require('group');",
        'const eu = new aws.Provider("eu", { region: "eu-central-1" });',
        'const b = new aws.ssm.PatchBaseline("b", { operatingSystem: "WINDOWS", approvedPatches: ["KB1"] }, { provider: eu });',
        'new aws.ssm.PatchGroup("g", { baselineId: b.id, patchGroup: group }, { provider: eu });',
        'new aws.iam.Role("r", { assumeRolePolicy: pulumi.secret("{}") });',
        "",
      ].join("\n"),
    );
    const run = await runCli(["check", "--program", dir, "--stack", "dev", "--json"], tmp);
    assert.equal(run.stderr, "");
    const target = JSON.parse(run.stdout).targets[0];
    assert.equal(target.name, "elsewhere");
    assert.deepEqual(target.regions, ["eu-central-1", "eu-west-1"]);
    assert.deepEqual(
      target.resources.map((r: { type: string; name: string; region: string; inputs: unknown }) => [
        r.type,
        r.name,
        r.region,
        r.inputs,
      ]),
      [
        ["aws:iam/role:Role", "r", "eu-west-1", { assumeRolePolicy: "[secret]" }],
        [
          "pulumi:providers:aws",
          "eu",
          "eu-central-1",
          {
            region: "eu-central-1",
            skipCredentialsValidation: "false",
            skipRegionValidation: "true",
          },
        ],
        [
          "aws:ssm/patchBaseline:PatchBaseline",
          "b",
          "eu-central-1",
          { approvedPatches: ["KB1"], operatingSystem: "WINDOWS" },
        ],
        [
          "aws:ssm/patchGroup:PatchGroup",
          "g",
          "eu-central-1",
          { baselineId: "pb-7cc11a6a324896a0", patchGroup: "web" },
        ],
      ],
    );
  });

  it("prints identical JSON on two runs (deterministic mock ids and outputs)", async () => {
    // One of the two runs is the first test's (started here when this test runs alone).
    const [a, b] = await Promise.all([appJsonRun(), runCli([...APP_ARGS, "--json"])]);
    assert.equal(a.stdout, b.stdout);
    assert.ok(a.stdout.length > 500);
  });

  it("writes a self-contained HTML report", async () => {
    const file = path.join(tmp, "report.html");
    const run = await runCli([...APP_ARGS, "--html", file]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\nHTML report: .*report\.html\n$/);
    const html = fs.readFileSync(file, "utf8");
    assert.match(html, /^<!doctype html>/);
    assert.match(
      html,
      /<p id="summary">1 target, 2 resources: 1 mandatory, 0 advisory violation<\/p>/,
    );
    assert.ok(html.includes("patch group &quot;legacy-batch&quot; is not registered"));
    assert.doesNotMatch(html, /<script|<link|src=|https?:\/\//);
  });

  it("rejects an invalid policy config naming the problem (exit 2)", async () => {
    const config = path.join(tmp, "bad-policy.json");
    fs.writeFileSync(config, JSON.stringify({ "patchfleet-instance-approved-baseline": 3 }));
    const run = await runCli(["check", "--program", "examples/app", "--policy-config", config]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.equal(
      run.stderr,
      `patchfleet check: --policy-config ${config} is invalid\n` +
        "  bad-policy.json: patchfleet-instance-approved-baseline: expected an enforcement level " +
        "or an object, got 3\n",
    );
  });

  it("takes the standard string form of a level, as the pack's example config uses", async () => {
    const config = path.join(tmp, "levels.json");
    fs.writeFileSync(
      config,
      JSON.stringify({ all: "advisory", "patchfleet-instance-approved-baseline": "mandatory" }),
    );
    const run = await runCli(["check", "--program", "examples/app", "--policy-config", config]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /mandatory patchfleet-instance-approved-baseline aws:ec2\/instance:Instance "batch"/,
    );
    const shipped = await runCli([
      "check",
      "--program",
      "examples/app",
      "--policy-config",
      "policy-pack/policy-config.example.json",
    ]);
    assert.equal(shipped.stderr, "");
    assert.equal(shipped.code, 1);
  });

  it("needs exactly one of --fleet and --program (exit 2)", async () => {
    const none = await runCli(["check"]);
    assert.equal(none.code, 2);
    assert.equal(
      none.stderr,
      "patchfleet check: give exactly one of --fleet <file> or --program <dir-or-file>, e.g. " +
        "`patchfleet check --fleet examples/fleet.yaml`\n",
    );
    const missing = await runCli(["check", "--program", "no/such/dir"]);
    assert.equal(missing.code, 2);
    assert.equal(
      missing.stderr,
      "patchfleet check: --program no/such/dir: no such file or directory; " +
        "pass a program directory or its entry file\n",
    );
  });
});
