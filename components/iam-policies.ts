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
function ssmServiceTrust(partition: string, accountId: string, sourceArn: string): PolicyStatement {
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
  resourceGroupName: string;
  logBucketName: string;
  regions: string[];
  /** The central account, owner of the shared runbook. */
  centralAccountId: string;
  runbookName: string;
}

/** The narrow inline policy of the execution role (instead of AmazonSSMAutomationRole). */
export function executionPermissions(i: ExecutionPermissionsInput): PolicyDocument {
  const p = i.partition;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "RunPatchBaselineOnInstances",
        Effect: "Allow",
        Action: "ssm:SendCommand",
        Resource: [
          // AWS-owned documents have no account in their ARN.
          `arn:${p}:ssm:*::document/${RUN_PATCH_BASELINE_DOCUMENT}`,
          `arn:${p}:ec2:*:${i.accountId}:instance/*`,
          `arn:${p}:ssm:*:${i.accountId}:managed-instance/*`,
        ],
      },
      {
        // These read-only calls do not support resource-level permissions.
        Sid: "FollowCommandsAndReadTags",
        Effect: "Allow",
        Action: [
          "ssm:ListCommands",
          "ssm:ListCommandInvocations",
          "ssm:GetCommandInvocation",
          "ssm:DescribeInstanceInformation",
          "ssm:DescribeAutomationExecutions",
          "ec2:DescribeInstances",
          "tag:GetResources",
        ],
        Resource: "*",
      },
      {
        // AWS's own template grants AmazonSSMAutomationRole (ssm:* on *) for this; patchfleet
        // grants only what running the shared patch runbook in this account needs.
        Sid: "RunTheSharedPatchRunbook",
        Effect: "Allow",
        Action: [
          "ssm:StartAutomationExecution",
          "ssm:GetAutomationExecution",
          "ssm:DescribeAutomationStepExecutions",
          "ssm:StopAutomationExecution",
          "ssm:GetDocument",
          "ssm:DescribeDocument",
        ],
        Resource: [
          `arn:${p}:ssm:*:${i.centralAccountId}:document/${i.runbookName}`,
          `arn:${p}:ssm:*:*:automation-definition/${i.runbookName}:*`,
          `arn:${p}:ssm:*:${i.accountId}:automation-execution/*`,
        ],
      },
      {
        Sid: "ReadThePatchResourceGroup",
        Effect: "Allow",
        Action: [
          "resource-groups:GetGroup",
          "resource-groups:GetGroupQuery",
          "resource-groups:ListGroupResources",
        ],
        Resource: `arn:${p}:resource-groups:*:${i.accountId}:group/${i.resourceGroupName}`,
      },
      {
        Sid: "WritePatchLogsUnderOwnPrefix",
        Effect: "Allow",
        Action: "s3:PutObject",
        Resource: i.regions.map(
          (r) => `arn:${p}:s3:::${i.logBucketName}/accountid=${i.accountId}/region=${r}/*`,
        ),
      },
      {
        Sid: "PassOnlyItselfToSystemsManager",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: roleArn(p, i.accountId, i.executionRoleName),
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
): PolicyDocument {
  const p = partition;
  return {
    Version: "2012-10-17",
    Statement: [
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
