/**
 * The repo's own Pulumi program (index.ts, Pulumi.yaml) under the real Pulumi CLI, with the
 * stand-in AWS provider: a central and a member stack from stack config, a second `up` that
 * changes nothing (asserted from the CLI's own `preview --json` and `--expect-no-changes`), and
 * a `destroy` that leaves the stand-in cloud empty.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  CENTRAL,
  cloudResources,
  copyProgram,
  pulumi,
  pulumiOk,
  requireEngine,
  sandbox,
  writeYaml,
} from "./harness";
import type { Sandbox } from "./harness";

const MEMBER = "222222222222";

const CENTRAL_CONFIG = `config:
  aws:region: us-east-1
  patchfleet:role: central
  patchfleet:accountId: "${CENTRAL}"
  patchfleet:memberAccountIds: ["${MEMBER}"]
  patchfleet:regions: [us-east-1, eu-west-1]
  patchfleet:patchGroups:
    web:
      operatingSystem: AMAZON_LINUX_2023
      defaultForOperatingSystem: true
      approvalRules:
        - patchFilters:
            - key: CLASSIFICATION
              values: [Security, Bugfix]
          approveAfterDays: 7
          complianceLevel: CRITICAL
  patchfleet:maintenanceWindows:
    scan:
      schedule: "cron(0 1 ? * * *)"
      timezone: UTC
      durationHours: 2
      cutoffHours: 1
      maxConcurrency: "25%"
      maxErrors: "10%"
  patchfleet:notifications:
    emails: [ops@example.com]
`;

const MEMBER_CONFIG = `config:
  aws:region: us-east-1
  patchfleet:role: member
  patchfleet:accountId: "${MEMBER}"
  patchfleet:centralAccountId: "${CENTRAL}"
  patchfleet:deployRoleArn: arn:aws:iam::${MEMBER}:role/patchfleet-deploy
  patchfleet:regions: [us-east-1]
  patchfleet:patchGroups:
    web:
      operatingSystem: AMAZON_LINUX_2023
      approvalRules:
        - patchFilters:
            - key: CLASSIFICATION
              values: [Security]
          approveAfterDays: 7
  patchfleet:notifications: {}
`;

interface PreviewJson {
  changeSummary?: Record<string, number>;
  steps?: { op: string; urn: string }[];
}

describe("engine: the patchfleet program under the real Pulumi CLI", function () {
  let sb: Sandbox;
  let project: string;

  before(function () {
    requireEngine(this);
    sb = sandbox("program");
    project = path.join(sb.dir, "program");
    fs.mkdirSync(project);
    copyProgram(project);
    writeYaml(path.join(project, "Pulumi.central.yaml"), CENTRAL_CONFIG);
    writeYaml(path.join(project, "Pulumi.member.yaml"), MEMBER_CONFIG);
  });

  it("`pulumi up` deploys a central stack, then a member stack, into the stand-in cloud", function () {
    pulumiOk(sb, ["stack", "init", "central"], project);
    const central = pulumiOk(sb, ["up", "--yes", "--stack", "central"], project);
    assert.match(central.stdout, /Resources:\n\s+\+ \d+ created/);
    // That run type-checked the program as `pulumi up` does by default; the program does not
    // change in this suite, so the later runs only transpile it (PULUMI_NODEJS_TRANSPILE_ONLY,
    // read by @pulumi/pulumi's cmd/run), which saves about a minute per run on two cores.
    sb.env.PULUMI_NODEJS_TRANSPILE_ONLY = "true";
    pulumiOk(sb, ["stack", "init", "member"], project);
    pulumiOk(sb, ["up", "--yes", "--stack", "member"], project);

    const out = JSON.parse(
      pulumiOk(sb, ["stack", "output", "--json", "--stack", "central"], project).stdout,
    );
    // ARNs come from the provider (computed outputs), in the account the provider credentials
    // land in: IAM ARN format, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
    assert.match(out.executionRoleArn, new RegExp(`^arn:aws:iam::${CENTRAL}:role/`));
    const cloud = cloudResources(sb);
    assert.ok(cloud.some((l) => l.startsWith(`${MEMBER}-us-east-1.json aws:ssm/patchBaseline`)));
    assert.ok(cloud.some((l) => l.startsWith(`${CENTRAL}-eu-west-1.json aws:ssm/patchBaseline`)));
  });

  it("a second `up` changes nothing: the CLI's preview reports only `same` steps", function () {
    for (const stack of ["central", "member"]) {
      const preview = pulumiOk(sb, ["preview", "--json", "--stack", stack], project);
      const json = JSON.parse(preview.stdout) as PreviewJson;
      const ops = Object.keys(json.changeSummary ?? {});
      assert.deepEqual(ops, ["same"], `${stack}: ${preview.stdout.slice(0, 2000)}`);
      // `--expect-no-changes` makes the CLI itself fail an update that would change anything.
      pulumiOk(sb, ["up", "--yes", "--expect-no-changes", "--stack", stack], project);
    }
  });

  it("`pulumi destroy` of both stacks leaves the stand-in cloud empty", function () {
    pulumiOk(sb, ["destroy", "--yes", "--stack", "member"], project);
    pulumiOk(sb, ["destroy", "--yes", "--stack", "central"], project);
    assert.deepEqual(cloudResources(sb), []);
  });

  it("the stand-in refuses what the real provider refuses: `accountIds` in document permissions", function () {
    // aws_ssm_document permissions take the keys `type` and `account_ids`:
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_document#permissions
    const broken = path.join(sb.dir, "broken");
    fs.mkdirSync(broken);
    copyProgram(broken);
    const runbook = path.join(broken, "components", "runbook.ts");
    fs.writeFileSync(
      runbook,
      fs.readFileSync(runbook, "utf8").replace("account_ids:", "accountIds:"),
    );
    writeYaml(path.join(broken, "Pulumi.shared-keys.yaml"), CENTRAL_CONFIG);
    pulumiOk(sb, ["stack", "init", "shared-keys"], broken);
    const r = pulumi(sb, ["preview", "--stack", "shared-keys"], broken);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stdout + r.stderr,
      /permissions\.accountIds: not a permissions key; the keys are type and account_ids/,
    );
  });
});
