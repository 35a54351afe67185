/**
 * How the topology wires alerts into one account (components/topology.ts calls these): the
 * publisher role once per account, and per region the central topic (central account only) and
 * the rule forwarding failed automation executions to it.
 */
import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../domain";
import { topicArn } from "./alert-policies";
import { PatchAlertForwarding, PatchAlertPublisherRole } from "./alert-forwarding";
import { PatchAlertTopic } from "./alert-topic";
import type { AccountConfig, NotificationsSpec } from "./types";

export { ALERT_PUBLISHER_ROLE_NAME } from "./alert-policies";

/** The account's publisher role, on the home region's provider. */
export function alertPublisherRole(
  name: string,
  config: AccountConfig,
  notify: NotificationsSpec,
  opts: { parent: pulumi.Resource; provider: aws.Provider },
): PatchAlertPublisherRole {
  return new PatchAlertPublisherRole(
    `${name}-alert-publisher`,
    {
      accountId: config.accountId,
      centralAccountId: config.centralAccountId,
      regions: config.regions,
      topicName: notify.topicName,
      partition: partitionOf(config.regions[0] as string),
      tags: config.tags,
    },
    opts,
  );
}

/**
 * One region: the central account creates the topic and targets it without a role; a member
 * targets the central account's topic of the same Region by its ARN, through the publisher role.
 * Returns the topic ARN for the maintenance window tasks.
 */
export function regionAlerts(
  name: string,
  region: string,
  config: AccountConfig,
  notify: NotificationsSpec,
  publisherRoleArn: pulumi.Output<string>,
  opts: { parent: pulumi.Resource; provider: aws.Provider },
): pulumi.Output<string> {
  let arn: pulumi.Output<string>;
  let roleArn: pulumi.Output<string> | undefined;
  if (config.role === "central") {
    arn = new PatchAlertTopic(
      `${name}-${region}-alert-topic`,
      {
        region,
        topicName: notify.topicName,
        centralAccountId: config.accountId,
        memberAccountIds: config.memberAccountIds,
        organizationId: config.organizationId,
        partition: partitionOf(region),
        emails: notify.emails,
        tags: config.tags,
      },
      opts,
    ).topicArn;
  } else {
    arn = pulumi.output(
      topicArn(partitionOf(region), region, config.centralAccountId, notify.topicName),
    );
    roleArn = publisherRoleArn;
  }
  new PatchAlertForwarding(
    `${name}-${region}-alert-forwarding`,
    { topicArn: arn, roleArn, statuses: notify.automationStatuses, tags: config.tags },
    opts,
  );
  return arn;
}
