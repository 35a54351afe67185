import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import {
  ACCOUNT_ID_PATTERN,
  TOPOLOGY_TYPE,
  type TopologyOutputName,
  isAwsRegion,
  partitionOf,
} from "../domain";
import { ALERT_PUBLISHER_ROLE_NAME, alertPublisherRole, regionAlerts } from "./alerts";
import { AutomationRoles } from "./automation-roles";
import { PatchDataSync } from "./data-sync";
import { PatchLogBucket, logPrefix } from "./log-bucket";
import { DATA_SYNC_PREFIX } from "./log-bucket-policy";
import { PatchMaintenanceWindows } from "./maintenance-windows";
import { PatchBaselines } from "./patch-baselines";
import { PatchTargetGroup } from "./resource-group";
import { PatchRunbook } from "./runbook";
import type { AccountConfig } from "./types";

/** What one region of an account exposes. */
export interface RegionOutputs {
  /** Patch group name → baseline id. */
  baselineIds: Record<string, string>;
  resourceGroupName: string;
  /** The central account's runbook (members point at the document shared with them). */
  runbookName: string;
  runbookArn: string;
}

/** Session name the regional providers use when they assume deployRoleArn. */
export const DEPLOY_SESSION_NAME = "patchfleet-deploy";

/**
 * The whole Systems Manager patch topology of one account: IAM once (on the home region, the
 * first of `regions`), and per region a resource group, the patch baselines, the runbook (central
 * only) and the maintenance windows (when configured). The central account also owns the log
 * bucket in its home region.
 *
 * Nothing here reads the environment or calls AWS while constructing: ARNs are built from the
 * account ids in the config, so the same code runs under `pulumi up`, in an Automation API
 * inline program, and under the SDK's mock runtime.
 */
export class AccountPatchTopology extends pulumi.ComponentResource {
  /** Region → its outputs. */
  public readonly regions: pulumi.Output<Record<string, RegionOutputs>>;
  /** Central only. */
  public readonly administrationRoleArn: pulumi.Output<string> | undefined;
  public readonly executionRoleArn: pulumi.Output<string>;
  /** Only when maintenance windows are configured. */
  public readonly maintenanceWindowRoleArn: pulumi.Output<string> | undefined;
  /** The central log bucket (created by the central account, written to by all). */
  public readonly logBucketName: pulumi.Output<string>;
  /** The regional providers, region → provider. */
  public readonly providers: Record<string, aws.Provider> = {};

  constructor(name: string, config: AccountConfig, opts?: pulumi.ComponentResourceOptions) {
    super(TOPOLOGY_TYPE, name, {}, opts);
    const problems: string[] = [];
    if (config.regions.length === 0) problems.push("regions must list at least one region");
    for (const r of config.regions) {
      if (!isAwsRegion(r)) problems.push(`regions: ${JSON.stringify(r)} is not a known region`);
    }
    for (const key of ["accountId", "centralAccountId"] as const) {
      if (!ACCOUNT_ID_PATTERN.test(config[key])) {
        problems.push(
          `${key} must be a 12-digit account id string, got ${JSON.stringify(config[key])}`,
        );
      }
    }
    if (config.role === "central" && config.accountId !== config.centralAccountId) {
      problems.push("centralAccountId must equal accountId for the central account");
    }
    if (config.role === "member" && config.memberAccountIds.length > 0) {
      problems.push("memberAccountIds is for the central account only; remove it for a member");
    }
    if (problems.length > 0) {
      throw new pulumi.ResourceError(
        `invalid account config: ${problems.join("; ")}; run the config through parseAccountConfig`,
        this,
      );
    }

    const home = config.regions[0] as string;
    const partition = partitionOf(home);
    const hasWindows =
      config.maintenanceWindows.scan !== undefined ||
      config.maintenanceWindows.install !== undefined;

    for (const region of config.regions) {
      this.providers[region] = new aws.Provider(
        `${name}-${region}`,
        {
          region,
          // Refuse to deploy anywhere but the configured account, whatever credentials are active.
          allowedAccountIds: [config.accountId],
          assumeRoles:
            config.deployRoleArn === undefined
              ? undefined
              : [{ roleArn: config.deployRoleArn, sessionName: DEPLOY_SESSION_NAME }],
        },
        { parent: this },
      );
    }
    const homeProvider = this.providers[home] as aws.Provider;

    const roles = new AutomationRoles(
      `${name}-roles`,
      {
        accountRole: config.role,
        accountId: config.accountId,
        centralAccountId: config.centralAccountId,
        partition,
        administrationRoleName: config.administrationRoleName,
        executionRoleName: config.executionRoleName,
        runbookName: config.runbookName,
        resourceGroupName: config.resourceGroupName,
        logBucketName: config.logBucketName,
        regions: config.regions,
        maintenanceWindowRole: hasWindows,
        notificationRoleName: config.notifications && ALERT_PUBLISHER_ROLE_NAME,
        tags: config.tags,
      },
      { parent: this, provider: homeProvider },
    );
    this.administrationRoleArn = roles.administrationRoleArn;
    this.executionRoleArn = roles.executionRoleArn;
    this.maintenanceWindowRoleArn = roles.maintenanceWindowRoleArn;
    const alerts = config.notifications && {
      notify: config.notifications,
      publisher: alertPublisherRole(name, config, config.notifications, {
        parent: this,
        provider: homeProvider,
      }),
    };

    if (config.role === "central") {
      const bucket = new PatchLogBucket(
        `${name}-logs`,
        {
          bucketName: config.logBucketName,
          accountId: config.accountId,
          memberAccountIds: config.memberAccountIds,
          regions: config.regions,
          partition,
          organizationId: config.organizationId,
          retentionDays: config.logRetentionDays,
          tags: config.tags,
          readPrefixes: config.logBucketReadPrefixes,
          dataSyncPrefix: config.dataSync && DATA_SYNC_PREFIX,
        },
        { parent: this, provider: homeProvider },
      );
      this.logBucketName = bucket.bucketName;
    } else {
      this.logBucketName = pulumi.output(config.logBucketName);
    }

    const perRegion: Record<string, pulumi.Output<RegionOutputs>> = {};
    for (const region of config.regions) {
      const provider = this.providers[region] as aws.Provider;
      const childOpts = { parent: this, provider };
      const group = new PatchTargetGroup(
        `${name}-${region}-targets`,
        {
          groupName: config.resourceGroupName,
          tagKey: config.resourceGroupTag.key,
          tagValue: config.resourceGroupTag.value,
          tags: config.tags,
        },
        childOpts,
      );
      const baselines = new PatchBaselines(
        `${name}-${region}-baselines`,
        { patchGroups: config.patchGroups, tags: config.tags },
        childOpts,
      );
      let runbookName: pulumi.Output<string>;
      let runbookArn: pulumi.Output<string>;
      if (config.role === "central") {
        const runbook = new PatchRunbook(
          `${name}-${region}-runbook`,
          {
            documentName: config.runbookName,
            resourceGroupName: config.resourceGroupName,
            logBucketName: config.logBucketName,
            maxConcurrency: config.runbookMaxConcurrency,
            maxErrors: config.runbookMaxErrors,
            sharedWithAccountIds: config.memberAccountIds,
            tags: config.tags,
          },
          childOpts,
        );
        runbookName = runbook.documentName;
        runbookArn = runbook.documentArn;
      } else {
        // Members run the central account's shared document; they do not own a copy.
        runbookName = pulumi.output(config.runbookName);
        runbookArn = pulumi.output(
          `arn:${partition}:ssm:${region}:${config.centralAccountId}:document/${config.runbookName}`,
        );
      }
      const alertTopicArn =
        alerts &&
        regionAlerts(name, region, config, alerts.notify, alerts.publisher.roleArn, childOpts);
      if (config.dataSync !== undefined) {
        new PatchDataSync(
          `${name}-${region}-data-sync`,
          {
            bucketName: config.logBucketName,
            bucketRegion: config.dataSync.bucketRegion,
            organization: config.dataSync.organization,
          },
          childOpts,
        );
      }
      if (hasWindows) {
        new PatchMaintenanceWindows(
          `${name}-${region}-windows`,
          {
            scan: config.maintenanceWindows.scan,
            install: config.maintenanceWindows.install,
            resourceGroupName: group.groupName,
            serviceRoleArn: roles.maintenanceWindowRoleArn as pulumi.Output<string>,
            logBucketName: config.logBucketName,
            logKeyPrefix: logPrefix(config.accountId, region),
            tags: config.tags,
            notification: alerts &&
              alertTopicArn && {
                topicArn: alertTopicArn,
                roleArn: alerts.publisher.roleArn,
                events: alerts.notify.commandEvents,
              },
          },
          childOpts,
        );
      }
      perRegion[region] = pulumi
        .all([baselines.baselineIds, group.groupName, runbookName, runbookArn])
        .apply(([baselineIds, resourceGroupName, name, arn]) => ({
          baselineIds,
          resourceGroupName,
          runbookName: name,
          runbookArn: arn,
        }));
    }
    this.regions = pulumi.output(perRegion);

    this.registerOutputs({
      regions: this.regions,
      administrationRoleArn: this.administrationRoleArn,
      executionRoleArn: this.executionRoleArn,
      maintenanceWindowRoleArn: this.maintenanceWindowRoleArn,
      logBucketName: this.logBucketName,
    });
  }
}

/** Builds the patch topology of one account from a validated AccountConfig. */
export function buildTopology(
  name: string,
  config: AccountConfig,
  opts?: pulumi.ComponentResourceOptions,
): AccountPatchTopology {
  return new AccountPatchTopology(name, config, opts);
}

/**
 * The stack outputs of a topology program (TOPOLOGY_OUTPUTS), so index.ts and the fleet runner's
 * inline program export the same ones.
 */
export function topologyOutputs(config: AccountConfig, topology: AccountPatchTopology) {
  return {
    accountId: config.accountId,
    role: config.role,
    regions: topology.regions,
    administrationRoleArn: topology.administrationRoleArn,
    executionRoleArn: topology.executionRoleArn,
    maintenanceWindowRoleArn: topology.maintenanceWindowRoleArn,
    logBucketName: topology.logBucketName,
  } satisfies Record<TopologyOutputName, unknown>;
}
