/** A small validated fleet (central + members) built directly as data, for runner tests. */
import type { PatchGroupSpec } from "../../components/types";
import type { Fleet, FleetAccount } from "../../automation/fleet/types";

const web: PatchGroupSpec = {
  operatingSystem: "AMAZON_LINUX_2023",
  approvalRules: [
    {
      patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }],
      approveAfterDays: 7,
      complianceLevel: "HIGH",
      enableNonSecurity: false,
    },
  ],
  globalFilters: [],
  approvedPatches: [],
  approvedPatchesComplianceLevel: "UNSPECIFIED",
  approvedPatchesEnableNonSecurity: false,
  rejectedPatches: [],
  rejectedPatchesAction: "BLOCK",
  sources: [],
  defaultForOperatingSystem: false,
};

export function account(id: string, name: string, regions = ["us-east-1"]): FleetAccount {
  return { account: id, name, regions, patchGroups: { web } };
}

/** central 111111111111 + `members` member accounts 2000000000NN named m1..mN. */
export function testFleet(file: string, members = 3, overrides: Partial<Fleet> = {}): Fleet {
  return {
    file,
    project: "patchfleet",
    central: account("111111111111", "central"),
    members: Array.from({ length: members }, (_, i) =>
      account(`2000000000${String(i + 1).padStart(2, "0")}`, `m${i + 1}`, [
        "us-east-1",
        "eu-west-1",
      ]),
    ),
    resourceGroupTag: { key: "ssm-linuxpatching", value: "True" },
    resourceGroupName: "patchfleet-patch-targets",
    administrationRoleName: "AWS-SystemsManager-AutomationAdministrationRole",
    executionRoleName: "AWS-SystemsManager-AutomationExecutionRole",
    runbookName: "patchfleet-RunPatchBaseline",
    logBucketName: "patchfleet-logs-111111111111",
    maintenanceWindows: {},
    rollout: {
      maxConcurrent: { kind: "count", value: 1 },
      failureTolerance: { kind: "count", value: 0 },
    },
    backend: "file://./.patchfleet/state",
    tags: {},
    ...overrides,
  };
}

/** Central outputs as the topology program exports them. */
export const CENTRAL_OUTPUTS = {
  administrationRoleArn:
    "arn:aws:iam::111111111111:role/AWS-SystemsManager-AutomationAdministrationRole",
  runbookName: "patchfleet-RunPatchBaseline",
  logBucketName: "patchfleet-logs-111111111111",
  regions: {
    "us-east-1": {
      baselineIds: { web: "pb-0123456789abcdef0" },
      runbookName: "patchfleet-RunPatchBaseline",
    },
  },
};
