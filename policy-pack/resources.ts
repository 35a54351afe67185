/** Resource type tokens the pack reads, and how messages name a resource of each. */
export const TYPES = {
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  autoScalingGroup: "aws:autoscaling/group:Group",
  patchGroup: "aws:ssm/patchGroup:PatchGroup",
  patchBaseline: "aws:ssm/patchBaseline:PatchBaseline",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  maintenanceWindow: "aws:ssm/maintenanceWindow:MaintenanceWindow",
  maintenanceWindowTask: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
  resourceGroup: "aws:resourcegroups/group:Group",
} as const;

const KIND: Record<string, string> = {
  [TYPES.instance]: "Instance",
  [TYPES.launchTemplate]: "Launch template",
  [TYPES.autoScalingGroup]: "Auto Scaling group",
  [TYPES.patchGroup]: "Patch group",
  [TYPES.patchBaseline]: "Patch baseline",
  [TYPES.role]: "Role",
  [TYPES.rolePolicy]: "Role policy",
  [TYPES.policy]: "IAM policy",
  [TYPES.maintenanceWindow]: "Maintenance window",
  [TYPES.maintenanceWindowTask]: "Maintenance window task",
  [TYPES.resourceGroup]: "Resource group",
};

/** `Instance "web-1"`: the kind of resource and its Pulumi name. */
export function subject(type: string, name: string): string {
  return `${KIND[type] ?? type} ${JSON.stringify(name)}`;
}
