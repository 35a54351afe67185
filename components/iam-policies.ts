/**
 * The IAM documents of the automation roles, as plain data: built here, serialized by the
 * AutomationRoles component, and read statement by statement by tests and policies.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
 */
import { RUN_PATCH_BASELINE_DOCUMENT } from "../domain";

/** An IAM policy document as plain data, so tests and policies can read it statement by statement. */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]> | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function roleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/**
 * Trust for ssm.amazonaws.com guarded against the confused deputy: the service may assume the
 * role only on behalf of this account and only for the named kind of SSM resource.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-prevention.html
 */
export function ssmServiceTrust(
  partition: string,
  accountId: string,
  sourceArn: string,
): PolicyStatement {
  return {
    Sid: "SystemsManagerForThisAccountOnly",
    Effect: "Allow",
    Principal: { Service: "ssm.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnLike: { "aws:SourceArn": `arn:${partition}:ssm:*:${accountId}:${sourceArn}` },
    },
  };
}

export function administrationTrustPolicy(partition: string, accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [ssmServiceTrust(partition, accountId, "automation-execution/*")],
  };
}

export function administrationPermissions(
  partition: string,
  executionRoleName: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeOnlyTheExecutionRole",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: `arn:${partition}:iam::*:role/${executionRoleName}`,
      },
    ],
  };
}

export function executionTrustPolicy(
  partition: string,
  accountId: string,
  administrationRoleArn: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // The administration role's ARN, not the central account root: only that role may start
        // automations here, not every principal the central account allows to assume roles.
        Sid: "CentralAdministrationRoleOnly",
        Effect: "Allow",
        Principal: { AWS: administrationRoleArn },
        Action: "sts:AssumeRole",
      },
      ssmServiceTrust(partition, accountId, "automation-execution/*"),
    ],
  };
}

export interface ExecutionPermissionsInput {
  partition: string;
  accountId: string;
  executionRoleName: string;
  /** Not used by the policy any more (AWS's template scopes nothing to them); kept for callers. */
  resourceGroupName?: string;
  logBucketName?: string;
  regions?: string[];
  centralAccountId?: string;
  runbookName?: string;
}

/** The managed policy AWS's execution-role template attaches: Automation's own service role. */
export function automationRolePolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/service-role/AmazonSSMAutomationRole`;
}

/**
 * The inline policy of the execution role, next to the managed AmazonSSMAutomationRole
 * (automationRolePolicyArn). Both as in AWS's own template for multi-account automation,
 * AWS-SystemsManager-AutomationExecutionRole.zip, linked from "Setting up management account
 * permissions for multi-Region and multi-account automation":
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
 *
 * Why not a narrower policy (RELIABILITY I3 prefers one): a multi-account run starts a child
 * automation of the shared runbook in each target account under this role, which resolves the
 * resource-group target and sends AWS-RunPatchBaseline. AWS documents only the template's
 * permissions for that; it does not document which ssm: actions on which resources the child
 * execution needs (the runbook is owned by another account, the automation-definition ARN and the
 * calls made on the role's behalf are not listed anywhere). A hand-narrowed list that misses one
 * fails only at patch time, in every account at once. So patchfleet grants what AWS documents to
 * work and keeps the narrow parts that cost nothing: the role trusts only the administration role
 * and SSM for this account (executionTrustPolicy), and passes only itself, only to SSM.
 */
export function executionPermissions(i: ExecutionPermissionsInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        // The template's ExecutionPolicy: resolve tag and resource-group targets in this account.
        Sid: "ResolveAutomationTargets",
        Effect: "Allow",
        Action: ["resource-groups:ListGroupResources", "tag:GetResources", "ec2:DescribeInstances"],
        Resource: "*",
      },
      {
        // The template grants PassRole on this role itself; the PassedToService condition (I2)
        // narrows it to the service Automation hands the role to.
        Sid: "PassOnlyItselfToSystemsManager",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: roleArn(i.partition, i.accountId, i.executionRoleName),
        Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
      },
    ],
  };
}

export function maintenanceWindowTrustPolicy(partition: string, accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [ssmServiceTrust(partition, accountId, "maintenancewindow/*")],
  };
}

export function maintenanceWindowPermissions(
  partition: string,
  accountId: string,
  resourceGroupName: string,
  notificationRoleName?: string,
): PolicyDocument {
  const p = partition;
  // A task whose Run Command sends notifications names a notification role, which the window's
  // service role passes to Systems Manager with the command.
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-sns-notifications.html
  const passNotificationRole: PolicyStatement[] =
    notificationRoleName === undefined
      ? []
      : [
          {
            Sid: "PassTheNotificationRoleToSystemsManager",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: roleArn(p, accountId, notificationRoleName),
            Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
          },
        ];
  return {
    Version: "2012-10-17",
    Statement: [
      ...passNotificationRole,
      {
        Sid: "RunPatchBaselineOnInstances",
        Effect: "Allow",
        Action: "ssm:SendCommand",
        Resource: [
          `arn:${p}:ssm:*::document/${RUN_PATCH_BASELINE_DOCUMENT}`,
          `arn:${p}:ec2:*:${accountId}:instance/*`,
          `arn:${p}:ssm:*:${accountId}:managed-instance/*`,
        ],
      },
      {
        Sid: "FollowCommandsAndReadTags",
        Effect: "Allow",
        Action: [
          "ssm:ListCommands",
          "ssm:ListCommandInvocations",
          "ssm:GetCommandInvocation",
          "ssm:CancelCommand",
          "tag:GetResources",
        ],
        Resource: "*",
      },
      {
        Sid: "ResolveTheResourceGroupTarget",
        Effect: "Allow",
        Action: ["resource-groups:GetGroupQuery", "resource-groups:ListGroupResources"],
        Resource: `arn:${p}:resource-groups:*:${accountId}:group/${resourceGroupName}`,
      },
    ],
  };
}
