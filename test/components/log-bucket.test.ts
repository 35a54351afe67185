import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../../components/automation-roles";
import { PatchLogBucket, logBucketPolicy } from "../../components/log-bucket";
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

  it("bucket policy: TLS only; each account writes only its own accountid=/region= prefixes", async () => {
    new PatchLogBucket("logs", args);
    await settle();
    const policy = json<PolicyDocument>(named("logs-policy").inputs.policy);
    const arn = "arn:aws:s3:::patch-logs-central";
    assert.deepEqual(policy.Statement[0], {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const writers = policy.Statement.filter((s) => s.Sid.endsWith("WritesOwnPrefix"));
    assert.deepEqual(
      writers.map((s) => s.Principal),
      [CENTRAL, MEMBER_A, MEMBER_B].map((id) => ({ AWS: `arn:aws:iam::${id}:root` })),
    );
    for (const [i, id] of [CENTRAL, MEMBER_A, MEMBER_B].entries()) {
      assert.deepEqual(writers[i]?.Resource, [
        `${arn}/accountid=${id}/region=us-east-1/*`,
        `${arn}/accountid=${id}/region=eu-west-1/*`,
      ]);
      assert.equal(writers[i]?.Effect, "Allow");
    }
    assert.deepEqual(policy.Statement[policy.Statement.length - 1], {
      Sid: "WritersReadEncryptionSettings",
      Effect: "Allow",
      Principal: { AWS: [CENTRAL, MEMBER_A, MEMBER_B].map((id) => `arn:aws:iam::${id}:root`) },
      Action: "s3:GetEncryptionConfiguration",
      Resource: arn,
    });
    assert.equal(policy.Statement.length, 5);
  });

  it("bucket policy, statement by statement: the agent's ACL upload needs s3:PutObjectAcl on the same prefixes", async () => {
    new PatchLogBucket("logs", args);
    await settle();
    const policy = json<PolicyDocument>(named("logs-policy").inputs.policy);
    const arn = "arn:aws:s3:::patch-logs-central";
    const writes = (id: string): PolicyDocument["Statement"][number] => ({
      Sid: `Account${id}WritesOwnPrefix`,
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${id}:root` },
      // The SSM Agent uploads with the bucket-owner-full-control canned ACL.
      Action: ["s3:PutObject", "s3:PutObjectAcl"],
      Resource: [
        `${arn}/accountid=${id}/region=us-east-1/*`,
        `${arn}/accountid=${id}/region=eu-west-1/*`,
      ],
    });
    assert.equal(policy.Version, "2012-10-17");
    assert.equal(policy.Statement[0]?.Sid, "DenyInsecureTransport");
    assert.deepEqual(policy.Statement[1], writes(CENTRAL));
    assert.deepEqual(policy.Statement[2], writes(MEMBER_A));
    assert.deepEqual(policy.Statement[3], writes(MEMBER_B));
    assert.deepEqual(policy.Statement[4], {
      Sid: "WritersReadEncryptionSettings",
      Effect: "Allow",
      Principal: { AWS: [CENTRAL, MEMBER_A, MEMBER_B].map((id) => `arn:aws:iam::${id}:root`) },
      Action: "s3:GetEncryptionConfiguration",
      Resource: arn,
    });
    assert.equal(policy.Statement.length, 5);
    // No other statement grants an object ACL write: PutObjectAcl appears exactly three times,
    // each time next to PutObject on that account's own prefixes.
    const aclGrants = policy.Statement.filter(
      (s) => s.Effect === "Allow" && [s.Action].flat().includes("s3:PutObjectAcl"),
    );
    assert.deepEqual(
      aclGrants.map((s) => s.Sid),
      [CENTRAL, MEMBER_A, MEMBER_B].map((id) => `Account${id}WritesOwnPrefix`),
    );
  });

  it("logBucketPolicy: partition and regions shape every write grant; no writers, no read grant", () => {
    const gov = logBucketPolicy("aws-us-gov", "gov-logs", [MEMBER_A], ["us-gov-west-1"]);
    assert.deepEqual(gov.Statement.slice(1), [
      {
        Sid: `Account${MEMBER_A}WritesOwnPrefix`,
        Effect: "Allow",
        Principal: { AWS: `arn:aws-us-gov:iam::${MEMBER_A}:root` },
        Action: ["s3:PutObject", "s3:PutObjectAcl"],
        Resource: [`arn:aws-us-gov:s3:::gov-logs/accountid=${MEMBER_A}/region=us-gov-west-1/*`],
      },
      {
        Sid: "WritersReadEncryptionSettings",
        Effect: "Allow",
        Principal: { AWS: [`arn:aws-us-gov:iam::${MEMBER_A}:root`] },
        Action: "s3:GetEncryptionConfiguration",
        Resource: "arn:aws-us-gov:s3:::gov-logs",
      },
    ]);
    assert.deepEqual(
      logBucketPolicy("aws", "b", [], ["us-east-1"]).Statement.map((s) => s.Sid),
      ["DenyInsecureTransport"],
    );
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
