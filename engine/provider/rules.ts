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
        }),
      },
    ],
    replaceOn: ["windowId", "taskType"],
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
