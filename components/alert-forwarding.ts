import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { AUTOMATION_EXECUTION_EVENT, AUTOMATION_STATUSES } from "../domain";
import {
  ALERT_PUBLISHER_ROLE_NAME,
  ALERT_RULE_PREFIX,
  alertPublisherPermissions,
  alertPublisherTrustPolicy,
} from "./alert-policies";

export interface PatchAlertPublisherRoleArgs {
  /** 12-digit id of the account the role lives in. */
  accountId: string;
  centralAccountId: string;
  /** The account's regions: the role publishes to the central topic of each. */
  regions: string[];
  topicName: string;
  /** @default "aws" */
  partition?: string;
  /** @default {} */
  tags?: Record<string, string>;
}

/**
 * The role alerts are published with in one account (IAM, once per account): the notification
 * service role of the maintenance window tasks' Run Command notifications and the execution role
 * of the EventBridge targets in the central account's topics.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-sns-notifications.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
 */
export class PatchAlertPublisherRole extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: PatchAlertPublisherRoleArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("patchfleet:iam:PatchAlertPublisherRole", name, {}, opts);
    if (args.regions.length === 0) {
      throw new pulumi.ResourceError("regions must list at least one region", this);
    }
    const partition = args.partition ?? "aws";
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: ALERT_PUBLISHER_ROLE_NAME,
        description: "Publishes patchfleet alerts to the central account's topics",
        assumeRolePolicy: JSON.stringify(alertPublisherTrustPolicy(partition, args.accountId)),
        inlinePolicies: [
          {
            name: "publish-alerts",
            policy: JSON.stringify(
              alertPublisherPermissions(
                partition,
                args.centralAccountId,
                args.regions,
                args.topicName,
              ),
            ),
          },
        ],
        tags: args.tags ?? {},
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}

export interface PatchAlertForwardingArgs {
  /** ARN of the central topic in this rule's Region. */
  topicArn: pulumi.Input<string>;
  /**
   * Execution role for a topic in another account; leave undefined in the central account, where
   * the topic policy lets events.amazonaws.com publish.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
   * @default undefined
   */
  roleArn?: pulumi.Input<string>;
  /** AutomationExecutionStatus values to forward (the event's detail.Status). */
  statuses: string[];
  /** @default {} */
  tags?: Record<string, string>;
}

/** The event pattern of failed automation executions (plain data, for tests and docs). */
export function automationFailurePattern(statuses: string[]): Record<string, unknown> {
  return {
    source: [AUTOMATION_EXECUTION_EVENT.source],
    "detail-type": [AUTOMATION_EXECUTION_EVENT.detailType],
    detail: { Status: [...statuses] },
  };
}

/**
 * One account-region's EventBridge rule forwarding automation executions that end in one of
 * `statuses` to the central topic of the same Region. Not filtered by runbook: AWS does not
 * document the Definition value of the child executions a multi-account run starts from a shared
 * document, and a filter that never matches would silence every alert.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
 */
export class PatchAlertForwarding extends pulumi.ComponentResource {
  public readonly ruleArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: PatchAlertForwardingArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("patchfleet:events:PatchAlertForwarding", name, {}, opts);
    const unknown = args.statuses.filter(
      (s) => !(AUTOMATION_STATUSES as readonly string[]).includes(s),
    );
    if (args.statuses.length === 0 || unknown.length > 0) {
      throw new pulumi.ResourceError(
        `statuses must list AutomationExecutionStatus values (${AUTOMATION_STATUSES.join(", ")}), got ${JSON.stringify(args.statuses)}`,
        this,
      );
    }
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: `${ALERT_RULE_PREFIX}automation-failed`,
        description: "patchfleet: automation executions that failed, to the central alert topic",
        eventPattern: JSON.stringify(automationFailurePattern(args.statuses)),
        state: "ENABLED",
        tags: args.tags ?? {},
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        targetId: "central-alert-topic",
        arn: args.topicArn,
        roleArn: args.roleArn,
      },
      { parent: this },
    );
    this.ruleArn = rule.arn;
    this.registerOutputs({ ruleArn: this.ruleArn });
  }
}
