/**
 * A compliant patch stack, one resource of every kind the pack reads, built fresh on every call so
 * a test can change one property and assert the exact finding it causes.
 */
import type { PolicyResource, Violation } from "../../policy-pack/evaluate";

export const urnOf = (type: string, name: string): string =>
  `urn:pulumi:dev::patchfleet::${type}::${name}`;

export function resource(
  type: string,
  name: string,
  props: Record<string, unknown>,
  extra: Partial<PolicyResource> = {},
): PolicyResource {
  return { urn: urnOf(type, name), type, name, props, ...extra };
}

export const T = {
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  asg: "aws:autoscaling/group:Group",
  patchGroup: "aws:ssm/patchGroup:PatchGroup",
  baseline: "aws:ssm/patchBaseline:PatchBaseline",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
  task: "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask",
  group: "aws:resourcegroups/group:Group",
} as const;

export function securityRule(): Record<string, unknown> {
  return {
    approveAfterDays: 3,
    complianceLevel: "CRITICAL",
    enableNonSecurity: false,
    patchFilters: [
      { key: "CLASSIFICATION", values: ["Security"] },
      { key: "SEVERITY", values: ["Critical", "Important"] },
    ],
  };
}

export function baseline(name = "al2023", props: Record<string, unknown> = {}): PolicyResource {
  return resource(T.baseline, name, {
    name: `patchfleet-${name}`,
    operatingSystem: "AMAZON_LINUX_2023",
    approvalRules: [securityRule()],
    rejectedPatches: ["kernel-debug*"],
    rejectedPatchesAction: "BLOCK",
    ...props,
  });
}

/** A patch group registered to an in-stack baseline, linked the way the engine links it. */
export function patchGroup(
  name: string,
  group: string,
  base: PolicyResource,
  baselineId: unknown = `pb-${base.name}`,
): PolicyResource {
  return resource(
    T.patchGroup,
    name,
    { patchGroup: group, baselineId },
    { dependencies: [base.urn], propertyDependencies: { baselineId: [base.urn] } },
  );
}

const trustPolicy = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ssm.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "111122223333" },
        ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:111122223333:automation-execution/*" },
      },
    },
  ],
};

export const passRolePolicy = (resource: unknown = "arn:aws:iam::111122223333:role/patch") =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: resource,
        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
      },
    ],
  });

export interface Stack {
  baseline: PolicyResource;
  patchGroup: PolicyResource;
  instance: PolicyResource;
  launchTemplate: PolicyResource;
  asg: PolicyResource;
  role: PolicyResource;
  rolePolicy: PolicyResource;
  policy: PolicyResource;
  task: PolicyResource;
  group: PolicyResource;
}

export function compliantStack(): Stack {
  const base = baseline();
  return {
    baseline: base,
    patchGroup: patchGroup("web-group", "web", base),
    instance: resource(T.instance, "web-1", {
      ami: "ami-0123456789abcdef0",
      instanceType: "t3.micro",
      tags: { PatchGroup: "web", Name: "web-1" },
      metadataOptions: { httpTokens: "required", instanceMetadataTags: "enabled" },
    }),
    launchTemplate: resource(T.launchTemplate, "web-lt", {
      imageId: "ami-0123456789abcdef0",
      tagSpecifications: [
        { resourceType: "volume", tags: { PatchGroup: "not-a-group" } },
        { resourceType: "instance", tags: { PatchGroup: "web" } },
      ],
    }),
    asg: resource(T.asg, "web-asg", {
      minSize: 1,
      maxSize: 3,
      tags: [
        { key: "PatchGroup", value: "web", propagateAtLaunch: true },
        { key: "Patch Group", value: "unregistered", propagateAtLaunch: false },
      ],
    }),
    role: resource(T.role, "automation", {
      assumeRolePolicy: JSON.stringify(trustPolicy),
      inlinePolicies: [{ name: "pass-patch-role", policy: passRolePolicy() }],
    }),
    rolePolicy: resource(T.rolePolicy, "automation-extra", {
      role: "automation",
      policy: passRolePolicy(),
    }),
    policy: resource(T.policy, "operators", { policy: passRolePolicy() }),
    task: resource(T.task, "patch-task", {
      windowId: "mw-0123456789abcdef0",
      taskType: "RUN_COMMAND",
      taskArn: "AWS-RunPatchBaseline",
      maxConcurrency: "10%",
      maxErrors: "5%",
    }),
    group: resource(T.group, "patch-targets", {
      name: "patchfleet-targets",
      resourceQuery: {
        type: "TAG_FILTERS_1_0",
        query: JSON.stringify({
          ResourceTypeFilters: ["AWS::EC2::Instance"],
          TagFilters: [{ Key: "PatchGroup", Values: ["web"] }],
        }),
      },
    }),
  };
}

export const all = (s: Stack): PolicyResource[] => Object.values(s);

/** The violation the evaluator reports for a policy's message on one resource. */
export function finding(
  policy: { name: string; description: string },
  r: PolicyResource,
  text: string,
  enforcementLevel: Violation["enforcementLevel"],
): Violation {
  return {
    policy: policy.name,
    enforcementLevel,
    message: `${policy.description}\n${text}`,
    urn: r.urn,
    resourceName: r.name,
    resourceType: r.type,
  };
}

export const of = (vs: Violation[], policy: { name: string }): Violation[] =>
  vs.filter((v) => v.policy === policy.name);
