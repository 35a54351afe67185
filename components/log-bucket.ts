import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID_PATTERN } from "../domain";
import type { PolicyDocument, PolicyStatement } from "./automation-roles";

export interface PatchLogBucketArgs {
  /** Physical bucket name (members are told it in their config). */
  bucketName: string;
  /** 12-digit id of the central account that owns the bucket. */
  accountId: string;
  /** Member accounts allowed to write under their own prefixes. @default [] */
  memberAccountIds?: string[];
  /** Regions whose prefixes each account may write (`accountid=<id>/region=<region>/`). */
  regions: string[];
  /** ARN partition. @default "aws" */
  partition?: string;
  /**
   * Days before patch logs expire; noncurrent versions expire after 30 days.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html
   * @default 365
   */
  retentionDays?: number;
  /** Tags of the bucket. @default {} */
  tags?: Record<string, string>;
}

/** The prefix one account writes one region's patch logs under. */
export function logPrefix(accountId: string, region: string): string {
  return `accountid=${accountId}/region=${region}/`;
}

/**
 * The bucket policy. Who writes matters here: Run Command output (from maintenance windows and
 * from the runbook's aws:runCommand step alike) is uploaded by the SSM Agent on each instance
 * with the instance profile's credentials, not by the automation execution role. So the grant
 * names each account (its root principal, which delegates to that account's IAM policies) and
 * confines it to the account's own `accountid=<id>/region=<region>/` prefixes.
 *
 * Since agent 2.0.672.0 every upload carries the `bucket-owner-full-control` canned ACL (added
 * for cross-account buckets), and S3's PutObject documentation requires s3:PutObjectAcl as well
 * as s3:PutObject for a PutObject that sets an ACL. BucketOwnerEnforced (below) accepts exactly
 * this canned ACL and decides who owns the object; nothing says it waives the permission. So both
 * actions are granted, on exactly the same prefixes. The instance profile of every patched
 * instance then needs, in its own account:
 *   - s3:PutObject and s3:PutObjectAcl on
 *     arn:<partition>:s3:::<bucket>/accountid=<its account>/region=<its region>/*
 *   - s3:GetEncryptionConfiguration on arn:<partition>:s3:::<bucket>
 * (plus the usual AmazonSSMManagedInstanceCore).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html (Permissions)
 */
export function logBucketPolicy(
  partition: string,
  bucketName: string,
  writerAccountIds: string[],
  regions: string[],
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
  for (const id of writerAccountIds) {
    statements.push({
      Sid: `Account${id}WritesOwnPrefix`,
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${id}:root` },
      Action: ["s3:PutObject", "s3:PutObjectAcl"],
      Resource: regions.map((r) => `${bucketArn}/${logPrefix(id, r)}*`),
    });
  }
  if (writerAccountIds.length > 0) {
    statements.push({
      Sid: "WritersReadEncryptionSettings",
      Effect: "Allow",
      Principal: { AWS: writerAccountIds.map((id) => `arn:${partition}:iam::${id}:root`) },
      Action: "s3:GetEncryptionConfiguration",
      Resource: bucketArn,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The central patch log bucket: SSE-S3 encryption, all public access blocked, bucket-owner
 * object ownership, versioning with lifecycle expiry, TLS only, per-account write prefixes.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-patch-working-with.html
 */
export class PatchLogBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: PatchLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:s3:PatchLogBucket", name, {}, opts);
    const members = args.memberAccountIds ?? [];
    const bad = [args.accountId, ...members].find((id) => !ACCOUNT_ID_PATTERN.test(id));
    if (bad !== undefined) {
      throw new pulumi.ResourceError(
        `accountId and memberAccountIds must be 12-digit account id strings, got ${JSON.stringify(bad)}`,
        this,
      );
    }
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName)) {
      throw new pulumi.ResourceError(
        `bucketName must be 3–63 lowercase letters, digits, dots and hyphens, got ${JSON.stringify(args.bucketName)}`,
        this,
      );
    }
    if (args.regions.length === 0) {
      throw new pulumi.ResourceError("regions must list at least one region", this);
    }
    const retentionDays = args.retentionDays ?? 365;
    if (!Number.isInteger(retentionDays) || retentionDays < 1) {
      throw new pulumi.ResourceError(
        `retentionDays must be a whole number of days ≥ 1, got ${retentionDays}`,
        this,
      );
    }
    const partition = args.partition ?? "aws";

    const bucket = new aws.s3.Bucket(
      `${name}-bucket`,
      { bucket: args.bucketName, forceDestroy: false, tags: args.tags ?? {} },
      { parent: this },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    // SSE-S3 rather than a KMS key: writers in other accounts would each need kms:GenerateDataKey
    // on a central key, and the SSM Agent's upload would fail without it.
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      },
      { parent: this },
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-patch-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: JSON.stringify(
          logBucketPolicy(partition, args.bucketName, [args.accountId, ...members], args.regions),
        ),
      },
      // S3 rejects a new bucket policy while BlockPublicPolicy is being applied concurrently.
      { parent: this, dependsOn: [publicAccess] },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
