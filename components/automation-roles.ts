import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import {
  ACCOUNT_ID_PATTERN,
  DEFAULT_ADMINISTRATION_ROLE_NAME,
  DEFAULT_EXECUTION_ROLE_NAME,
} from "../domain";
import { DEFAULT_RUNBOOK_NAME } from "./config";
import {
  administrationPermissions,
  administrationTrustPolicy,
  automationRolePolicyArn,
  executionPermissions,
  executionTrustPolicy,
  maintenanceWindowPermissions,
  maintenanceWindowTrustPolicy,
  roleArn,
} from "./iam-policies";

export * from "./iam-policies";

/** Physical name of the maintenance window service role (one per account). */
export const MAINTENANCE_WINDOW_ROLE_NAME = "patchfleet-MaintenanceWindowRole";

export interface AutomationRolesArgs {
  /** `central` creates the administration role (and an execution role, so the central account can
   * be a patch target itself); `member` creates the execution role only. */
  accountRole: "central" | "member";
  /** 12-digit id of the account these roles live in. */
  accountId: string;
  /** 12-digit id of the central account; its administration role is trusted by execution roles. */
  centralAccountId: string;
  /** ARN partition: aws, aws-cn or aws-us-gov. @default "aws" */
  partition?: string;
  /**
   * Name of the central administration role. AWS's setup uses this default name, but the role is
   * passed by ARN (AutomationAssumeRole), so any name works.
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
   * @default "AWS-SystemsManager-AutomationAdministrationRole"
   */
  administrationRoleName?: string;
  /**
   * Name of the execution role in every target account. A multi-account start names it per
   * TargetLocation (ExecutionRoleName, whose API default is this name), so it must be the same in
   * every account.
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_TargetLocation.html
   * @default "AWS-SystemsManager-AutomationExecutionRole"
   */
  executionRoleName?: string;
  /**
   * Name of the central account's shared runbook, the only automation the execution role runs.
   * @default "patchfleet-RunPatchBaseline"
   */
  runbookName?: string;
  /** Name of the resource group the runbook targets; the execution role may read only it. */
  resourceGroupName: string;
  /** Central patch log bucket; the execution role writes only under its own account prefix. */
  logBucketName: string;
  /** Regions whose log prefixes (`accountid=<id>/region=<region>/`) the execution role writes. */
  regions: string[];
  /**
   * Create the maintenance window service role.
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-maintenance-perm-console.html
   * @default false
   */
  maintenanceWindowRole?: boolean;
  /** Name of the alert publisher role the maintenance window role may pass to Systems Manager.
   * @default undefined (no notifications) */
  notificationRoleName?: string;
  /** Tags of the roles. @default {} */
  tags?: Record<string, string>;
}

/**
 * The IAM side of multi-account patching (one per account, on the home region's provider).
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
 */
export class AutomationRoles extends pulumi.ComponentResource {
  /** Central only. */
  public readonly administrationRoleArn: pulumi.Output<string> | undefined;
  public readonly executionRoleArn: pulumi.Output<string>;
  /** Only when maintenanceWindowRole is set. */
  public readonly maintenanceWindowRoleArn: pulumi.Output<string> | undefined;

  constructor(name: string, args: AutomationRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:iam:AutomationRoles", name, {}, opts);
    for (const key of ["accountId", "centralAccountId"] as const) {
      if (!ACCOUNT_ID_PATTERN.test(args[key])) {
        throw new pulumi.ResourceError(
          `${key} must be a 12-digit account id string, got ${JSON.stringify(args[key])}`,
          this,
        );
      }
    }
    if (args.accountRole === "central" && args.accountId !== args.centralAccountId) {
      throw new pulumi.ResourceError(
        `centralAccountId (${args.centralAccountId}) must equal accountId (${args.accountId}) for the central account`,
        this,
      );
    }
    if (args.regions.length === 0) {
      throw new pulumi.ResourceError("regions must list at least one region", this);
    }
    const partition = args.partition ?? "aws";
    const administrationRoleName = args.administrationRoleName ?? DEFAULT_ADMINISTRATION_ROLE_NAME;
    const executionRoleName = args.executionRoleName ?? DEFAULT_EXECUTION_ROLE_NAME;
    const tags = args.tags ?? {};

    let admin: aws.iam.Role | undefined;
    if (args.accountRole === "central") {
      admin = new aws.iam.Role(
        `${name}-administration`,
        {
          name: administrationRoleName,
          description:
            "Systems Manager starts patch automations in member accounts through this role",
          assumeRolePolicy: JSON.stringify(administrationTrustPolicy(partition, args.accountId)),
          inlinePolicies: [
            {
              name: "assume-execution-role",
              policy: JSON.stringify(administrationPermissions(partition, executionRoleName)),
            },
          ],
          tags,
        },
        { parent: this },
      );
      this.administrationRoleArn = admin.arn;
    }

    const execution = new aws.iam.Role(
      `${name}-execution`,
      {
        name: executionRoleName,
        description: "Runs AWS-RunPatchBaseline for the central patch automation",
        assumeRolePolicy: JSON.stringify(
          executionTrustPolicy(
            partition,
            args.accountId,
            roleArn(partition, args.centralAccountId, administrationRoleName),
          ),
        ),
        inlinePolicies: [
          {
            name: "run-patch-baseline",
            policy: JSON.stringify(
              executionPermissions({
                partition,
                accountId: args.accountId,
                executionRoleName,
                resourceGroupName: args.resourceGroupName,
                logBucketName: args.logBucketName,
                regions: args.regions,
                centralAccountId: args.centralAccountId,
                runbookName: args.runbookName ?? DEFAULT_RUNBOOK_NAME,
              }),
            ),
          },
        ],
        tags,
      },
      // The trust policy names the administration role by ARN, and IAM rejects a trust policy whose
      // role does not exist yet: in the central account, create the administration role first. In
      // member accounts it lives in the central account, which is deployed before any member.
      { parent: this, dependsOn: admin === undefined ? [] : [admin] },
    );
    // AWS's execution-role template attaches Automation's managed service-role policy; see
    // executionPermissions for why patchfleet does not replace it with a narrower list.
    new aws.iam.RolePolicyAttachment(
      `${name}-execution-automation-policy`,
      { role: execution.name, policyArn: automationRolePolicyArn(partition) },
      { parent: this },
    );
    this.executionRoleArn = execution.arn;

    if (args.maintenanceWindowRole === true) {
      const windowRole = new aws.iam.Role(
        `${name}-maintenance-window`,
        {
          name: MAINTENANCE_WINDOW_ROLE_NAME,
          description: "Maintenance windows run AWS-RunPatchBaseline on the patch resource group",
          assumeRolePolicy: JSON.stringify(maintenanceWindowTrustPolicy(partition, args.accountId)),
          inlinePolicies: [
            {
              name: "run-patch-baseline",
              policy: JSON.stringify(
                maintenanceWindowPermissions(
                  partition,
                  args.accountId,
                  args.resourceGroupName,
                  args.notificationRoleName,
                ),
              ),
            },
          ],
          tags,
        },
        { parent: this },
      );
      this.maintenanceWindowRoleArn = windowRole.arn;
    }

    this.registerOutputs({
      administrationRoleArn: this.administrationRoleArn,
      executionRoleArn: this.executionRoleArn,
      maintenanceWindowRoleArn: this.maintenanceWindowRoleArn,
    });
  }
}
