import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AutomationRoles, MAINTENANCE_WINDOW_ROLE_NAME } from "../../components/automation-roles";
import type { PolicyDocument, PolicyStatement } from "../../components/automation-roles";
import { installMocks, json, named, nameOfUrn, ofType, resources, settle } from "../helpers/mocks";
import { CENTRAL, MEMBER_A } from "./fixtures";

const ADMIN = "AWS-SystemsManager-AutomationAdministrationRole";
const EXEC = "AWS-SystemsManager-AutomationExecutionRole";
const ADMIN_ARN = `arn:aws:iam::${CENTRAL}:role/${ADMIN}`;

function trust(name: string): PolicyDocument {
  return json<PolicyDocument>(named(name).inputs.assumeRolePolicy);
}
function inline(name: string): { name: string; policy: PolicyDocument }[] {
  const list = named(name).inputs.inlinePolicies as { name: string; policy: string }[];
  return list.map((p) => ({ name: p.name, policy: json<PolicyDocument>(p.policy) }));
}
function statement(doc: PolicyDocument, sid: string): PolicyStatement {
  const found = doc.Statement.filter((s) => s.Sid === sid);
  assert.equal(found.length, 1, `statement ${sid}`);
  return found[0] as PolicyStatement;
}
function asList(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** I1: every ssm.amazonaws.com trust carries aws:SourceAccount and aws:SourceArn. */
function assertSsmTrustGuarded(doc: PolicyDocument, account: string, sourceArn: string): void {
  const ssm = doc.Statement.filter(
    (s) => typeof s.Principal === "object" && s.Principal.Service === "ssm.amazonaws.com",
  );
  assert.equal(ssm.length, 1);
  assert.deepEqual(ssm[0]?.Condition, {
    StringEquals: { "aws:SourceAccount": account },
    ArnLike: { "aws:SourceArn": sourceArn },
  });
}
/** I3: trust policies allow exactly sts:AssumeRole, never wildcards. */
function assertNoWildcardTrust(doc: PolicyDocument): void {
  for (const s of doc.Statement) {
    assert.deepEqual(asList(s.Action), ["sts:AssumeRole"], `trust action of ${s.Sid}`);
    assert.equal(s.Effect, "Allow");
    assert.notEqual(s.Principal, "*");
    const principals = Object.values(s.Principal as Record<string, string | string[]>).flat();
    for (const p of principals) assert.ok(!p.includes("*"), `wildcard principal ${p}`);
  }
}
/** I2/I3 for permission policies: no PassRole on *, no admin-style statements. */
function assertNarrow(doc: PolicyDocument): void {
  for (const s of doc.Statement) {
    const actions = asList(s.Action);
    const resourcesOf = asList(s.Resource);
    for (const a of actions) assert.ok(!a.endsWith(":*") && a !== "*", `wildcard action ${a}`);
    if (actions.includes("iam:PassRole")) {
      assert.ok(!resourcesOf.includes("*"), "PassRole on *");
      assert.ok(s.Condition?.StringEquals?.["iam:PassedToService"] !== undefined);
    }
  }
}

describe("AutomationRoles", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  const base = {
    centralAccountId: CENTRAL,
    resourceGroupName: "patchfleet-patch-targets",
    logBucketName: "patch-logs",
    regions: ["us-east-1", "eu-west-1"],
  };

  it("central: administration and execution roles, no window role unless asked", async () => {
    new AutomationRoles("roles", { ...base, accountRole: "central", accountId: CENTRAL });
    await settle();
    assert.deepEqual(
      resources.map((r) => `${r.type} ${r.name}`),
      [
        "patchfleet:iam:AutomationRoles roles",
        "aws:iam/role:Role roles-administration",
        "aws:iam/role:Role roles-execution",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment roles-execution-automation-policy",
      ],
    );
    for (const r of ofType("aws:iam/role:Role")) assert.equal(nameOfUrn(r.parent), "roles");
    assert.equal(named("roles-administration").inputs.name, ADMIN);
    assert.equal(named("roles-execution").inputs.name, EXEC);
    // The execution role's trust names the administration role, which must exist first.
    assert.deepEqual(named("roles-execution").dependencies, [named("roles-administration").urn]);
  });

  it("administration role: trusted by SSM of this account only, may assume only the execution role", async () => {
    new AutomationRoles("roles", { ...base, accountRole: "central", accountId: CENTRAL });
    await settle();
    const t = trust("roles-administration");
    assert.equal(t.Statement.length, 1);
    assertSsmTrustGuarded(t, CENTRAL, `arn:aws:ssm:*:${CENTRAL}:automation-execution/*`);
    assertNoWildcardTrust(t);
    const policies = inline("roles-administration");
    assert.deepEqual(
      policies.map((p) => p.name),
      ["assume-execution-role"],
    );
    const doc = (policies[0] as { policy: PolicyDocument }).policy;
    assert.deepEqual(doc.Statement, [
      {
        Sid: "AssumeOnlyTheExecutionRole",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: `arn:aws:iam::*:role/${EXEC}`,
      },
    ]);
  });

  it("member execution role: trusts the administration role ARN (I4) and guarded SSM (I1)", async () => {
    new AutomationRoles("roles", { ...base, accountRole: "member", accountId: MEMBER_A });
    await settle();
    assert.equal(ofType("aws:iam/role:Role").length, 1);
    const t = trust("roles-execution");
    assert.equal(t.Statement.length, 2);
    const central = statement(t, "CentralAdministrationRoleOnly");
    assert.deepEqual(central.Principal, { AWS: ADMIN_ARN });
    assert.notEqual((central.Principal as { AWS: string }).AWS, `arn:aws:iam::${CENTRAL}:root`);
    assertSsmTrustGuarded(t, MEMBER_A, `arn:aws:ssm:*:${MEMBER_A}:automation-execution/*`);
    assertNoWildcardTrust(t);
  });

  it("member execution role: AWS's template permissions, statement by statement", async () => {
    new AutomationRoles("roles", { ...base, accountRole: "member", accountId: MEMBER_A });
    await settle();
    // AWS's template for this role (AWS-SystemsManager-AutomationExecutionRole.zip, from
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html)
    // attaches the managed AmazonSSMAutomationRole ...
    const attachments = ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    assert.deepEqual(
      attachments.map((a) => [a.name, a.inputs.policyArn]),
      [
        [
          "roles-execution-automation-policy",
          "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole",
        ],
      ],
    );
    assert.equal(attachments[0]?.inputs.role, EXEC);
    // ... and adds resource-groups:ListGroupResources, tag:GetResources, ec2:DescribeInstances and
    // iam:PassRole on the role itself.
    const policies = inline("roles-execution");
    assert.deepEqual(
      policies.map((p) => p.name),
      ["run-patch-baseline"],
    );
    const doc = (policies[0] as { policy: PolicyDocument }).policy;
    assertNarrow(doc);
    assert.deepEqual(doc.Statement, [
      {
        Sid: "ResolveAutomationTargets",
        Effect: "Allow",
        Action: ["resource-groups:ListGroupResources", "tag:GetResources", "ec2:DescribeInstances"],
        Resource: "*",
      },
      {
        Sid: "PassOnlyItselfToSystemsManager",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${MEMBER_A}:role/${EXEC}`,
        // RELIABILITY I2: PassRole only to the service that uses it.
        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
      },
    ]);
  });

  it("maintenance window role: guarded SSM trust scoped to maintenance windows", async () => {
    const roles = new AutomationRoles("roles", {
      ...base,
      accountRole: "member",
      accountId: MEMBER_A,
      maintenanceWindowRole: true,
      partition: "aws-us-gov",
    });
    await settle();
    assert.equal(roles.administrationRoleArn, undefined);
    assert.ok(pulumi.Output.isInstance(roles.maintenanceWindowRoleArn));
    const r = named("roles-maintenance-window");
    assert.equal(r.inputs.name, MAINTENANCE_WINDOW_ROLE_NAME);
    const t = trust("roles-maintenance-window");
    assertSsmTrustGuarded(t, MEMBER_A, `arn:aws-us-gov:ssm:*:${MEMBER_A}:maintenancewindow/*`);
    assertNoWildcardTrust(t);
    const doc = (inline("roles-maintenance-window")[0] as { policy: PolicyDocument }).policy;
    assertNarrow(doc);
    assert.deepEqual(
      doc.Statement.map((s) => s.Sid),
      ["RunPatchBaselineOnInstances", "FollowCommandsAndReadTags", "ResolveTheResourceGroupTarget"],
    );
    // Partition flows into every ARN.
    assert.deepEqual(
      statement(trust("roles-execution"), "CentralAdministrationRoleOnly").Principal,
      {
        AWS: `arn:aws-us-gov:iam::${CENTRAL}:role/${ADMIN}`,
      },
    );
  });

  it("guards: a numeric-looking bad account id and a central/central mismatch", () => {
    assert.throws(
      () => new AutomationRoles("bad", { ...base, accountRole: "member", accountId: "12345" }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message === 'accountId must be a 12-digit account id string, got "12345"',
    );
    assert.throws(
      () => new AutomationRoles("bad2", { ...base, accountRole: "central", accountId: MEMBER_A }),
      (err: Error) =>
        err.message ===
        `centralAccountId (${CENTRAL}) must equal accountId (${MEMBER_A}) for the central account`,
    );
  });
});
