/**
 * Resource Data Sync of one account-region into the central log bucket (compliance.dataSync), so
 * Athena can query the inventory and compliance data of the whole fleet (docs/athena.md).
 */
import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { DATA_SYNC_NAME, DATA_SYNC_PREFIX } from "./log-bucket-policy";

export interface PatchDataSyncArgs {
  /** The central log bucket. */
  bucketName: string;
  /** Region of the central log bucket (the central account's home region). */
  bucketRegion: string;
  /**
   * Name of the sync, the same in every account-region.
   * @default "patchfleet-inventory"
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateResourceDataSync.html
   */
  syncName?: string;
  /**
   * Key prefix in the bucket; the bucket policy grants SSM this prefix only.
   * @default "patchfleet-inventory"
   */
  prefix?: string;
  /**
   * Organization-based sync (DestinationDataSharingType Organization): objects are tagged with the
   * organization id, which the bucket policy requires when `organizationId` is set.
   * @default false
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-inventory-datasync.html
   */
  organization?: boolean;
}

/**
 * One `aws.ssm.ResourceDataSync` (SyncToDestination, the default type) in the provider's region.
 * SyncFormat JsonSerDe is the only value SSM's API model allows (ResourceDataSyncS3Format).
 * https://www.pulumi.com/registry/packages/aws/api-docs/ssm/resourcedatasync/
 */
export class PatchDataSync extends pulumi.ComponentResource {
  public readonly syncName: pulumi.Output<string>;

  constructor(name: string, args: PatchDataSyncArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:ssm:PatchDataSync", name, {}, opts);
    const sync = new aws.ssm.ResourceDataSync(
      `${name}-sync`,
      {
        name: args.syncName ?? DATA_SYNC_NAME,
        s3Destination: {
          bucketName: args.bucketName,
          region: args.bucketRegion,
          prefix: args.prefix ?? DATA_SYNC_PREFIX,
          syncFormat: "JsonSerDe",
          destinationDataSharing: args.organization
            ? { destinationDataSharingType: "Organization" }
            : undefined,
        },
      },
      { parent: this },
    );
    this.syncName = sync.name;
    this.registerOutputs({ syncName: this.syncName });
  }
}
