import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID_PATTERN } from "../domain";
import { alertKeyPolicy, alertPolicyProblem, alertTopicPolicy } from "./alert-policies";
import { TOPIC_NAME_PATTERN } from "./config-notifications";
import { ORGANIZATION_ID_PATTERN } from "./log-bucket-policy";

export interface PatchAlertTopicArgs {
  /** The Region of this topic (the provider's); topics are regional and EventBridge delivers
   * across accounts only within one Region. */
  region: string;
  /** SNS topic name, the same in every region so members can name its ARN.
   * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html */
  topicName: string;
  /** 12-digit id of the central account that owns the topic. */
  centralAccountId: string;
  /** Member accounts whose publishers may publish. @default [] */
  memberAccountIds?: string[];
  /**
   * AWS Organizations id: grant the organization instead of listing every account.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
   * @default undefined (list the accounts)
   */
  organizationId?: string;
  /** ARN partition. @default "aws" */
  partition?: string;
  /** Email addresses subscribed to the topic; each must confirm. @default []
   * https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html */
  emails?: string[];
  /** Tags of the key and the topic. @default {} */
  tags?: Record<string, string>;
}

/**
 * One region's alert topic in the central account: a customer managed KMS key (rotation on) with
 * an alias, the topic encrypted with it, the topic policy, and email subscriptions.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
 */
export class PatchAlertTopic extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: PatchAlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:sns:PatchAlertTopic", name, {}, opts);
    const members = args.memberAccountIds ?? [];
    const problems: string[] = [];
    const bad = [args.centralAccountId, ...members].find((id) => !ACCOUNT_ID_PATTERN.test(id));
    if (bad !== undefined) {
      problems.push(
        `centralAccountId and memberAccountIds must be 12-digit account id strings, got ${JSON.stringify(bad)}`,
      );
    }
    if (!TOPIC_NAME_PATTERN.test(args.topicName)) {
      problems.push(
        `topicName must be 1–256 letters, digits, _ and -, got ${JSON.stringify(args.topicName)}`,
      );
    }
    if (args.organizationId !== undefined && !ORGANIZATION_ID_PATTERN.test(args.organizationId)) {
      problems.push(
        `organizationId must look like o-a1b2c3d4e5, got ${JSON.stringify(args.organizationId)}`,
      );
    }
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("; "), this);
    const writers = {
      partition: args.partition ?? "aws",
      centralAccountId: args.centralAccountId,
      accountIds: [args.centralAccountId, ...members],
      organizationId: args.organizationId,
    };
    const sizeProblem = alertPolicyProblem(writers, [args.region], args.topicName);
    if (sizeProblem !== undefined) throw new pulumi.ResourceError(sizeProblem, this);
    const tags = args.tags ?? {};

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `patchfleet: encrypts the ${args.topicName} alert topic`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: JSON.stringify(alertKeyPolicy(writers, args.region)),
        tags,
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${args.topicName}`, targetKeyId: key.arn },
      { parent: this },
    );
    const topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: args.topicName, kmsMasterKeyId: key.arn, tags },
      { parent: this },
    );
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: JSON.stringify(alertTopicPolicy(writers, args.region, args.topicName)),
      },
      { parent: this },
    );
    (args.emails ?? []).forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
    this.topicArn = topic.arn;
    this.keyArn = key.arn;
    this.registerOutputs({ topicArn: this.topicArn, keyArn: this.keyArn });
  }
}
