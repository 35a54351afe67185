import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../../components/automation-roles";
import {
  PatchLogBucket,
  bucketPolicyProblem,
  logBucketPolicy,
  policyBytes,
} from "../../components/log-bucket";
import { requestProblems } from "../aws-models";
import { installMocks, json, mockId, named, nameOfUrn, resources, settle } from "../helpers/mocks";
import { CENTRAL, MEMBER_A, MEMBER_B } from "./fixtures";

describe("PatchLogBucket", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  const args = {
    bucketName: "patch-logs-central",
    accountId: CENTRAL,
    memberAccountIds: [MEMBER_A, MEMBER_B],
    regions: ["us-east-1", "eu-west-1"],
    retentionDays: 90,
    tags: { team: "ops" },
  };

  it("creates the bucket and its hardening children", async () => {
    new PatchLogBucket("logs", args);
    await settle();
    assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "aws:s3/bucket:Bucket logs-bucket",
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration logs-lifecycle",
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls logs-ownership",
      "aws:s3/bucketPolicy:BucketPolicy logs-policy",
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock logs-public-access",
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration logs-encryption",
      "aws:s3/bucketVersioning:BucketVersioning logs-versioning",
      "patchfleet:s3:PatchLogBucket logs",
    ]);
    for (const r of resources.slice(1)) assert.equal(nameOfUrn(r.parent), "logs");
    const bucketId = mockId("logs-bucket");
    assert.deepEqual(named("logs-bucket").inputs, {
      bucket: "patch-logs-central",
      forceDestroy: false,
      tags: { team: "ops" },
    });
    assert.deepEqual(named("logs-public-access").inputs, {
      bucket: bucketId,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    assert.deepEqual(named("logs-encryption").inputs.rules, [
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    assert.deepEqual(named("logs-ownership").inputs.rule, {
      objectOwnership: "BucketOwnerEnforced",
    });
    assert.deepEqual(named("logs-versioning").inputs.versioningConfiguration, {
      status: "Enabled",
    });
    assert.deepEqual(named("logs-lifecycle").inputs.rules, [
      {
        id: "expire-patch-logs",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { days: 90 },
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    assert.deepEqual(
      named("logs-policy").dependencies.sort(),
      [named("logs-bucket").urn, named("logs-public-access").urn].sort(),
    );
    assert.deepEqual(
      named("logs-lifecycle").dependencies.sort(),
      [named("logs-bucket").urn, named("logs-versioning").urn].sort(),
    );
  });

  it("bucket policy: TLS only; one write grant whose object ARN is the caller's own account prefix", async () => {
    new PatchLogBucket("logs", args);
    await settle();
    const policy = json<PolicyDocument>(named("logs-policy").inputs.policy);
    const arn = "arn:aws:s3:::patch-logs-central";
    // Policy variables need the 2012-10-17 policy language
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
    assert.equal(policy.Version, "2012-10-17");
    assert.deepEqual(policy.Statement, [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "FleetAccountsWriteOwnPrefix",
        Effect: "Allow",
        // "AWS": "123456789012" names the account, like its :root ARN, in 15 bytes instead of 33
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts);
        // fixed principals keep the policy non-public for BlockPublicPolicy
        // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
        Principal: { AWS: [CENTRAL, MEMBER_A, MEMBER_B] },
        // The SSM Agent uploads with the bucket-owner-full-control canned ACL, which needs
        // s3:PutObjectAcl as well (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
        Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:GetEncryptionConfiguration"],
        // ${aws:PrincipalAccount} is replaced per request by the caller's account; variables may
        // stand in the resource part of an ARN, after the fifth colon
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
        Resource: [
          arn,
          `${arn}/accountid=\${aws:PrincipalAccount}/region=us-east-1/*`,
          `${arn}/accountid=\${aws:PrincipalAccount}/region=eu-west-1/*`,
        ],
      },
    ]);
  });

  it("with organizationId: Principal * limited by aws:PrincipalOrgID, no account list", async () => {
    new PatchLogBucket("logs", { ...args, organizationId: "o-a1b2c3d4e5" });
    await settle();
    const policy = json<PolicyDocument>(named("logs-policy").inputs.policy);
    const write = policy.Statement[1];
    assert.equal(write?.Principal, "*");
    // aws:PrincipalOrgID with a fixed value is S3's own example of a non-public grant
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
    assert.deepEqual(write?.Condition, { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } });
    assert.equal(JSON.stringify(policy).includes(MEMBER_A), false);
    assert.throws(
      () => new PatchLogBucket("bad-org", { ...args, organizationId: "org-1" }),
      (err: Error) =>
        err.message ===
        'organizationId must look like o-a1b2c3d4e5 (o- and 10–32 lowercase letters or digits), got "org-1"',
    );
  });

  it("size: 1,000 accounts fit S3's 20 KB limit; with an organization the size does not grow", () => {
    // "Bucket policies are limited to 20 KB in size."
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
    const LIMIT = 20 * 1024;
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
    const bucket = "patchfleet-patch-logs-111111111111";
    const fourRegions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
    const sized = (n: number, regions: string[], org?: string) =>
      policyBytes(logBucketPolicy("aws", bucket, ids(n), regions, org));
    // 1,000 accounts (the document-sharing quota) in 4 regions: measured, and under the limit.
    const thousand = sized(1000, fourRegions);
    assert.ok(thousand < LIMIT, `${thousand} bytes`);
    // Each further account costs exactly its 12 digits, two quotes and a comma.
    assert.equal(sized(1001, fourRegions) - thousand, 15);
    // The old layout (a statement per account listing every region) passed 20 KB at 45 accounts
    // in 2 regions; the regions no longer multiply with the accounts.
    assert.equal(
      sized(1000, [...fourRegions, "eu-central-1"]) - thousand,
      sized(1, [...fourRegions, "eu-central-1"]) - sized(1, fourRegions),
    );
    // With an organization: the same bytes for 3 accounts and for 10,000.
    const org = "o-a1b2c3d4e5";
    assert.equal(sized(3, fourRegions, org), sized(10_000, fourRegions, org));
    assert.ok(sized(10_000, fourRegions, org) < 2000);
    // AWS's model agrees the request itself is well-formed (PutBucketPolicy: Bucket, Policy).
    assert.deepEqual(
      requestProblems("s3", "PutBucketPolicy", {
        Bucket: bucket,
        Policy: JSON.stringify(logBucketPolicy("aws", bucket, ids(1000), fourRegions)),
      }),
      [],
    );
  });

  it("refuses a fleet whose policy would pass 20 KB, naming the limit and the fix", () => {
    const many = Array.from({ length: 1400 }, (_, i) => String(200000000000 + i));
    const problem = bucketPolicyProblem("aws", "b-logs", many, ["us-east-1"]);
    assert.match(
      problem ?? "",
      /^the log bucket policy for 1400 accounts in 1 regions is [0-9]+ bytes, over S3's bucket policy limit of 20 KB \(20480 bytes\); set organizationId so the policy grants by organization instead of listing every account$/,
    );
    assert.equal(
      bucketPolicyProblem("aws", "b-logs", many, ["us-east-1"], "o-a1b2c3d4e5"),
      undefined,
    );
    assert.throws(
      () =>
        new PatchLogBucket("huge", {
          ...args,
          memberAccountIds: many,
          regions: ["us-east-1"],
        }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          bucketPolicyProblem("aws", args.bucketName, [CENTRAL, ...many], ["us-east-1"]),
    );
  });

  it("logBucketPolicy: the partition shapes every ARN; no writers, no write grant", () => {
    const gov = logBucketPolicy("aws-us-gov", "gov-logs", [MEMBER_A], ["us-gov-west-1"]);
    assert.deepEqual(gov.Statement[1]?.Resource, [
      "arn:aws-us-gov:s3:::gov-logs",
      "arn:aws-us-gov:s3:::gov-logs/accountid=${aws:PrincipalAccount}/region=us-gov-west-1/*",
    ]);
    assert.deepEqual(
      logBucketPolicy("aws", "b", [], ["us-east-1"]).Statement.map((s) => s.Sid),
      ["DenyInsecureTransport"],
    );
  });

  it("ring override lists: the fleet's accounts may read (never write) the rings prefix", () => {
    // AWS-RunPatchBaseline downloads InstallOverrideList on the node; a private bucket needs an
    // s3:// path-style URL, so the node's instance profile reads it: s3:GetObject on the object
    // (https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-aws-runpatchbaseline.html,
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Permissions: s3:GetObject).
    const policy = logBucketPolicy("aws", "logs", [CENTRAL, MEMBER_A], ["us-east-1"], undefined, [
      "patchfleet-rings/",
    ]);
    assert.deepEqual(policy.Statement[2], {
      Sid: "FleetAccountsReadRingOverrideLists",
      Effect: "Allow",
      Principal: { AWS: [CENTRAL, MEMBER_A] },
      Action: "s3:GetObject",
      Resource: ["arn:aws:s3:::logs/patchfleet-rings/*"],
    });
    const org = logBucketPolicy("aws", "logs", [], ["us-east-1"], "o-a1b2c3d4e5", [
      "patchfleet-rings/",
    ]);
    assert.deepEqual(org.Statement[2]?.Condition, {
      StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
    });
  });

  it("guards name the field and the fix", () => {
    assert.throws(
      () => new PatchLogBucket("b1", { ...args, bucketName: "Patch_Logs" }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          'bucketName must be 3–63 lowercase letters, digits, dots and hyphens, got "Patch_Logs"',
    );
    assert.throws(
      () => new PatchLogBucket("b2", { ...args, memberAccountIds: ["1234"] }),
      (err: Error) =>
        err.message ===
        'accountId and memberAccountIds must be 12-digit account id strings, got "1234"',
    );
    assert.throws(
      () => new PatchLogBucket("b3", { ...args, retentionDays: 0 }),
      (err: Error) => err.message === "retentionDays must be a whole number of days ≥ 1, got 0",
    );
  });
});
