import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { RUN_PATCH_BASELINE_DOCUMENT, type PatchOperation } from "../domain";
import { parseMaintenanceWindow } from "./config";
import type { ConfigIssue } from "./config-util";
import type { MaintenanceWindowSpec } from "./types";

export interface PatchMaintenanceWindowsArgs {
  /**
   * Window that runs AWS-RunPatchBaseline with Operation=Scan (never reboots).
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/maintenance-windows.html
   * @default undefined (no scan window)
   */
  scan?: MaintenanceWindowSpec;
  /** Window that runs Operation=Install with RebootIfNeeded. @default undefined (no install window) */
  install?: MaintenanceWindowSpec;
  /** Resource group the windows target (RESOURCE_GROUP target type). */
  resourceGroupName: pulumi.Input<string>;
  /** Service role the tasks run as (AutomationRoles.maintenanceWindowRoleArn). */
  serviceRoleArn: pulumi.Input<string>;
  /** Bucket for Run Command output. */
  logBucketName: pulumi.Input<string>;
  /**
   * Key prefix of this account-region, e.g. `accountid=012345678901/region=us-east-1/`; the tasks
   * append `scan/` or `install/`.
   */
  logKeyPrefix: string;
  /** Tags of the windows. @default {} */
  tags?: Record<string, string>;
  /**
   * Run Command notifications of both tasks: one message per command (NotificationType Command)
   * on each status in `events`, published to `topicArn` with `roleArn` as the notification role.
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_NotificationConfig.html
   * @default undefined (no notifications)
   */
  notification?: {
    topicArn: pulumi.Input<string>;
    roleArn: pulumi.Input<string>;
    events: string[];
  };
}

export interface WindowResources {
  window: aws.ssm.MaintenanceWindow;
  target: aws.ssm.MaintenanceWindowTarget;
  task: aws.ssm.MaintenanceWindowTask;
}

const OPERATIONS: readonly {
  key: "scan" | "install";
  operation: PatchOperation;
  reboot: string;
}[] = [
  { key: "scan", operation: "Scan", reboot: "NoReboot" },
  { key: "install", operation: "Install", reboot: "RebootIfNeeded" },
];

/**
 * Scheduled patching of one account-region: a scan window and an install window, each targeting
 * the resource group with a RUN_COMMAND task of AWS-RunPatchBaseline.
 */
export class PatchMaintenanceWindows extends pulumi.ComponentResource {
  public readonly windows: { scan?: WindowResources; install?: WindowResources } = {};
  public readonly scanWindowId: pulumi.Output<string> | undefined;
  public readonly installWindowId: pulumi.Output<string> | undefined;

  constructor(
    name: string,
    args: PatchMaintenanceWindowsArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("patchfleet:ssm:PatchMaintenanceWindows", name, {}, opts);
    const issues: ConfigIssue[] = [];
    for (const { key } of OPERATIONS) {
      // startDate is set by the fleet's freezes, not written in a window's settings.
      const { startDate, ...settings } = args[key] ?? {};
      if (args[key] !== undefined) parseMaintenanceWindow(settings, key, issues);
      if (startDate !== undefined && Number.isNaN(Date.parse(startDate))) {
        issues.push({
          path: `${key}.startDate`,
          message: `must be an ISO-8601 time, got ${startDate}`,
        });
      }
    }
    if (args.scan === undefined && args.install === undefined) {
      issues.push({
        path: "scan",
        message: "set scan or install (or both); there is no window to create",
      });
    }
    if (!/^accountid=[0-9]{12}\/region=[a-z0-9-]+\/$/.test(args.logKeyPrefix)) {
      issues.push({
        path: "logKeyPrefix",
        message: `must look like accountid=012345678901/region=us-east-1/, got ${JSON.stringify(args.logKeyPrefix)}`,
      });
    }
    if (issues.length > 0) {
      throw new pulumi.ResourceError(issues.map((i) => `${i.path}: ${i.message}`).join("\n"), this);
    }
    const tags = args.tags ?? {};

    for (const { key, operation, reboot } of OPERATIONS) {
      const spec = args[key];
      if (spec === undefined) continue;
      const window = new aws.ssm.MaintenanceWindow(
        `${name}-${key}`,
        {
          name: `patchfleet-${key}`,
          description: `patchfleet: AWS-RunPatchBaseline ${operation}`,
          schedule: spec.schedule,
          scheduleTimezone: spec.timezone,
          scheduleOffset: spec.offsetDays,
          duration: spec.durationHours,
          cutoff: spec.cutoffHours,
          enabled: spec.enabled,
          startDate: spec.startDate,
          allowUnassociatedTargets: false,
          tags,
        },
        { parent: this },
      );
      const target = new aws.ssm.MaintenanceWindowTarget(
        `${name}-${key}-target`,
        {
          windowId: window.id,
          name: `patchfleet-${key}-targets`,
          resourceType: "RESOURCE_GROUP",
          targets: [
            { key: "resource-groups:Name", values: [args.resourceGroupName] },
            { key: "resource-groups:ResourceTypeFilters", values: ["AWS::EC2::Instance"] },
          ],
        },
        { parent: this },
      );
      const task = new aws.ssm.MaintenanceWindowTask(
        `${name}-${key}-task`,
        {
          windowId: window.id,
          name: `patchfleet-${key}`,
          taskType: "RUN_COMMAND",
          taskArn: RUN_PATCH_BASELINE_DOCUMENT,
          priority: 1,
          serviceRoleArn: args.serviceRoleArn,
          maxConcurrency: spec.maxConcurrency,
          maxErrors: spec.maxErrors,
          targets: [{ key: "WindowTargetIds", values: [target.id] }],
          taskInvocationParameters: {
            runCommandParameters: {
              comment: `patchfleet ${operation}`,
              outputS3Bucket: args.logBucketName,
              outputS3KeyPrefix: `${args.logKeyPrefix}${key}/`,
              timeoutSeconds: 600,
              ...(args.notification === undefined
                ? {}
                : {
                    serviceRoleArn: args.notification.roleArn,
                    notificationConfig: {
                      notificationArn: args.notification.topicArn,
                      notificationEvents: args.notification.events,
                      notificationType: "Command",
                    },
                  }),
              parameters: [
                { name: "Operation", values: [operation] },
                { name: "RebootOption", values: [reboot] },
              ],
            },
          },
        },
        { parent: this },
      );
      this.windows[key] = { window, target, task };
    }
    this.scanWindowId = this.windows.scan?.window.id;
    this.installWindowId = this.windows.install?.window.id;
    this.registerOutputs({
      scanWindowId: this.scanWindowId,
      installWindowId: this.installWindowId,
    });
  }
}
