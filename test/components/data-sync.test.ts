/**
 * Resource Data Sync (compliance.dataSync): one aws.ssm.ResourceDataSync per account-region into
 * the central log bucket, and the bucket policy statements the SSM User Guide gives for it.
 * Sources:
 * - Bucket policy: Systems Manager User Guide, "Creating a resource data sync for Inventory"
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-inventory-datasync.html
 *   (SSMBucketPermissionsCheck: ssm.amazonaws.com, s3:GetBucketAcl on the bucket; SSMBucketDelivery:
 *   s3:PutObject on <bucket>/<prefix>/*\/accountid=<id>/*, s3:x-amz-acl bucket-owner-full-control,
 *   aws:SourceAccount, aws:SourceArn arn:aws:ssm:*:<id>:resource-data-sync/*).
 * - Resource arguments: https://www.pulumi.com/registry/packages/aws/api-docs/ssm/resourcedatasync/
 *   (name → SyncName; s3Destination bucketName/region/prefix/syncFormat → S3Destination BucketName/
 *   Region/Prefix/SyncFormat), checked against botocore 1.44.8's ssm model, CreateResourceDataSync.
 * - S3's limit: "Bucket policies are limited to 20 KB in size."
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html
 */
import { strict as assert } from "assert";
import { stringify } from "yaml";
import { FleetError, parseFleet } from "../../automation/fleet/parse-fleet";
import { centralAccountConfig, memberAccountConfig } from "../../automation/stacks";
import {
  DATA_SYNC_PREFIX,
  bucketPolicyProblem,
  logBucketPolicy,
  policyBytes,
} from "../../components/log-bucket-policy";
import { buildTopology } from "../../components/topology";
import type { PolicyDocument } from "../../components/iam-policies";
import { requestProblems, shape } from "../aws-models";
import { installMocks, json, ofType, settle } from "../helpers/mocks";
import { baseFleet } from "../fleet/fixtures";
import { CENTRAL, MEMBER_A, MEMBER_B, config, issuesOf, rawCentral, rawMember } from "./fixtures";

const BUCKET = "patchfleet-patch-logs-111111111111";
const ids = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));

/** The CreateResourceDataSync request a ResourceDataSync's inputs stand for, in the API's names. */
function createSyncRequest(inputs: Record<string, unknown>) {
  const d = inputs.s3Destination as Record<string, unknown>;
  const sharing = d.destinationDataSharing as { destinationDataSharingType?: unknown } | undefined;
  return {
    SyncName: inputs.name,
    S3Destination: {
      BucketName: d.bucketName,
      Region: d.region,
      Prefix: d.prefix,
      SyncFormat: d.syncFormat,
      ...(sharing === undefined
        ? {}
        : {
            DestinationDataSharing: {
              DestinationDataSharingType: sharing.destinationDataSharingType,
            },
          }),
    },
  };
}

function statement(policy: PolicyDocument, sid: string) {
  const s = policy.Statement.find((x) => x.Sid === sid);
  assert.ok(s, `no statement ${sid}`);
  return s;
}

describe("Resource Data Sync: bucket policy", () => {
  it("without an organization: the documented statements, accounts listed", () => {
    const p = logBucketPolicy(
      "aws",
      BUCKET,
      [CENTRAL, MEMBER_A],
      ["us-east-1"],
      undefined,
      [],
      DATA_SYNC_PREFIX,
    );
    // User Guide, SSMBucketPermissionsCheck.
    assert.deepEqual(statement(p, "SSMBucketPermissionsCheck"), {
      Sid: "SSMBucketPermissionsCheck",
      Effect: "Allow",
      Principal: { Service: "ssm.amazonaws.com" },
      Action: "s3:GetBucketAcl",
      Resource: `arn:aws:s3:::${BUCKET}`,
    });
    // User Guide, SSMBucketDelivery: one object ARN per account's accountid= folder under the prefix.
    assert.deepEqual(statement(p, "SSMBucketDelivery"), {
      Sid: "SSMBucketDelivery",
      Effect: "Allow",
      Principal: { Service: "ssm.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: [
        `arn:aws:s3:::${BUCKET}/patchfleet-inventory/*/accountid=${CENTRAL}/*`,
        `arn:aws:s3:::${BUCKET}/patchfleet-inventory/*/accountid=${MEMBER_A}/*`,
      ],
      Condition: {
        StringEquals: {
          "s3:x-amz-acl": "bucket-owner-full-control",
          "aws:SourceAccount": [CENTRAL, MEMBER_A],
        },
        ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:*:resource-data-sync/*" },
      },
    });
    // Off by default: the policy is the one without data sync.
    assert.equal(
      logBucketPolicy("aws", BUCKET, [CENTRAL], ["us-east-1"]).Statement.some((s) =>
        s.Sid.startsWith("SSM"),
      ),
      false,
    );
  });

  it("with an organization: the guide's organization form (OrgId object tag), constant size", () => {
    // User Guide, "Creating an inventory resource data sync for accounts defined in AWS
    // Organizations": s3:PutObject on <bucket>/<prefix>/*\/accountid=*\/* with the ACL and
    // s3:RequestObjectTag/OrgId conditions, and s3:PutObjectTagging on the same objects.
    const org = "o-a1b2c3d4e5";
    const p = logBucketPolicy("aws", BUCKET, ids(3), ["us-east-1"], org, [], DATA_SYNC_PREFIX);
    const objects = `arn:aws:s3:::${BUCKET}/patchfleet-inventory/*/accountid=*/*`;
    assert.deepEqual(statement(p, "SSMBucketDelivery"), {
      Sid: "SSMBucketDelivery",
      Effect: "Allow",
      Principal: { Service: "ssm.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: objects,
      Condition: {
        StringEquals: {
          "s3:x-amz-acl": "bucket-owner-full-control",
          "s3:RequestObjectTag/OrgId": org,
        },
      },
    });
    assert.deepEqual(statement(p, "SSMBucketDeliveryTagging"), {
      Sid: "SSMBucketDeliveryTagging",
      Effect: "Allow",
      Principal: { Service: "ssm.amazonaws.com" },
      Action: "s3:PutObjectTagging",
      Resource: objects,
    });
    const sized = (n: number) =>
      policyBytes(logBucketPolicy("aws", BUCKET, ids(n), ["us-east-1"], org, [], DATA_SYNC_PREFIX));
    assert.equal(sized(3), sized(10_000));
  });

  it("size: measured at 1,000 accounts; the 20 KB check refuses it with the fix", () => {
    const LIMIT = 20 * 1024; // S3: "Bucket policies are limited to 20 KB in size."
    const four = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
    const sized = (n: number) =>
      policyBytes(logBucketPolicy("aws", BUCKET, ids(n), four, undefined, [], DATA_SYNC_PREFIX));
    // Measured: 1,000 accounts in 4 regions with data sync = 129,393 bytes, over six times the
    // limit. Each account costs 15 bytes in the log writers' principals, 15 in aws:SourceAccount
    // and 98 in its object ARN (95 characters with this 34-character bucket name, quotes, comma).
    assert.equal(sized(1000), 129_393);
    assert.equal(sized(1001) - sized(1000), 15 + 15 + 98);
    // The largest fleet that fits (central + members), measured.
    let fits = 1;
    while (sized(fits + 1) <= LIMIT) fits++;
    assert.equal(fits, 149);
    assert.match(
      bucketPolicyProblem("aws", BUCKET, ids(1000), four, undefined, [], DATA_SYNC_PREFIX) ?? "",
      /^the log bucket policy for 1000 accounts in 4 regions with Resource Data Sync \(compliance\.dataSync\) is 129393 bytes, over S3's bucket policy limit of 20 KB \(20480 bytes\); set organizationId so the policy grants by organization instead of listing every account$/,
    );
    assert.equal(
      bucketPolicyProblem("aws", BUCKET, ids(1000), four, "o-a1b2c3d4e5", [], DATA_SYNC_PREFIX),
      undefined,
    );
    // The request is well-formed for S3 (botocore s3 model, PutBucketPolicy).
    assert.deepEqual(
      requestProblems("s3", "PutBucketPolicy", {
        Bucket: BUCKET,
        Policy: JSON.stringify(
          logBucketPolicy("aws", BUCKET, ids(150), four, undefined, [], DATA_SYNC_PREFIX),
        ),
      }),
      [],
    );
  });
});

describe("Resource Data Sync: settings and topology", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("stack config dataSyncBucketRegion: a region, the central's first", () => {
    assert.deepEqual(config({ ...rawCentral(), dataSyncBucketRegion: "us-east-1" }).dataSync, {
      bucketRegion: "us-east-1",
      organization: false,
    });
    // The central account's organizationId means organization-based syncs; a member says so.
    assert.deepEqual(
      config({ ...rawCentral(), dataSyncBucketRegion: "us-east-1", organizationId: "o-a1b2c3d4e5" })
        .dataSync,
      { bucketRegion: "us-east-1", organization: true },
    );
    assert.deepEqual(
      config({ ...rawMember(), dataSyncBucketRegion: "us-east-1", dataSyncSharing: "Organization" })
        .dataSync,
      { bucketRegion: "us-east-1", organization: true },
    );
    assert.deepEqual(issuesOf({ ...rawCentral(), dataSyncSharing: "Account" }), [
      'dataSyncSharing: must be Organization (DestinationDataSharingType) or left out, got "Account"',
    ]);
    assert.deepEqual(
      issuesOf({
        ...rawCentral(),
        dataSyncBucketRegion: "us-east-1",
        dataSyncSharing: "Organization",
      }),
      [
        "dataSyncSharing: needs organizationId here: the log bucket policy admits organization-based syncs by the organization's id",
      ],
    );
    assert.equal(config(rawCentral()).dataSync, undefined);
    assert.deepEqual(issuesOf({ ...rawCentral(), dataSyncBucketRegion: "eu-west-1" }), [
      "dataSyncBucketRegion: must be us-east-1, the central account's first region, where its log bucket is",
    ]);
    assert.deepEqual(issuesOf({ ...rawMember(), dataSyncBucketRegion: "mars-1" }), [
      `dataSyncBucketRegion: must be the log bucket's region (the central account's first region), got "mars-1"`,
    ]);
  });

  it("fleet file compliance.dataSync: true or false, named with its line", () => {
    try {
      parseFleet(stringify({ ...baseFleet(), compliance: { dataSync: "yes" } }), "fleet.yaml");
      assert.fail("expected the fleet to be rejected");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      assert.deepEqual(
        err.issues.map((i) => `${i.path}: ${i.message}`),
        ['compliance.dataSync: must be true or false, got "yes"'],
      );
    }
  });

  it("every account-region gets a sync into the central bucket; requests pass the ssm model", async () => {
    const fleet = parseFleet(
      stringify({ ...baseFleet(), compliance: { dataSync: true } }),
      "f.yaml",
    );
    const central = centralAccountConfig(fleet);
    assert.deepEqual(central.dataSync, { bucketRegion: "us-east-1", organization: false });
    buildTopology("central", central);
    for (const m of fleet.members) buildTopology(m.name, memberAccountConfig(fleet, m));
    await settle();
    const syncs = ofType("aws:ssm/resourceDataSync:ResourceDataSync");
    // central 2 regions + prod-a 2 + prod-b 1.
    assert.equal(syncs.length, 5);
    for (const s of syncs) {
      const request = createSyncRequest(s.inputs);
      assert.deepEqual(request.S3Destination, {
        BucketName: fleet.logBucketName,
        Region: "us-east-1",
        Prefix: "patchfleet-inventory",
        // botocore ssm model, ResourceDataSyncS3Format: enum [JsonSerDe].
        SyncFormat: shape("ssm", "ResourceDataSyncS3Format").enum?.[0],
      });
      assert.deepEqual(requestProblems("ssm", "CreateResourceDataSync", request), []);
    }
    // The central bucket's policy carries the SSM statements for all three accounts.
    const policy = json(
      ofType("aws:s3/bucketPolicy:BucketPolicy")[0]?.inputs.policy,
    ) as PolicyDocument;
    const delivery = statement(policy, "SSMBucketDelivery");
    assert.deepEqual(delivery.Condition?.StringEquals?.["aws:SourceAccount"], [
      CENTRAL,
      MEMBER_A,
      MEMBER_B,
    ]);
  });

  it("with organizationId every sync is organization-based (DestinationDataSharingType)", async () => {
    const fleet = parseFleet(
      stringify({ ...baseFleet(), organizationId: "o-a1b2c3d4e5", compliance: { dataSync: true } }),
      "f.yaml",
    );
    for (const m of fleet.members) buildTopology(m.name, memberAccountConfig(fleet, m));
    await settle();
    const syncs = ofType("aws:ssm/resourceDataSync:ResourceDataSync");
    assert.equal(syncs.length, 3);
    for (const s of syncs) {
      const d = s.inputs.s3Destination as Record<string, unknown>;
      // User Guide CLI: DestinationDataSharing={DestinationDataSharingType=Organization}.
      assert.deepEqual(d.destinationDataSharing, { destinationDataSharingType: "Organization" });
      const request = createSyncRequest(s.inputs);
      assert.deepEqual(request.S3Destination.DestinationDataSharing, {
        DestinationDataSharingType: "Organization",
      });
      // botocore ssm model: ResourceDataSyncDestinationDataSharing in ResourceDataSyncS3Destination.
      assert.deepEqual(requestProblems("ssm", "CreateResourceDataSync", request), []);
    }
  });
});
