import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID_PATTERN } from "../domain";
import { ORGANIZATION_ID_PATTERN, bucketPolicyProblem, logBucketPolicy } from "./log-bucket-policy";

export {
  BUCKET_POLICY_MAX_BYTES,
  ORGANIZATION_ID_PATTERN,
  PRINCIPAL_ACCOUNT_VARIABLE,
  bucketPolicyProblem,
  logBucketPolicy,
  logPrefix,
  policyBytes,
} from "./log-bucket-policy";

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
   * AWS Organizations id (`o-...`) of the fleet's accounts. When set, the write grant names the
   * organization (aws:PrincipalOrgID) instead of every account, so the policy size no longer grows
   * with the fleet; any account of the organization may then write, only under its own prefix.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
   * @default undefined (list the accounts)
   */
  organizationId?: string;
  /**
   * Days before patch logs expire; noncurrent versions expire after 30 days.
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html
   * @default 365
   */
  retentionDays?: number;
  /** Tags of the bucket. @default {} */
  tags?: Record<string, string>;
  /**
   * Key prefixes every fleet account may read (s3:GetObject), e.g. the ring install override
   * lists (RING_OVERRIDE_PREFIX), which instances download with their instance profile.
   * @default []
   */
  readPrefixes?: string[];
  /**
   * Resource Data Sync's key prefix: adds the bucket policy statements SSM documents for it.
   * @default undefined (no data sync)
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-inventory-datasync.html
   */
  dataSyncPrefix?: string;
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
    if (args.organizationId !== undefined && !ORGANIZATION_ID_PATTERN.test(args.organizationId)) {
      throw new pulumi.ResourceError(
        `organizationId must look like o-a1b2c3d4e5 (o- and 10–32 lowercase letters or digits), got ${JSON.stringify(args.organizationId)}`,
        this,
      );
    }
    const sizeProblem = bucketPolicyProblem(
      args.partition ?? "aws",
      args.bucketName,
      [args.accountId, ...members],
      args.regions,
      args.organizationId,
      args.readPrefixes,
      args.dataSyncPrefix,
    );
    if (sizeProblem !== undefined) throw new pulumi.ResourceError(sizeProblem, this);
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
          logBucketPolicy(
            partition,
            args.bucketName,
            [args.accountId, ...members],
            args.regions,
            args.organizationId,
            args.readPrefixes,
            args.dataSyncPrefix,
          ),
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
