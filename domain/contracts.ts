/**
 * Names that the single-account program (index.ts), the fleet runner's stack program, the offline
 * check and the policy pack must agree on, written once. A stack deployed by `pulumi up` and one
 * deployed by `patchfleet up` hold the same resources only while these agree.
 */

/** The Pulumi type token of the account patch topology component. */
export const TOPOLOGY_TYPE = "patchfleet:index:AccountPatchTopology";

/**
 * The name every program gives the topology component. Every child's logical name and URN derives
 * from it: changing it replaces every resource of every deployed stack.
 */
export const TOPOLOGY_COMPONENT_NAME = "patchfleet";

/** The stack outputs of the topology program, the same from index.ts and the fleet runner. */
export const TOPOLOGY_OUTPUTS = [
  "accountId",
  "role",
  "regions",
  "administrationRoleArn",
  "executionRoleArn",
  "maintenanceWindowRoleArn",
  "logBucketName",
] as const;
export type TopologyOutputName = (typeof TOPOLOGY_OUTPUTS)[number];

/**
 * The central stack's outputs that member stacks are configured with. `runbookName` is read from
 * `regions.<first>.runbookName` when a stack has no top-level output of that name.
 */
export const CENTRAL_OUTPUTS = ["administrationRoleArn", "runbookName", "logBucketName"] as const;
export type CentralOutputName = (typeof CENTRAL_OUTPUTS)[number];

/** The CrossGuard policy that checks instances against the patch group → baseline assignments. */
export const APPROVED_BASELINE_POLICY = "patchfleet-instance-approved-baseline";
