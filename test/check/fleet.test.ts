import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateFleet } from "../../bench/check";
import { ROOT, ensureBuilt, runCli } from "./cli-helpers";

interface Resource {
  type: string;
  name: string;
  region: string;
  inputs: Record<string, unknown>;
}
interface Target {
  name: string;
  account: string;
  regions: string[];
  resources: Resource[];
  violations: unknown[];
}

function countTypes(resources: Resource[], region?: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) {
    if (region !== undefined && r.region !== region) continue;
    counts[r.type] = (counts[r.type] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// Per region of a member: the five workflow steps (i resource group, iii baselines and patch
// groups, v maintenance windows) plus the region's provider. Patch groups: web-linux, windows-app.
const MEMBER_REGION = {
  "aws:resourcegroups/group:Group": 1,
  "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": 1,
  "aws:ssm/maintenanceWindow:MaintenanceWindow": 2,
  "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": 2,
  "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": 2,
  "aws:ssm/patchBaseline:PatchBaseline": 2,
  "aws:ssm/patchGroup:PatchGroup": 2,
  "pulumi:providers:aws": 1,
};

const MEMBER_TWO_REGIONS = {
  "aws:iam/role:Role": 2,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
  "aws:resourcegroups/group:Group": 2,
  "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": 2,
  "aws:ssm/maintenanceWindow:MaintenanceWindow": 4,
  "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": 4,
  "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": 4,
  "aws:ssm/patchBaseline:PatchBaseline": 4,
  "aws:ssm/patchGroup:PatchGroup": 4,
  "patchfleet:iam:AutomationRoles": 1,
  "patchfleet:index:AccountPatchTopology": 1,
  "patchfleet:resourcegroups:PatchTargetGroup": 2,
  "patchfleet:ssm:PatchBaselines": 2,
  "patchfleet:ssm:PatchMaintenanceWindows": 2,
  "pulumi:providers:aws": 2,
};

const EXPECTED: Record<
  string,
  { account: string; regions: string[]; types: Record<string, number> }
> = {
  central: {
    account: "111111111111",
    regions: ["us-east-1", "eu-west-1"],
    types: {
      // ii: administration role, maintenance-window role, and the central account's own
      // execution role; iv: the runbook in each region; the patch log bucket and its settings.
      "aws:iam/role:Role": 3,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      "aws:resourcegroups/group:Group": 2,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": 2,
      "aws:ssm/document:Document": 2,
      "aws:ssm/maintenanceWindow:MaintenanceWindow": 4,
      "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": 4,
      "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": 4,
      "aws:ssm/patchBaseline:PatchBaseline": 4,
      "aws:ssm/patchGroup:PatchGroup": 4,
      "patchfleet:iam:AutomationRoles": 1,
      "patchfleet:index:AccountPatchTopology": 1,
      "patchfleet:resourcegroups:PatchTargetGroup": 2,
      "patchfleet:s3:PatchLogBucket": 1,
      "patchfleet:ssm:PatchBaselines": 2,
      "patchfleet:ssm:PatchMaintenanceWindows": 2,
      "patchfleet:ssm:PatchRunbook": 2,
      "pulumi:providers:aws": 2,
    },
  },
  "prod-a": {
    account: "222222222222",
    regions: ["us-east-1", "eu-west-1"],
    types: MEMBER_TWO_REGIONS,
  },
  "prod-b": {
    account: "333333333333",
    regions: ["eu-west-1", "us-east-1"],
    types: MEMBER_TWO_REGIONS,
  },
  staging: {
    account: "444444444444",
    regions: ["us-east-1"],
    // windows-app is removed for staging: one baseline and one patch group.
    types: {
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
      "aws:resourcegroups/group:Group": 1,
      "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": 1,
      "aws:ssm/maintenanceWindow:MaintenanceWindow": 2,
      "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": 2,
      "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": 2,
      "aws:ssm/patchBaseline:PatchBaseline": 1,
      "aws:ssm/patchGroup:PatchGroup": 1,
      "patchfleet:iam:AutomationRoles": 1,
      "patchfleet:index:AccountPatchTopology": 1,
      "patchfleet:resourcegroups:PatchTargetGroup": 1,
      "patchfleet:ssm:PatchBaselines": 1,
      "patchfleet:ssm:PatchMaintenanceWindows": 1,
      "pulumi:providers:aws": 1,
    },
  },
};

describe("patchfleet check --fleet (end to end through the CLI)", function () {
  this.timeout(120_000);
  let tmp: string;
  let first: { code: number | null; stdout: string; stderr: string };

  before(async () => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-check-fleet-"));
    first = await runCli(["check", "--fleet", "examples/fleet.yaml", "--json"]);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("passes the example fleet: exit 0, no violations, one target per account", () => {
    assert.equal(first.stderr, "");
    assert.equal(first.code, 0);
    const report = JSON.parse(first.stdout);
    assert.deepEqual(Object.keys(report), ["targets", "summary"]);
    assert.deepEqual(report.summary, { targets: 4, resources: 143, mandatory: 0, advisory: 0 });
    assert.deepEqual(
      report.targets.map((t: Target) => [t.name, t.account, t.regions, t.violations]),
      Object.entries(EXPECTED).map(([name, e]) => [name, e.account, e.regions, []]),
    );
  });

  it("synthesizes the exact resource types of all five workflow steps per target", () => {
    const report = JSON.parse(first.stdout);
    for (const t of report.targets as Target[]) {
      assert.deepEqual(countTypes(t.resources), EXPECTED[t.name].types, t.name);
    }
  });

  it("places regional resources on each region's provider, IAM once per account", () => {
    const targets = JSON.parse(first.stdout).targets as Target[];
    const prodB = targets.find((t) => t.name === "prod-b")!;
    const regional = (region: string) => {
      const counts = countTypes(prodB.resources, region);
      delete counts["aws:iam/role:Role"];
      delete counts["aws:iam/rolePolicyAttachment:RolePolicyAttachment"];
      return counts;
    };
    assert.deepEqual(regional("eu-west-1"), MEMBER_REGION);
    assert.deepEqual(regional("us-east-1"), MEMBER_REGION);
    // IAM lives in the home region, the first listed.
    const roles = prodB.resources.filter((r) => r.type === "aws:iam/role:Role");
    assert.deepEqual(
      roles.map((r) => r.region),
      ["eu-west-1", "eu-west-1"],
    );
    // Components carry no provider and so no region.
    for (const r of prodB.resources.filter((x) => x.type.startsWith("patchfleet:"))) {
      assert.equal(r.region, "", r.name);
    }
  });

  it("prints identical JSON again with every target in a process of its own", async () => {
    const again = await runCli([
      "check",
      "--fleet",
      "examples/fleet.yaml",
      "--json",
      "--workers",
      "1",
      "--batch-size",
      "1",
    ]);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, first.stdout);
  });

  it("exits 1 with the mandatory finding when a member's baseline approves security patches late", async () => {
    const slow = path.join(tmp, "slow.yaml");
    const text = fs.readFileSync(path.join(ROOT, "examples", "fleet.yaml"), "utf8");
    assert.match(text, /approveAfterDays: 2\n/);
    fs.writeFileSync(slow, text.replace(/approveAfterDays: 2\n/, "approveAfterDays: 30\n"));
    // One worker: parallelism is not what this test is about.
    const run = await runCli(["check", "--fleet", slow, "--json", "--workers", "1"]);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.summary, { targets: 4, resources: 143, mandatory: 1, advisory: 0 });
    const staging = report.targets.find((t: Target) => t.name === "staging");
    assert.deepEqual(staging.violations, [
      {
        policy: "patchfleet-baseline-security-approval",
        enforcementLevel: "mandatory",
        resourceType: "aws:ssm/patchBaseline:PatchBaseline",
        resourceName: "patchfleet-us-east-1-baselines-web-linux",
        message:
          "Every patch baseline auto-approves security and critical patches for its operating " +
          "system quickly and at a high compliance level.\n" +
          'Patch baseline "patchfleet-us-east-1-baselines-web-linux" (AMAZON_LINUX_2023) does not ' +
          "auto-approve security and critical patches within 7 days at compliance level HIGH or " +
          "above: rule 1: approveAfterDays is 30, more than 7. Fix: add an approval rule that " +
          "selects CLASSIFICATION Security and SEVERITY Critical with approveAfterDays at most 7 " +
          "and complianceLevel HIGH or above.",
      },
    ]);
  });

  it("lists every problem of an invalid fleet file and exits 2", async () => {
    const bad = path.join(tmp, "bad.yaml");
    fs.writeFileSync(
      bad,
      'central: { account: "11111111111", regions: [us-east-1], name: central }\n' +
        'members:\n  - { account: "222222222222", name: a, regions: [eu-west-9] }\n' +
        "patchGroups:\n  web: { operatingSystem: AMAZON_LINUX_2023, approvalRules: [] }\n",
    );
    const run = await runCli(["check", "--fleet", bad]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines[0], `patchfleet check: ${bad} is not a valid fleet file`);
    assert.equal(lines.length, 4, run.stderr);
    assert.match(lines[1], /^ {2}central\.account: must be a 12-digit AWS account id/);
    assert.match(lines[2], /^ {2}members\[0\]\.regions\[0\]: "eu-west-9" is not an AWS region/);
    assert.match(lines[3], /^ {2}patchGroups\.web\.approvalRules: a baseline needs approval rules/);
  });

  it("on SIGINT stops starting targets, prints what it has and exits 130", async () => {
    const big = path.join(tmp, "big.yaml");
    fs.writeFileSync(big, generateFleet(1000));
    const run = await runCli(["check", "--fleet", big], ROOT, {}, true);
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /interrupt received; finishing running work/);
    const summary =
      /\n501 targets, (\d+) resources: 0 mandatory, 0 advisory violations(?:, (\d+) interrupted)?, (\d+) not checked \(interrupted\)\n$/.exec(
        run.stdout,
      );
    assert.ok(summary, run.stdout.slice(-300));
    // Targets in flight when the interrupt came are stopped and said to be interrupted; the
    // rest were never started.
    const interrupted = Number(summary[2] ?? 0);
    const notChecked = Number(summary[3]);
    assert.ok(notChecked > 0 && notChecked < 501, String(notChecked));
    assert.equal(
      run.stdout.split("  not checked: the check was interrupted\n").length - 1,
      notChecked,
    );
    assert.equal(
      run.stdout.split("  interrupted: the check was stopped while this target was running\n")
        .length - 1,
      interrupted,
    );
    assert.doesNotMatch(run.stdout, /failed to load/);
  });

  it("says which fleet file is missing (exit 2)", async () => {
    const run = await runCli(["check", "--fleet", "no-such-fleet.yaml"]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      "patchfleet check: --fleet no-such-fleet.yaml: no such file; " +
        "pass the path of a fleet YAML file\n",
    );
  });
});
