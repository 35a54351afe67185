/**
 * The central log bucket's policy as plain data, and its size against S3's limit. Kept free of
 * Pulumi imports so config validation (and the policy pack, which reads the config module) can
 * check a fleet's size without loading the provider SDK.
 */
import type { PolicyDocument, PolicyStatement } from "./iam-policies";

/**
 * Where `patch --ring` writes install override lists. Instances of every fleet account read them:
 * AWS-RunPatchBaseline downloads the list named in InstallOverrideList on the node ("If your file is
 * stored in a private bucket, you must specify an Amazon S3 path-style URL"), so with the node's own
 * (instance profile) credentials; hence a read grant on this prefix only, never a write grant.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-aws-runpatchbaseline.html
 */
export const RING_OVERRIDE_PREFIX = "patchfleet-rings/";

/**
 * Where Resource Data Sync writes (compliance.dataSync). SSM puts each sync's objects under
 * `<prefix>/<type>/accountid=<id>/region=<r>/resourcetype=<t>/`, which the documented bucket policy
 * grants per account (SSMBucketDelivery below).
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-inventory-datasync.html
 */
export const DATA_SYNC_PREFIX = "patchfleet-inventory";
/** The sync's name, the same in every account-region. */
export const DATA_SYNC_NAME = "patchfleet-inventory";

/** The prefix one account writes one region's patch logs under. */
export function logPrefix(accountId: string, region: string): string {
  return `accountid=${accountId}/region=${region}/`;
}

/**
 * S3's limit on a bucket policy: "Bucket policies are limited to 20 KB in size."
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
 */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** AWS Organizations organization ids: `o-` and 10–32 lowercase letters or digits. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
export const ORGANIZATION_ID_RULE =
  "must be an AWS Organizations id like o-a1b2c3d4e5 (o- and 10–32 lowercase letters or digits)";

/**
 * The policy variable the write grant puts in its object ARN. IAM replaces it, per request, with
 * the account of the calling principal; global condition keys may be used as variables in resource
 * policies, in the resource part of an ARN (after the fifth colon).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount
 */
export const PRINCIPAL_ACCOUNT_VARIABLE = "${aws:PrincipalAccount}";

/**
 * The bucket policy. Who writes matters here: Run Command output (from maintenance windows and
 * from the runbook's aws:runCommand step alike) is uploaded by the SSM Agent on each instance
 * with the instance profile's credentials, not by the automation execution role. The request's
 * principal is that instance profile's role session in the member account, so
 * aws:PrincipalAccount is the member account.
 *
 * Size: one write grant for the whole fleet, whatever its size. Its object ARN names the writer's
 * own prefix through ${aws:PrincipalAccount}, so no account can write under another's
 * `accountid=` prefix, and the policy does not list one statement per account. Who may write:
 *   - with `organizationId`: Principal "*" limited by aws:PrincipalOrgID, a fixed value, which
 *     S3's Block Public Access counts as non-public. The size no longer depends on the number of
 *     accounts; any account of the organization may write, but only under its own prefix.
 *   - without: the fleet's account ids as the statement's principals (fixed principals are
 *     non-public). This list grows by 15 bytes per account (`"123456789012",`), which is what
 *     `bucketPolicyProblem` measures against S3's 20 KB.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 *
 * Regions: the ARN lists `accountid=${aws:PrincipalAccount}/region=<r>/*` for each fleet region,
 * so an account writes only the fleet's region prefixes of its own account prefix. Which of its own
 * regions an instance writes is decided by its instance profile (arn:...:<bucket>/accountid=<its
 * account>/region=<its region>/*): no request key tells S3 the Region the instance runs in.
 *
 * Actions: since agent 2.0.672.0 every upload carries the `bucket-owner-full-control` canned ACL,
 * and S3's PutObject documentation requires s3:PutObjectAcl as well as s3:PutObject for a PutObject
 * that sets an ACL; the agent also reads the bucket's encryption settings first. All three are in
 * one statement, so the principal list appears once: s3:GetEncryptionConfiguration applies to the
 * bucket ARN only and the object actions to the object ARNs only, so each action still matches
 * exactly the resources it did as separate statements.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Permissions)
 */
export function logBucketPolicy(
  partition: string,
  bucketName: string,
  writerAccountIds: string[],
  regions: string[],
  organizationId?: string,
  /** Key prefixes the fleet's accounts may read (s3:GetObject), e.g. RING_OVERRIDE_PREFIX. */
  readPrefixes: readonly string[] = [],
  /** Resource Data Sync's key prefix when compliance.dataSync is on, e.g. DATA_SYNC_PREFIX. */
  dataSyncPrefix?: string,
): PolicyDocument {
  const bucketArn = `arn:${partition}:s3:::${bucketName}`;
  const statements: PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ];
  if (dataSyncPrefix !== undefined) {
    statements.push(
      ...dataSyncStatements(partition, bucketArn, dataSyncPrefix, writerAccountIds, organizationId),
    );
  }
  if (organizationId === undefined && writerAccountIds.length === 0) {
    return { Version: "2012-10-17", Statement: statements };
  }
  const write: PolicyStatement = {
    Sid: "FleetAccountsWriteOwnPrefix",
    Effect: "Allow",
    Principal: organizationId === undefined ? { AWS: [...writerAccountIds] } : "*",
    Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:GetEncryptionConfiguration"],
    Resource: [
      bucketArn,
      ...regions.map((r) => `${bucketArn}/${logPrefix(PRINCIPAL_ACCOUNT_VARIABLE, r)}*`),
    ],
  };
  if (organizationId !== undefined) {
    write.Condition = { StringEquals: { "aws:PrincipalOrgID": organizationId } };
  }
  statements.push(write);
  if (readPrefixes.length > 0) {
    statements.push({
      Sid: "FleetAccountsReadRingOverrideLists",
      Effect: "Allow",
      Principal: write.Principal,
      Action: "s3:GetObject",
      Resource: readPrefixes.map((p) => `${bucketArn}/${p}*`),
      ...(write.Condition ? { Condition: write.Condition } : {}),
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The statements the Systems Manager User Guide gives for a resource data sync's bucket
 * ("Configuring resource data sync for Inventory", sysman-inventory-datasync):
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-inventory-datasync.html
 *
 * Without an organization ("To create and configure an Amazon S3 bucket for resource data sync"):
 * ssm.amazonaws.com may read the bucket ACL (SSMBucketPermissionsCheck) and put objects under each
 * account's `accountid=` folder with the bucket-owner-full-control ACL (SSMBucketDelivery, one
 * object ARN per account, aws:SourceAccount, aws:SourceArn of a resource-data-sync). The guide's
 * source ARN names the account; here the account is left to aws:SourceAccount (which lists the
 * fleet) so it is written once. Each account costs its object ARN and its id: the policy grows with
 * the fleet and `bucketPolicyProblem` refuses what passes 20 KB.
 *
 * With an organization ("Creating an inventory resource data sync for accounts defined in AWS
 * Organizations"): every sync is created with DestinationDataSharingType Organization, and the
 * bucket accepts objects under any `accountid=` folder of the prefix tagged with the
 * organization's id (s3:RequestObjectTag/OrgId), plus s3:PutObjectTagging. Constant size. The
 * guide does not use aws:SourceOrgID here, so neither does patchfleet.
 */
export function dataSyncStatements(
  partition: string,
  bucketArn: string,
  prefix: string,
  accountIds: readonly string[],
  organizationId?: string,
): PolicyStatement[] {
  const principal = { Service: "ssm.amazonaws.com" };
  const check: PolicyStatement = {
    Sid: "SSMBucketPermissionsCheck",
    Effect: "Allow",
    Principal: principal,
    Action: "s3:GetBucketAcl",
    Resource: bucketArn,
  };
  if (organizationId === undefined) {
    return [
      check,
      {
        Sid: "SSMBucketDelivery",
        Effect: "Allow",
        Principal: principal,
        Action: "s3:PutObject",
        Resource: accountIds.map((id) => `${bucketArn}/${prefix}/*/accountid=${id}/*`),
        Condition: {
          StringEquals: {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceAccount": [...accountIds],
          },
          ArnLike: { "aws:SourceArn": `arn:${partition}:ssm:*:*:resource-data-sync/*` },
        },
      },
    ];
  }
  const objects = `${bucketArn}/${prefix}/*/accountid=*/*`;
  return [
    check,
    {
      Sid: "SSMBucketDelivery",
      Effect: "Allow",
      Principal: principal,
      Action: "s3:PutObject",
      Resource: objects,
      Condition: {
        StringEquals: {
          "s3:x-amz-acl": "bucket-owner-full-control",
          "s3:RequestObjectTag/OrgId": organizationId,
        },
      },
    },
    {
      Sid: "SSMBucketDeliveryTagging",
      Effect: "Allow",
      Principal: principal,
      Action: "s3:PutObjectTagging",
      Resource: objects,
    },
  ];
}

/** Bytes of the policy as it is sent: compact JSON, UTF-8. */
export function policyBytes(policy: PolicyDocument): number {
  return Buffer.byteLength(JSON.stringify(policy), "utf8");
}

/**
 * Undefined when the log bucket policy of this fleet fits S3's 20 KB, else the problem and the fix.
 * The size depends on the number of accounts only when no organization id is given.
 */
export function bucketPolicyProblem(
  partition: string,
  bucketName: string,
  writerAccountIds: string[],
  regions: string[],
  organizationId?: string,
  readPrefixes: readonly string[] = [],
  dataSyncPrefix?: string,
): string | undefined {
  const bytes = policyBytes(
    logBucketPolicy(
      partition,
      bucketName,
      writerAccountIds,
      regions,
      organizationId,
      readPrefixes,
      dataSyncPrefix,
    ),
  );
  if (bytes <= BUCKET_POLICY_MAX_BYTES) return undefined;
  const sync = dataSyncPrefix === undefined ? "" : " with Resource Data Sync (compliance.dataSync)";
  return (
    `the log bucket policy for ${writerAccountIds.length} accounts in ${regions.length} regions${sync} is ${bytes} bytes, ` +
    `over S3's bucket policy limit of 20 KB (${BUCKET_POLICY_MAX_BYTES} bytes); ` +
    "set organizationId so the policy grants by organization instead of listing every account"
  );
}
