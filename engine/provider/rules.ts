/**
 * What AWS (and the Pulumi AWS provider in front of it) refuses, per resource type, and the API
 * request the provider would send. Every rule names its source; none comes from patchfleet's
 * own code:
 *
 * - Request shapes: botocore 1.44.8's service models in test/aws-models (`requestProblems` on the
 *   operation the provider calls to create the resource: CreatePatchBaseline, CreateDocument, ...).
 * - Property names and which changes replace a resource: the Pulumi AWS provider's API docs
 *   (https://www.pulumi.com/registry/packages/aws/api-docs/), generated from the Terraform AWS
 *   provider's docs (https://registry.terraform.io/providers/hashicorp/aws/latest/docs).
 */
import { requestProblems } from "../../test/aws-models";
import type { Service } from "../../test/aws-models";

/** The engine's marker for a value not known during preview (@pulumi/pulumi runtime/rpc). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Props = Record<string, unknown>;

export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasUnknown);
  return false;
}

function tagList(tags: unknown): { Key: string; Value: string }[] | undefined {
  if (tags === undefined || tags === null) return undefined;
  return Object.entries(tags as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));
}

function filterGroup(filters: unknown): { PatchFilters: { Key: unknown; Values: unknown }[] } {
  return {
    PatchFilters: ((filters as Props[] | undefined) ?? []).map((f) => ({
      Key: f.key,
      Values: f.values,
    })),
  };
}

/** task_invocation_parameters.run_command_parameters → TaskInvocationParameters.RunCommand. */
function runCommandInvocation(raw: unknown): Props | undefined {
  const run = (raw as Props | undefined)?.runCommandParameters as Props | undefined;
  if (run === undefined) return undefined;
  const n = run.notificationConfig as Props | undefined;
  return {
    RunCommand: drop({
      Comment: run.comment,
      OutputS3BucketName: run.outputS3Bucket,
      OutputS3KeyPrefix: run.outputS3KeyPrefix,
      TimeoutSeconds: run.timeoutSeconds,
      ServiceRoleArn: run.serviceRoleArn,
      NotificationConfig:
        n === undefined
          ? undefined
          : drop({
              NotificationArn: n.notificationArn,
              NotificationEvents: n.notificationEvents,
              NotificationType: n.notificationType,
            }),
      Parameters:
        run.parameters === undefined
          ? undefined
          : Object.fromEntries(
              (run.parameters as Props[]).map((x) => [String(x.name), x.values as unknown]),
            ),
    }),
  };
}

function drop(o: Props): Props {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

interface ApiCall {
  service: Service;
  operation: string;
  request: Props;
}

interface Rule {
  /** The API calls the provider makes to create the resource with these inputs. */
  calls?: (p: Props) => ApiCall[];
  /** More refusals, each with its source. */
  extra?: (p: Props) => string[];
  /** Inputs whose change replaces the resource ("Changing this forces a new resource"). */
  replaceOn?: string[];
}

// S3 user guide, "Bucket policies and user policies": "Bucket policies are limited to 20 KB in
// size." https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

// Pulumi/Terraform aws_ssm_document, "permissions": a map with the keys `type` (the permission
// type, Share) and `account_ids` (comma-separated account ids or All).
// https://www.pulumi.com/registry/packages/aws/api-docs/ssm/document/#inputs
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_document#permissions
const DOCUMENT_PERMISSION_KEYS = ["type", "account_ids"];

export const RULES: Record<string, Rule> = {
  "aws:ssm/patchBaseline:PatchBaseline": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "CreatePatchBaseline",
        request: drop({
          Name: p.name,
          OperatingSystem: p.operatingSystem,
          Description: p.description,
          ApprovalRules:
            p.approvalRules === undefined
              ? undefined
              : {
                  PatchRules: (p.approvalRules as Props[]).map((r) =>
                    drop({
                      PatchFilterGroup: filterGroup(r.patchFilters),
                      ComplianceLevel: r.complianceLevel,
                      ApproveAfterDays: r.approveAfterDays,
                      ApproveUntilDate: r.approveUntilDate,
                      EnableNonSecurity: r.enableNonSecurity,
                    }),
                  ),
                },
          GlobalFilters: p.globalFilters === undefined ? undefined : filterGroup(p.globalFilters),
          ApprovedPatches: p.approvedPatches,
          ApprovedPatchesComplianceLevel: p.approvedPatchesComplianceLevel,
          ApprovedPatchesEnableNonSecurity: p.approvedPatchesEnableNonSecurity,
          RejectedPatches: p.rejectedPatches,
          RejectedPatchesAction: p.rejectedPatchesAction,
          Sources: (p.sources as Props[] | undefined)?.map((s) =>
            drop({ Name: s.name, Products: s.products, Configuration: s.configuration }),
          ),
          Tags: tagList(p.tags),
        }),
      },
    ],
    replaceOn: ["operatingSystem"],
  },
  "aws:ssm/maintenanceWindow:MaintenanceWindow": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "CreateMaintenanceWindow",
        request: drop({
          Name: p.name,
          Description: p.description,
          Schedule: p.schedule,
          ScheduleTimezone: p.scheduleTimezone,
          ScheduleOffset: p.scheduleOffset,
          Duration: p.duration,
          Cutoff: p.cutoff,
          AllowUnassociatedTargets: p.allowUnassociatedTargets ?? false,
          StartDate: p.startDate,
          EndDate: p.endDate,
          Tags: tagList(p.tags),
        }),
      },
    ],
  },
  "aws:ssm/document:Document": {
    calls: (p) => {
      const calls: ApiCall[] = [
        {
          service: "ssm",
          operation: "CreateDocument",
          request: drop({
            Name: p.name,
            Content: p.content,
            DocumentType: p.documentType,
            DocumentFormat: p.documentFormat,
            TargetType: p.targetType,
            VersionName: p.versionName,
            Tags: tagList(p.tags),
          }),
        },
      ];
      const perms = p.permissions as Record<string, string> | undefined;
      if (perms && typeof perms.account_ids === "string") {
        calls.push({
          service: "ssm",
          operation: "ModifyDocumentPermission",
          request: drop({
            Name: p.name,
            PermissionType: perms.type,
            AccountIdsToAdd: perms.account_ids.split(","),
          }),
        });
      }
      return calls;
    },
    extra: (p) => {
      const perms = p.permissions as Record<string, unknown> | undefined;
      if (!perms) return [];
      const problems = Object.keys(perms)
        .filter((k) => !DOCUMENT_PERMISSION_KEYS.includes(k))
        .map((k) => `permissions.${k}: not a permissions key; the keys are type and account_ids`);
      for (const k of DOCUMENT_PERMISSION_KEYS) {
        if (perms[k] === undefined)
          problems.push(`permissions.${k}: required when permissions is set`);
      }
      return problems;
    },
    replaceOn: ["name", "documentType"],
  },
  "aws:s3/bucketPolicy:BucketPolicy": {
    calls: (p) => [
      {
        service: "s3",
        operation: "PutBucketPolicy",
        request: drop({ Bucket: p.bucket, Policy: p.policy }),
      },
    ],
    extra: (p) => {
      const bytes = Buffer.byteLength(String(p.policy ?? ""), "utf8");
      return bytes > BUCKET_POLICY_MAX_BYTES
        ? [
            `policy: ${bytes} bytes; S3 limits a bucket policy to 20 KB (${BUCKET_POLICY_MAX_BYTES} bytes)` +
              " (PolicyTooLarge? the S3 user guide: 'Bucket policies are limited to 20 KB in size')",
          ]
        : [];
    },
    replaceOn: ["bucket"],
  },
  "aws:s3/bucket:Bucket": {
    calls: (p) => [
      { service: "s3", operation: "CreateBucket", request: drop({ Bucket: p.bucket }) },
    ],
    replaceOn: ["bucket", "bucketPrefix"],
  },
  "aws:iam/role:Role": {
    calls: (p) => [
      {
        service: "iam",
        operation: "CreateRole",
        request: drop({
          RoleName: p.name,
          Path: p.path,
          AssumeRolePolicyDocument: p.assumeRolePolicy,
          Description: p.description,
          MaxSessionDuration: p.maxSessionDuration,
          PermissionsBoundary: p.permissionsBoundary,
          Tags: tagList(p.tags),
        }),
      },
      ...((p.inlinePolicies as Props[] | undefined) ?? []).map((ip) => ({
        service: "iam" as const,
        operation: "PutRolePolicy",
        request: drop({ RoleName: p.name, PolicyName: ip.name, PolicyDocument: ip.policy }),
      })),
    ],
    replaceOn: ["name", "namePrefix", "path"],
  },
  "aws:resourcegroups/group:Group": {
    calls: (p) => {
      const q = p.resourceQuery as Props | undefined;
      return [
        {
          service: "resource-groups",
          operation: "CreateGroup",
          request: drop({
            Name: p.name,
            Description: p.description,
            ResourceQuery:
              q === undefined
                ? undefined
                : drop({ Type: q.type ?? "TAG_FILTERS_1_0", Query: q.query }),
            Tags: p.tags,
          }),
        },
      ];
    },
    replaceOn: ["name"],
  },
  "aws:ssm/patchGroup:PatchGroup": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "RegisterPatchBaselineForPatchGroup",
        request: drop({ BaselineId: p.baselineId, PatchGroup: p.patchGroup }),
      },
    ],
    replaceOn: ["baselineId", "patchGroup"],
  },
  "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "RegisterDefaultPatchBaseline",
        request: drop({ BaselineId: p.baselineId }),
      },
    ],
    replaceOn: ["operatingSystem"],
  },
  "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "RegisterTargetWithMaintenanceWindow",
        request: drop({
          WindowId: p.windowId,
          ResourceType: p.resourceType,
          Targets: (p.targets as Props[] | undefined)?.map((t) => ({
            Key: t.key,
            Values: t.values,
          })),
          Name: p.name,
          Description: p.description,
          OwnerInformation: p.ownerInformation,
        }),
      },
    ],
    replaceOn: ["windowId", "resourceType"],
  },
  "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": {
    calls: (p) => [
      {
        service: "ssm",
        operation: "RegisterTaskWithMaintenanceWindow",
        request: drop({
          WindowId: p.windowId,
          TaskArn: p.taskArn,
          TaskType: p.taskType,
          ServiceRoleArn: p.serviceRoleArn,
          Targets: (p.targets as Props[] | undefined)?.map((t) => ({
            Key: t.key,
            Values: t.values,
          })),
          MaxConcurrency: p.maxConcurrency,
          MaxErrors: p.maxErrors,
          Priority: p.priority,
          Name: p.name,
          Description: p.description,
          CutoffBehavior: p.cutoffBehavior,
          TaskInvocationParameters: runCommandInvocation(p.taskInvocationParameters),
        }),
      },
    ],
    replaceOn: ["windowId", "taskType"],
  },
  // aws_kms_key: policy → Policy, description → Description, key_usage → KeyUsage.
  "aws:kms/key:Key": {
    calls: (p) => [
      {
        service: "kms",
        operation: "CreateKey",
        request: drop({ Policy: p.policy, Description: p.description, KeyUsage: p.keyUsage }),
      },
    ],
  },
  // aws_kms_alias: "name - (Optional) The display name of the alias. The name must start with the
  // word alias followed by a forward slash"; target_key_id: a key id or key ARN.
  "aws:kms/alias:Alias": {
    calls: (p) => [
      {
        service: "kms",
        operation: "CreateAlias",
        request: drop({ AliasName: p.name, TargetKeyId: p.targetKeyId }),
      },
    ],
    extra: (p) =>
      typeof p.name === "string" && !p.name.startsWith("alias/")
        ? [`name ${p.name} must start with alias/`]
        : [],
    replaceOn: ["name"],
  },
  // aws_sns_topic: name → Name, kms_master_key_id → Attributes.KmsMasterKeyId; the topic's id is
  // its ARN, so a new name is a new topic.
  "aws:sns/topic:Topic": {
    calls: (p) => [
      {
        service: "sns",
        operation: "CreateTopic",
        request: drop({
          Name: p.name,
          Attributes:
            p.kmsMasterKeyId === undefined ? undefined : { KmsMasterKeyId: p.kmsMasterKeyId },
          Tags: tagList(p.tags),
        }),
      },
    ],
    replaceOn: ["name"],
  },
  // aws_sns_topic_policy: SetTopicAttributes(AttributeName=Policy); SNS policy quota 30 KB.
  // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
  "aws:sns/topicPolicy:TopicPolicy": {
    calls: (p) => [
      {
        service: "sns",
        operation: "SetTopicAttributes",
        request: drop({ TopicArn: p.arn, AttributeName: "Policy", AttributeValue: p.policy }),
      },
    ],
    extra: (p) =>
      typeof p.policy === "string" && Buffer.byteLength(p.policy) > 30 * 1024
        ? [`policy is ${Buffer.byteLength(p.policy)} bytes; SNS allows 30 KB`]
        : [],
    replaceOn: ["arn"],
  },
  "aws:sns/topicSubscription:TopicSubscription": { replaceOn: ["topic", "protocol", "endpoint"] },
  // aws_cloudwatch_event_rule: name → Name, event_pattern → EventPattern, state → State.
  "aws:cloudwatch/eventRule:EventRule": {
    calls: (p) => [
      {
        service: "events",
        operation: "PutRule",
        request: drop({
          Name: p.name,
          EventPattern: p.eventPattern,
          State: p.state,
          Description: p.description,
          RoleArn: p.roleArn,
          Tags: tagList(p.tags),
        }),
      },
    ],
    replaceOn: ["name"],
  },
  // aws_cloudwatch_event_target: rule → Rule, target_id → Targets[].Id, arn → Arn, role_arn → RoleArn.
  "aws:cloudwatch/eventTarget:EventTarget": {
    calls: (p) => [
      {
        service: "events",
        operation: "PutTargets",
        request: drop({
          Rule: p.rule,
          Targets: [drop({ Id: p.targetId, Arn: p.arn, RoleArn: p.roleArn })],
        }),
      },
    ],
    replaceOn: ["rule", "targetId"],
  },
  // aws_ssm_resource_data_sync: every argument forces a new resource.
  "aws:ssm/resourceDataSync:ResourceDataSync": {
    calls: (p) => {
      const d = (p.s3Destination ?? {}) as Props;
      return [
        {
          service: "ssm",
          operation: "CreateResourceDataSync",
          request: drop({
            SyncName: p.name,
            S3Destination: drop({
              BucketName: d.bucketName,
              Prefix: d.prefix,
              SyncFormat: d.syncFormat,
              Region: d.region,
              AWSKMSKeyARN: d.kmsKeyArn,
              DestinationDataSharing: d.destinationDataSharing && {
                DestinationDataSharingType: (d.destinationDataSharing as Props)
                  .destinationDataSharingType,
              },
            }),
          }),
        },
      ];
    },
    replaceOn: ["name", "s3Destination"],
  },
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
    calls: (p) => [
      {
        service: "s3",
        operation: "PutPublicAccessBlock",
        request: drop({
          Bucket: p.bucket,
          PublicAccessBlockConfiguration: drop({
            BlockPublicAcls: p.blockPublicAcls,
            BlockPublicPolicy: p.blockPublicPolicy,
            IgnorePublicAcls: p.ignorePublicAcls,
            RestrictPublicBuckets: p.restrictPublicBuckets,
          }),
        }),
      },
    ],
    replaceOn: ["bucket"],
  },
  "aws:s3/bucketVersioning:BucketVersioning": {
    calls: (p) => {
      const c = (p.versioningConfiguration ?? {}) as Props;
      return [
        {
          service: "s3",
          operation: "PutBucketVersioning",
          request: drop({
            Bucket: p.bucket,
            VersioningConfiguration: drop({ Status: c.status, MFADelete: c.mfaDelete }),
          }),
        },
      ];
    },
    replaceOn: ["bucket"],
  },
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": { replaceOn: ["bucket"] },
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
    replaceOn: ["bucket"],
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": { replaceOn: ["bucket"] },
  "aws:ec2/instance:Instance": { replaceOn: ["ami"] },
};

/** What AWS and the provider would refuse in these (fully known) inputs; empty when accepted. */
export function problems(type: string, props: Props): string[] {
  const rule = RULES[type];
  if (!rule) return [];
  const found: string[] = [];
  if (rule.extra) found.push(...rule.extra(props));
  for (const call of rule.calls?.(props) ?? []) {
    if (hasUnknown(call.request)) continue; // checked again at create, once the values are known
    found.push(...requestProblems(call.service, call.operation, call.request));
  }
  return found;
}
