/**
 * The alert topic's documents as plain data: the topic policy, the KMS key policy, and the
 * publisher role's trust and permissions. Free of Pulumi imports so config validation can measure
 * a fleet's policies before anything is created.
 *
 * Who publishes to the central topic of a region:
 *   - maintenance window Run Command tasks in every account, through the account's publisher role
 *     (the task's NotificationConfig is sent with that role as the notification service role);
 *   - EventBridge rules in member accounts, through the same role: a rule that delivers to an SNS
 *     topic in another account needs an execution role in the rule's account and a resource policy
 *     on the topic that lets that account publish, and the topic must be in the rule's Region.
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
 *   - EventBridge rules in the central account itself, as the service principal
 *     events.amazonaws.com under the topic's resource policy (no role).
 *     https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions
 *
 * Encryption: an SNS topic encrypted with a KMS key needs every publisher to be allowed
 * kms:GenerateDataKey* and kms:Decrypt on the key; the AWS managed key alias/aws/sns cannot be
 * changed to allow a service principal such as events.amazonaws.com, so the topic gets a customer
 * managed key whose policy allows it.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 */
import { ssmServiceTrust, type PolicyDocument, type PolicyStatement } from "./iam-policies";

/** Physical name of the publisher role (one per account). */
export const ALERT_PUBLISHER_ROLE_NAME = "patchfleet-AlertPublisher";

/** Prefix of the EventBridge rules patchfleet creates; the publisher role trusts only these. */
export const ALERT_RULE_PREFIX = "patchfleet-";

/**
 * "Bytes: 30 kb" per topic policy (Amazon SNS policy quotas).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
 */
export const TOPIC_POLICY_MAX_BYTES = 30 * 1024;

/**
 * A key policy is at most 32 KB (32,768 bytes).
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
 */
export const KEY_POLICY_MAX_BYTES = 32 * 1024;

export function topicArn(
  partition: string,
  region: string,
  accountId: string,
  topicName: string,
): string {
  return `arn:${partition}:sns:${region}:${accountId}:${topicName}`;
}

/** Who besides the central account may publish: the fleet's accounts, or its organization. */
export interface AlertWriters {
  partition: string;
  centralAccountId: string;
  /** Every account of the fleet (central included). Ignored when organizationId is set. */
  accountIds: string[];
  organizationId?: string;
}

/**
 * The writers as a condition rather than a principal list: SNS allows at most 200 principals in a
 * topic policy, while condition values are limited only by the policy's size. aws:PrincipalAccount
 * is the account of the calling principal (the publisher role); aws:PrincipalOrgID its
 * organization.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount
 */
function writerCondition(w: AlertWriters): Record<string, Record<string, string | string[]>> {
  return w.organizationId === undefined
    ? { StringEquals: { "aws:PrincipalAccount": [...w.accountIds] } }
    : { StringEquals: { "aws:PrincipalOrgID": w.organizationId } };
}

export function alertTopicPolicy(
  w: AlertWriters,
  region: string,
  topicName: string,
): PolicyDocument & { Id: string } {
  const arn = topicArn(w.partition, region, w.centralAccountId, topicName);
  return {
    Version: "2012-10-17",
    // "Each policy must have a unique policy Id" and "each statement a unique sid".
    Id: `${topicName}-${region}`,
    Statement: [
      {
        Sid: "FleetAccountsPublish",
        Effect: "Allow",
        Principal: "*",
        Action: "sns:Publish",
        Resource: arn,
        Condition: writerCondition(w),
      },
      {
        Sid: "CentralEventBridgeRulesPublish",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: arn,
        Condition: { StringEquals: { "aws:SourceAccount": w.centralAccountId } },
      },
    ],
  };
}

/**
 * The key policy: the central account administers the key through IAM (the default key policy's
 * first statement), SNS may use it on behalf of the fleet's publishers (kms:ViaService keeps the
 * grant to calls SNS makes in this Region), and EventBridge of the central account may use it.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export function alertKeyPolicy(w: AlertWriters, region: string): PolicyDocument {
  const use = ["kms:GenerateDataKey*", "kms:Decrypt"];
  const statements: PolicyStatement[] = [
    {
      Sid: "CentralAccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${w.partition}:iam::${w.centralAccountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "FleetPublishersThroughSns",
      Effect: "Allow",
      Principal: "*",
      Action: use,
      Resource: "*",
      Condition: {
        StringEquals: {
          ...writerCondition(w).StringEquals,
          "kms:ViaService": `sns.${region}.amazonaws.com`,
        },
      },
    },
    {
      Sid: "CentralEventBridgeRules",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: use,
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": w.centralAccountId } },
    },
  ];
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * Trust of the publisher role: Systems Manager (Run Command notifications of maintenance window
 * tasks) and EventBridge (cross-account rule targets), each only for this account.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-sns-notifications.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-cross-account.html
 */
export function alertPublisherTrustPolicy(partition: string, accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ssmServiceTrust(partition, accountId, "*"),
      {
        Sid: "EventBridgeRulesOfThisAccountOnly",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: {
            "aws:SourceArn": `arn:${partition}:events:*:${accountId}:rule/${ALERT_RULE_PREFIX}*`,
          },
        },
      },
    ],
  };
}

/** Publish to the central topic of each of the account's regions, encrypting through SNS. */
export function alertPublisherPermissions(
  partition: string,
  centralAccountId: string,
  regions: string[],
  topicName: string,
): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "PublishToTheCentralTopics",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: regions.map((r) => topicArn(partition, r, centralAccountId, topicName)),
      },
      {
        // The key ids are not known to member accounts; the key is confined to the central account
        // and to calls SNS makes for these Regions.
        Sid: "UseTheTopicKeysThroughSns",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: regions.map((r) => `arn:${partition}:kms:${r}:${centralAccountId}:key/*`),
        Condition: {
          StringEquals: { "kms:ViaService": regions.map((r) => `sns.${r}.amazonaws.com`) },
        },
      },
    ],
  };
}

/** Undefined when the topic and key policies of this fleet fit their limits, else the fix. */
export function alertPolicyProblem(
  w: AlertWriters,
  regions: string[],
  topicName: string,
): string | undefined {
  for (const region of regions) {
    const topic = Buffer.byteLength(JSON.stringify(alertTopicPolicy(w, region, topicName)));
    const key = Buffer.byteLength(JSON.stringify(alertKeyPolicy(w, region)));
    if (topic > TOPIC_POLICY_MAX_BYTES || key > KEY_POLICY_MAX_BYTES) {
      return (
        `the alert topic policy for ${w.accountIds.length} accounts is ${topic} bytes (SNS allows ${TOPIC_POLICY_MAX_BYTES}) ` +
        `and its key policy ${key} bytes (KMS allows ${KEY_POLICY_MAX_BYTES}); ` +
        "set organizationId so both grant by organization instead of listing every account"
      );
    }
  }
  return undefined;
}
