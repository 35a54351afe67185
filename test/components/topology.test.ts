import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AccountPatchTopology, buildTopology } from "../../components/topology";
import type { AccountConfig } from "../../components/types";
import {
  type RecordedResource,
  calls,
  installMocks,
  mockArn,
  mockId,
  named,
  nameOfUrn,
  ofType,
  resources,
  settle,
  valueOf,
} from "../helpers/mocks";
import { CENTRAL, MEMBER_A, MEMBER_B, config, exampleRaw, rawCentral, rawMember } from "./fixtures";

/** Types created once per region (example config: 2 groups, 1 default, both windows). */
const REGIONAL_CENTRAL: Record<string, number> = {
  "aws:resourcegroups/group:Group": 1,
  "aws:ssm/patchBaseline:PatchBaseline": 2,
  "aws:ssm/patchGroup:PatchGroup": 2,
  "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": 1,
  "aws:ssm/document:Document": 1,
  "aws:ssm/maintenanceWindow:MaintenanceWindow": 2,
  "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": 2,
  "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": 2,
};
const BUCKET_TYPES = [
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketVersioning:BucketVersioning",
];

function countByType(list: RecordedResource[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of list) out[r.type] = (out[r.type] ?? 0) + 1;
  return out;
}

function threeRegionCentral(): AccountConfig {
  const raw = exampleRaw();
  raw.regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
  return config(raw);
}

describe("AccountPatchTopology", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("central, 3 regions: 3 providers, 3 copies of regional resources, IAM and bucket once", async () => {
    const regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
    const topo = buildTopology("pf", threeRegionCentral());
    await settle();
    assert.ok(topo instanceof AccountPatchTopology);
    assert.equal(named("pf").type, "patchfleet:index:AccountPatchTopology");

    const providers = ofType("pulumi:providers:aws");
    assert.deepEqual(
      providers.map((p) => p.name),
      regions.map((r) => `pf-${r}`),
    );
    for (const [i, p] of providers.entries()) {
      assert.equal(p.inputs.region, regions[i]);
      assert.equal(nameOfUrn(p.parent), "pf");
      assert.equal(p.inputs.allowedAccountIds, JSON.stringify([CENTRAL]));
      assert.equal(p.inputs.assumeRoles, undefined);
    }

    const counts = countByType(resources.filter((r) => r.custom));
    for (const [type, n] of Object.entries(REGIONAL_CENTRAL))
      assert.equal(counts[type], 3 * n, type);
    assert.equal(counts["aws:iam/role:Role"], 3);
    for (const t of BUCKET_TYPES) assert.equal(counts[t], 1, t);
    // 3 providers, the regional resources, 3 roles and the execution role's managed-policy
    // attachment, and the bucket's resources.
    const expectedTotal =
      3 +
      3 * Object.values(REGIONAL_CENTRAL).reduce((a, b) => a + b, 0) +
      3 +
      1 +
      BUCKET_TYPES.length;
    assert.equal(resources.filter((r) => r.custom).length, expectedTotal);

    // Regional children sit on their region's provider; IAM and the bucket on the home region's.
    for (const region of regions) {
      const regional = resources.filter((r) => r.custom && r.name.startsWith(`pf-${region}-`));
      assert.equal(
        regional.length,
        Object.values(REGIONAL_CENTRAL).reduce((a, b) => a + b, 0),
      );
      for (const r of regional) assert.equal(nameOfUrn(r.provider), `pf-${region}`, r.name);
    }
    for (const r of [...ofType("aws:iam/role:Role"), ...BUCKET_TYPES.map((t) => ofType(t)[0])]) {
      assert.equal(nameOfUrn(r?.provider), "pf-us-east-1", r?.name);
    }
    // Component children of the topology, named from its name.
    assert.deepEqual(
      resources
        .filter((r) => !r.custom && nameOfUrn(r.parent) === "pf")
        .map((r) => `${r.type} ${r.name}`)
        .sort(),
      [
        "patchfleet:iam:AutomationRoles pf-roles",
        "patchfleet:s3:PatchLogBucket pf-logs",
        ...regions.flatMap((r) => [
          `patchfleet:resourcegroups:PatchTargetGroup pf-${r}-targets`,
          `patchfleet:ssm:PatchBaselines pf-${r}-baselines`,
          `patchfleet:ssm:PatchMaintenanceWindows pf-${r}-windows`,
          `patchfleet:ssm:PatchRunbook pf-${r}-runbook`,
        ]),
      ].sort(),
    );
    // Nothing asked AWS (or anything else) for data while constructing.
    assert.deepEqual(calls, []);
    // Runbooks are shared with both members; windows log under this account's regional prefix.
    // Keys `type` and `account_ids`, as the provider documents them:
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_document#permissions
    assert.deepEqual(named("pf-eu-west-1-runbook-document").inputs.permissions, {
      type: "Share",
      account_ids: `${MEMBER_A},${MEMBER_B}`,
    });
    const task = named("pf-ap-southeast-2-windows-install-task").inputs;
    const run = (task.taskInvocationParameters as { runCommandParameters: Record<string, unknown> })
      .runCommandParameters;
    assert.equal(run.outputS3KeyPrefix, `accountid=${CENTRAL}/region=ap-southeast-2/install/`);
    assert.equal(task.serviceRoleArn, mockArn("aws:iam/role:Role", "pf-roles-maintenance-window"));
  });

  it("central outputs: per-region map, role ARNs, bucket name", async () => {
    const topo = buildTopology("pf", config(rawCentral()));
    await settle();
    assert.deepEqual(await valueOf(topo.regions), {
      "us-east-1": {
        baselineIds: {
          web: mockId("pf-us-east-1-baselines-web"),
          win: mockId("pf-us-east-1-baselines-win"),
        },
        resourceGroupName: "patchfleet-patch-targets",
        runbookName: "patchfleet-RunPatchBaseline",
        runbookArn: mockArn("aws:ssm/document:Document", "pf-us-east-1-runbook-document"),
      },
    });
    assert.equal(
      await valueOf(topo.administrationRoleArn as pulumi.Output<string>),
      mockArn("aws:iam/role:Role", "pf-roles-administration"),
    );
    assert.equal(
      await valueOf(topo.executionRoleArn),
      mockArn("aws:iam/role:Role", "pf-roles-execution"),
    );
    // No windows configured: no window role, no window resources.
    assert.equal(topo.maintenanceWindowRoleArn, undefined);
    assert.equal(ofType("aws:ssm/maintenanceWindow:MaintenanceWindow").length, 0);
    assert.equal(ofType("aws:iam/role:Role").length, 2);
    assert.equal(await valueOf(topo.logBucketName), `patchfleet-patch-logs-${CENTRAL}`);
  });

  it("member, 2 regions with a deploy role: execution role only, no bucket, no runbook copy", async () => {
    const raw = rawMember();
    raw.regions = ["eu-west-1", "eu-central-1"];
    raw.deployRoleArn = `arn:aws:iam::${MEMBER_A}:role/patchfleet-deploy`;
    const topo = buildTopology("m", config(raw));
    await settle();
    const providers = ofType("pulumi:providers:aws");
    assert.equal(providers.length, 2);
    for (const p of providers) {
      assert.equal(
        p.inputs.assumeRoles,
        JSON.stringify([{ roleArn: raw.deployRoleArn, sessionName: "patchfleet-deploy" }]),
      );
      assert.equal(p.inputs.allowedAccountIds, JSON.stringify([MEMBER_A]));
    }
    assert.deepEqual(
      ofType("aws:iam/role:Role").map((r) => r.name),
      ["m-roles-execution"],
    );
    assert.equal(nameOfUrn(named("m-roles-execution").provider), "m-eu-west-1");
    assert.equal(ofType("aws:ssm/document:Document").length, 0);
    assert.equal(resources.filter((r) => r.type.startsWith("aws:s3/")).length, 0);
    assert.equal(ofType("aws:ssm/patchBaseline:PatchBaseline").length, 4);
    assert.equal(ofType("aws:resourcegroups/group:Group").length, 2);
    assert.equal(topo.administrationRoleArn, undefined);
    const regions = await valueOf(topo.regions);
    assert.deepEqual(Object.keys(regions), ["eu-west-1", "eu-central-1"]);
    assert.equal(
      regions["eu-central-1"]?.runbookArn,
      `arn:aws:ssm:eu-central-1:${CENTRAL}:document/patchfleet-RunPatchBaseline`,
    );
    assert.equal(await valueOf(topo.logBucketName), `patchfleet-patch-logs-${CENTRAL}`);
    assert.deepEqual(calls, []);
  });

  it("guard: an unvalidated config is refused with the field and the fix", () => {
    const c = config(rawCentral());
    assert.throws(
      () => buildTopology("bad", { ...c, regions: [], accountId: "1" }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          'invalid account config: regions must list at least one region; accountId must be a 12-digit account id string, got "1"; centralAccountId must equal accountId for the central account; run the config through parseAccountConfig',
    );
  });
});
