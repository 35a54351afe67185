/**
 * What the components would send to AWS for the example configuration (Pulumi.example.yaml), run
 * through AWS's own request models (botocore 1.44.8, test/aws-models). The provider turns each
 * resource's inputs into one API request; the mapping below follows the provider's documented
 * arguments, one line per member, so a renamed or mis-shaped input shows up as a model problem:
 * - aws_ssm_patch_baseline: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_patch_baseline
 *   (approval_rule → ApprovalRules.PatchRules[], patch_filter → PatchFilterGroup.PatchFilters[],
 *   global_filter → GlobalFilters.PatchFilters[], source → Sources[])
 * - aws_ssm_maintenance_window: .../resources/ssm_maintenance_window (schedule_timezone →
 *   ScheduleTimezone, schedule_offset → ScheduleOffset, duration → Duration, cutoff → Cutoff)
 * - aws_ssm_maintenance_window_target: .../resources/ssm_maintenance_window_target
 * - aws_ssm_maintenance_window_task: .../resources/ssm_maintenance_window_task
 *   (task_invocation_parameters.run_command_parameters → TaskInvocationParameters.RunCommand,
 *   parameter { name, values } → Parameters map name → values)
 * - aws_ssm_document: .../resources/ssm_document
 * - aws_s3_bucket_policy: .../resources/s3_bucket_policy (policy → Policy)
 * Ids that AWS assigns at create time (window id, window target id) are placeholders in AWS's own
 * formats, since the mock runtime's ids are not AWS ids.
 */
import { strict as assert } from "assert";
import { buildTopology } from "../../components/topology";
import { requestProblems } from "../aws-models";
import { installMocks, named, ofType, settle } from "../helpers/mocks";
import { config, exampleRaw } from "./fixtures";

type Inputs = Record<string, unknown>;
const WINDOW_ID = "mw-0123456789abcdef0"; // MaintenanceWindowId: ^mw-[0-9a-f]{17}$
const WINDOW_TARGET_ID = "e32eecb2-646c-4f4b-8ed1-205fbEXAMPLE"; // a UUID, as AWS returns

function tags(value: unknown): { Key: string; Value: string }[] | undefined {
  const entries = Object.entries((value ?? {}) as Record<string, string>);
  return entries.length === 0 ? undefined : entries.map(([Key, Value]) => ({ Key, Value }));
}
function filterGroup(filters: unknown): { PatchFilters: { Key: string; Values: string[] }[] } {
  return {
    PatchFilters: ((filters ?? []) as { key: string; values: string[] }[]).map((f) => ({
      Key: f.key,
      Values: f.values,
    })),
  };
}
/** Drops undefined members, as the SDK does not send them. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function createPatchBaseline(i: Inputs): Inputs {
  const rules = (i.approvalRules ?? []) as Inputs[];
  return clean({
    Name: i.name,
    Description: i.description,
    OperatingSystem: i.operatingSystem,
    GlobalFilters: filterGroup(i.globalFilters),
    ApprovalRules: {
      PatchRules: rules.map((r) => ({
        PatchFilterGroup: filterGroup(r.patchFilters),
        ComplianceLevel: r.complianceLevel,
        ApproveAfterDays: r.approveAfterDays,
        ApproveUntilDate: r.approveUntilDate,
        EnableNonSecurity: r.enableNonSecurity,
      })),
    },
    ApprovedPatches: i.approvedPatches,
    ApprovedPatchesComplianceLevel: i.approvedPatchesComplianceLevel,
    ApprovedPatchesEnableNonSecurity: i.approvedPatchesEnableNonSecurity,
    RejectedPatches: i.rejectedPatches,
    RejectedPatchesAction: i.rejectedPatchesAction,
    Sources: ((i.sources ?? []) as Inputs[]).map((s) => ({
      Name: s.name,
      Products: s.products,
      Configuration: s.configuration,
    })),
    Tags: tags(i.tags),
  });
}

function createMaintenanceWindow(i: Inputs): Inputs {
  return clean({
    Name: i.name,
    Description: i.description,
    Schedule: i.schedule,
    ScheduleTimezone: i.scheduleTimezone,
    ScheduleOffset: i.scheduleOffset,
    Duration: i.duration,
    Cutoff: i.cutoff,
    AllowUnassociatedTargets: i.allowUnassociatedTargets,
    Tags: tags(i.tags),
  });
}

function registerTarget(i: Inputs): Inputs {
  return clean({
    WindowId: WINDOW_ID,
    Name: i.name,
    ResourceType: i.resourceType,
    Targets: ((i.targets ?? []) as { key: string; values: string[] }[]).map((t) => ({
      Key: t.key,
      Values: t.values,
    })),
  });
}

function registerTask(i: Inputs): Inputs {
  const invocation = i.taskInvocationParameters as { runCommandParameters: Inputs };
  const run = invocation.runCommandParameters;
  return clean({
    WindowId: WINDOW_ID,
    Name: i.name,
    TaskType: i.taskType,
    TaskArn: i.taskArn,
    ServiceRoleArn: i.serviceRoleArn,
    Priority: i.priority,
    MaxConcurrency: i.maxConcurrency,
    MaxErrors: i.maxErrors,
    Targets: [{ Key: "WindowTargetIds", Values: [WINDOW_TARGET_ID] }],
    TaskInvocationParameters: {
      RunCommand: {
        Comment: run.comment,
        OutputS3BucketName: run.outputS3Bucket,
        OutputS3KeyPrefix: run.outputS3KeyPrefix,
        TimeoutSeconds: run.timeoutSeconds,
        Parameters: Object.fromEntries(
          ((run.parameters ?? []) as { name: string; values: string[] }[]).map((p) => [
            p.name,
            p.values,
          ]),
        ),
      },
    },
  });
}

function createDocument(i: Inputs): Inputs {
  return clean({
    Name: i.name,
    Content: i.content,
    DocumentType: i.documentType,
    DocumentFormat: i.documentFormat,
    Tags: tags(i.tags),
  });
}

describe("what the components send passes AWS's request models (example configuration)", function () {
  this.timeout(120_000);
  before(installMocks);

  it("CreatePatchBaseline, CreateMaintenanceWindow, Register*WithMaintenanceWindow, CreateDocument, PutBucketPolicy", async () => {
    buildTopology("pf", config(exampleRaw()));
    await settle();
    const problems: string[] = [];
    const counted: Record<string, number> = {};
    const check = (service: "ssm" | "s3", op: string, request: Inputs) => {
      counted[op] = (counted[op] ?? 0) + 1;
      problems.push(...requestProblems(service, op, request));
    };
    for (const r of ofType("aws:ssm/patchBaseline:PatchBaseline")) {
      check("ssm", "CreatePatchBaseline", createPatchBaseline(r.inputs));
    }
    for (const r of ofType("aws:ssm/maintenanceWindow:MaintenanceWindow")) {
      check("ssm", "CreateMaintenanceWindow", createMaintenanceWindow(r.inputs));
    }
    for (const r of ofType("aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget")) {
      check("ssm", "RegisterTargetWithMaintenanceWindow", registerTarget(r.inputs));
    }
    for (const r of ofType("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask")) {
      check("ssm", "RegisterTaskWithMaintenanceWindow", registerTask(r.inputs));
    }
    for (const r of ofType("aws:ssm/document:Document")) {
      check("ssm", "CreateDocument", createDocument(r.inputs));
    }
    const policy = named("pf-logs-policy").inputs.policy as string;
    check("s3", "PutBucketPolicy", {
      Bucket: "patchfleet-patch-logs-111111111111",
      Policy: policy,
    });
    assert.deepEqual(problems, []);
    // Nothing was skipped: every kind of request was built at least once.
    for (const op of [
      "CreatePatchBaseline",
      "CreateMaintenanceWindow",
      "RegisterTargetWithMaintenanceWindow",
      "RegisterTaskWithMaintenanceWindow",
      "CreateDocument",
      "PutBucketPolicy",
    ]) {
      assert.ok((counted[op] ?? 0) > 0, op);
    }
    // "Bucket policies are limited to 20 KB in size."
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
    assert.ok(Buffer.byteLength(policy, "utf8") <= 20 * 1024);
  });

  it("the mapping is not vacuous: a fifth filter or a wrong member name is a model problem", () => {
    const five = Array.from({ length: 5 }, () => ({ key: "PRODUCT", values: ["*"] }));
    assert.deepEqual(
      requestProblems(
        "ssm",
        "CreatePatchBaseline",
        createPatchBaseline({
          name: "x-baseline",
          operatingSystem: "AMAZON_LINUX_2023",
          approvalRules: [{ patchFilters: five, approveAfterDays: 7 }],
        }),
      ),
      [
        "CreatePatchBaseline.ApprovalRules.PatchRules[0].PatchFilterGroup.PatchFilters: must have at most 4 item(s), got 5",
      ],
    );
    assert.deepEqual(
      requestProblems("ssm", "CreateMaintenanceWindow", {
        ...createMaintenanceWindow({
          name: "w-1",
          schedule: "rate(1 day)",
          duration: 25,
          cutoff: 1,
          allowUnassociatedTargets: false,
        }),
      }),
      ["CreateMaintenanceWindow.Duration: must be ≤ 24"],
    );
  });
});
