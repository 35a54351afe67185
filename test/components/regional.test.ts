import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PatchMaintenanceWindows } from "../../components/maintenance-windows";
import { PatchTargetGroup } from "../../components/resource-group";
import { PatchRunbook, runbookContent } from "../../components/runbook";
import type { MaintenanceWindowSpec } from "../../components/types";
import { shape } from "../aws-models";
import { installMocks, json, mockId, named, nameOfUrn, resources, settle } from "../helpers/mocks";
import { MEMBER_A, MEMBER_B } from "./fixtures";

const SCAN: MaintenanceWindowSpec = {
  schedule: "cron(0 1 ? * * *)",
  timezone: "UTC",
  durationHours: 2,
  cutoffHours: 1,
  maxConcurrency: "25%",
  maxErrors: "10%",
  enabled: true,
};
const INSTALL: MaintenanceWindowSpec = {
  ...SCAN,
  schedule: "cron(0 3 ? * SUN *)",
  timezone: "Europe/Dublin",
  offsetDays: 2,
  durationHours: 4,
  maxConcurrency: "10%",
  maxErrors: "5%",
};

describe("PatchTargetGroup", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("queries EC2 instances by tag with TAG_FILTERS_1_0", async () => {
    new PatchTargetGroup("rg", { groupName: "patch-me", tagKey: "Patch", tagValue: "yes" });
    await settle();
    assert.deepEqual(
      resources.map((r) => `${r.type} ${r.name}`),
      ["patchfleet:resourcegroups:PatchTargetGroup rg", "aws:resourcegroups/group:Group rg-group"],
    );
    const group = named("rg-group");
    assert.equal(nameOfUrn(group.parent), "rg");
    assert.equal(group.inputs.name, "patch-me");
    const query = group.inputs.resourceQuery as { type: string; query: string };
    assert.equal(query.type, "TAG_FILTERS_1_0");
    assert.deepEqual(json(query.query), {
      ResourceTypeFilters: ["AWS::EC2::Instance"],
      TagFilters: [{ Key: "Patch", Values: ["yes"] }],
    });
  });

  it("defaults to the classic ssm-linuxpatching=True tag and refuses reserved names", async () => {
    new PatchTargetGroup("rg", {});
    await settle();
    const query = named("rg-group").inputs.resourceQuery as { query: string };
    assert.deepEqual(json(query.query), {
      ResourceTypeFilters: ["AWS::EC2::Instance"],
      TagFilters: [{ Key: "ssm-linuxpatching", Values: ["True"] }],
    });
    assert.equal(named("rg-group").inputs.name, "patchfleet-patch-targets");
    assert.throws(
      () => new PatchTargetGroup("bad", { groupName: "AWS-things" }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          'groupName must be 1–128 letters, digits and _.- and must not start with aws, got "AWS-things"; rename it',
    );
  });
});

describe("PatchRunbook", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("is an Automation document, schema 0.3, shared with the members, replaced on change", async () => {
    new PatchRunbook("rb", {
      documentName: "patchfleet-RunPatchBaseline",
      resourceGroupName: "patch-targets",
      logBucketName: "patch-logs",
      maxConcurrency: "20%",
      maxErrors: "1",
      sharedWithAccountIds: [MEMBER_A, MEMBER_B],
    });
    await settle();
    assert.deepEqual(
      resources.map((r) => `${r.type} ${r.name}`),
      ["patchfleet:ssm:PatchRunbook rb", "aws:ssm/document:Document rb-document"],
    );
    const doc = named("rb-document");
    assert.equal(doc.inputs.name, "patchfleet-RunPatchBaseline");
    assert.equal(doc.inputs.documentType, "Automation");
    assert.equal(doc.inputs.documentFormat, "JSON");
    // The provider reads `permissions` by the keys `type` (only "Share") and `account_ids`
    // (comma-separated), and refuses a plan without them: "\"account_ids\" must be defined".
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_document#permissions
    // hashicorp/terraform-provider-aws internal/service/ssm/document.go, ValidDocumentPermissions
    assert.deepEqual(doc.inputs.permissions, {
      type: "Share",
      account_ids: `${MEMBER_A},${MEMBER_B}`,
    });
    // pulumi-aws #2555: in-place content updates fail; replace, deleting first (fixed name).
    assert.deepEqual(doc.replaceOnChanges, ["content"]);
    assert.equal(doc.deleteBeforeReplace, true);

    const content = json<ReturnType<typeof runbookContent>>(doc.inputs.content);
    assert.deepEqual(
      content,
      runbookContent({
        resourceGroupName: "patch-targets",
        logBucketName: "patch-logs",
        maxConcurrency: "20%",
        maxErrors: "1",
      }),
    );
    assert.equal(content.schemaVersion, "0.3");
    assert.equal(content.assumeRole, "{{ AutomationAssumeRole }}");
    const params = content.parameters as Record<
      string,
      { allowedValues?: string[]; default?: string }
    >;
    assert.deepEqual(Object.keys(params), [
      "AutomationAssumeRole",
      "Operation",
      "RebootOption",
      "SnapshotId",
      "InstallOverrideList",
    ]);
    // Required (no default) and unconstrained, so {{global:ACCOUNT_ID}} role ARNs pass validation.
    assert.deepEqual(Object.keys(params.AutomationAssumeRole ?? {}), ["type", "description"]);
    assert.deepEqual(params.Operation?.allowedValues, ["Scan", "Install"]);
    assert.deepEqual(params.RebootOption?.allowedValues, ["RebootIfNeeded", "NoReboot"]);
    const steps = content.mainSteps as { action: string; inputs: Record<string, unknown> }[];
    assert.equal(steps.length, 1);
    assert.equal(steps[0]?.action, "aws:runCommand");
    assert.deepEqual(steps[0]?.inputs, {
      DocumentName: "AWS-RunPatchBaseline",
      Targets: [{ Key: "resource-groups:Name", Values: ["patch-targets"] }],
      MaxConcurrency: "20%",
      MaxErrors: "1",
      Parameters: {
        Operation: ["{{ Operation }}"],
        RebootOption: ["{{ RebootOption }}"],
        SnapshotId: ["{{ SnapshotId }}"],
        InstallOverrideList: ["{{ InstallOverrideList }}"],
      },
      OutputS3BucketName: "patch-logs",
      OutputS3KeyPrefix: "accountid={{ global:ACCOUNT_ID }}/region={{ global:REGION }}/automation/",
    });
  });

  it("is not shared when there are no members, and refuses rate controls SSM rejects", async () => {
    new PatchRunbook("rb", { resourceGroupName: "g", logBucketName: "patch-logs" });
    await settle();
    assert.equal(named("rb-document").inputs.permissions, undefined);
    assert.throws(
      () =>
        new PatchRunbook("bad", {
          resourceGroupName: "g",
          logBucketName: "patch-logs",
          maxConcurrency: "0",
          maxErrors: "110%",
        }),
      (err: Error) =>
        err.message ===
        'maxConcurrency must be a count of at least 1 ("10") or a percentage 1%–100% ("10%"), got "0"\nmaxErrors must be a count ("0", "3") or a percentage 0%–100% ("5%"), got "110%"',
    );
  });

  it("shares with up to 1,000 accounts and refuses more, naming SSM's quota", async () => {
    // SSM's DocumentPermissionLimit: "By default, you can share a private document with a
    // maximum of 1,000 accounts" (botocore ssm model, shape DocumentPermissionLimit;
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html).
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    new PatchRunbook("rb", {
      resourceGroupName: "g",
      logBucketName: "patch-logs",
      sharedWithAccountIds: ids(1000),
    });
    await settle();
    const permissions = named("rb-document").inputs.permissions as Record<string, string>;
    assert.equal(permissions.account_ids?.split(",").length, 1000);
    // ModifyDocumentPermission takes at most 20 ids per call (botocore ssm model: AccountIdList
    // max 20); the provider splits the list into batches of 20 itself
    // (terraform-provider-aws internal/service/ssm/document.go, SSM_DOCUMENT_PERMISSIONS_BATCH_LIMIT),
    // so one input of 1,000 ids is what the component should send.
    assert.equal(shape("ssm", "AccountIdList").max, 20);
    assert.throws(
      () =>
        new PatchRunbook("big", {
          resourceGroupName: "g",
          logBucketName: "patch-logs",
          sharedWithAccountIds: ids(1001),
        }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          "sharedWithAccountIds lists 1001 accounts, but SSM shares a document privately with at most 1000 accounts by default (DocumentPermissionLimit); split the fleet across central accounts, or ask AWS Support to raise the quota before deploying",
    );
  });
});

describe("PatchMaintenanceWindows", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  const base = {
    resourceGroupName: "patch-targets",
    serviceRoleArn: "arn:aws:iam::222222222222:role/patchfleet-MaintenanceWindowRole",
    logBucketName: "patch-logs",
    logKeyPrefix: "accountid=222222222222/region=eu-west-1/",
  };

  it("scan and install: separate windows, resource-group targets, RUN_COMMAND tasks", async () => {
    new PatchMaintenanceWindows("mw", { ...base, scan: SCAN, install: INSTALL });
    await settle();
    assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "aws:ssm/maintenanceWindow:MaintenanceWindow mw-install",
      "aws:ssm/maintenanceWindow:MaintenanceWindow mw-scan",
      "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget mw-install-target",
      "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget mw-scan-target",
      "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask mw-install-task",
      "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask mw-scan-task",
      "patchfleet:ssm:PatchMaintenanceWindows mw",
    ]);
    for (const r of resources.slice(1)) assert.equal(nameOfUrn(r.parent), "mw");
    const install = named("mw-install").inputs;
    assert.equal(install.schedule, "cron(0 3 ? * SUN *)");
    assert.equal(install.scheduleTimezone, "Europe/Dublin");
    assert.equal(install.scheduleOffset, 2);
    assert.equal(install.duration, 4);
    assert.equal(install.cutoff, 1);
    assert.equal(install.enabled, true);
    assert.equal(install.allowUnassociatedTargets, false);
    assert.equal(named("mw-scan").inputs.scheduleOffset, undefined);

    assert.deepEqual(named("mw-scan-target").inputs.targets, [
      { key: "resource-groups:Name", values: ["patch-targets"] },
      { key: "resource-groups:ResourceTypeFilters", values: ["AWS::EC2::Instance"] },
    ]);
    assert.equal(named("mw-scan-target").inputs.resourceType, "RESOURCE_GROUP");
    assert.equal(named("mw-scan-target").inputs.windowId, mockId("mw-scan"));

    for (const [key, op, reboot, spec] of [
      ["scan", "Scan", "NoReboot", SCAN],
      ["install", "Install", "RebootIfNeeded", INSTALL],
    ] as const) {
      const task = named(`mw-${key}-task`).inputs;
      assert.equal(task.windowId, mockId(`mw-${key}`));
      assert.equal(task.taskType, "RUN_COMMAND");
      assert.equal(task.taskArn, "AWS-RunPatchBaseline");
      assert.equal(task.maxConcurrency, spec.maxConcurrency);
      assert.equal(task.maxErrors, spec.maxErrors);
      assert.equal(task.serviceRoleArn, base.serviceRoleArn);
      assert.deepEqual(task.targets, [
        { key: "WindowTargetIds", values: [mockId(`mw-${key}-target`)] },
      ]);
      const run = (
        task.taskInvocationParameters as { runCommandParameters: Record<string, unknown> }
      ).runCommandParameters;
      assert.equal(run.outputS3Bucket, "patch-logs");
      assert.equal(run.outputS3KeyPrefix, `accountid=222222222222/region=eu-west-1/${key}/`);
      assert.deepEqual(run.parameters, [
        { name: "Operation", values: [op] },
        { name: "RebootOption", values: [reboot] },
      ]);
      // Every input the engine receives, so a dropped or changed field (the command timeout,
      // the comment, the priority) fails here too.
      assert.deepEqual(task, {
        windowId: mockId(`mw-${key}`),
        name: `patchfleet-${key}`,
        taskType: "RUN_COMMAND",
        taskArn: "AWS-RunPatchBaseline",
        priority: 1,
        serviceRoleArn: base.serviceRoleArn,
        maxConcurrency: spec.maxConcurrency,
        maxErrors: spec.maxErrors,
        targets: [{ key: "WindowTargetIds", values: [mockId(`mw-${key}-target`)] }],
        taskInvocationParameters: {
          runCommandParameters: {
            comment: `patchfleet ${op}`,
            outputS3Bucket: "patch-logs",
            outputS3KeyPrefix: `accountid=222222222222/region=eu-west-1/${key}/`,
            timeoutSeconds: 600,
            parameters: [
              { name: "Operation", values: [op] },
              { name: "RebootOption", values: [reboot] },
            ],
          },
        },
      });
    }
    // The two tasks differ in what matters: rate control, operation and log prefix.
    const [scanRun, installRun] = ["scan", "install"].map(
      (key) =>
        (
          named(`mw-${key}-task`).inputs.taskInvocationParameters as {
            runCommandParameters: { outputS3KeyPrefix: string };
          }
        ).runCommandParameters.outputS3KeyPrefix,
    );
    assert.notEqual(scanRun, installRun);
    assert.equal(named("mw-scan-task").inputs.maxConcurrency, "25%");
    assert.equal(named("mw-install-task").inputs.maxConcurrency, "10%");
    assert.equal(named("mw-scan-task").inputs.maxErrors, "10%");
    assert.equal(named("mw-install-task").inputs.maxErrors, "5%");
  });

  it("only the windows asked for; guards name the field", async () => {
    new PatchMaintenanceWindows("mw", { ...base, scan: SCAN });
    await settle();
    assert.equal(resources.length, 4);
    assert.throws(
      () => new PatchMaintenanceWindows("none", { ...base }),
      (err: Error) =>
        err.message === "scan: set scan or install (or both); there is no window to create",
    );
    assert.throws(
      () =>
        new PatchMaintenanceWindows("cut", { ...base, install: { ...INSTALL, cutoffHours: 4 } }),
      (err: Error) =>
        err.message ===
        "install.cutoffHours: must be less than durationHours (4), got 4; tasks need time to start",
    );
  });
});
