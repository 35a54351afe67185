/**
 * The validated, fully-defaulted model of one account's patch topology. Produced by
 * `parseAccountConfig` (components/config.ts) from `patchfleet:` stack config, and by the fleet
 * runner from a fleet file; consumed by `buildTopology` (components/topology.ts).
 *
 * Everything here is plain data (no Pulumi Inputs) so the same value can be validated, printed,
 * hashed and sent across process boundaries.
 */
import type { ComplianceLevel, OperatingSystem, RejectedPatchesAction } from "../domain";

/** A patch filter: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html */
export interface PatchFilterSpec {
  key: string;
  values: string[];
}

/** https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html */
export interface ApprovalRuleSpec {
  patchFilters: PatchFilterSpec[];
  /** Days after release before auto-approval, 0–360. Exclusive with approveUntilDate. */
  approveAfterDays?: number;
  /** Cut-off release date YYYY-MM-DD. Exclusive with approveAfterDays. */
  approveUntilDate?: string;
  /** @default "UNSPECIFIED" */
  complianceLevel: ComplianceLevel;
  /** Linux only: also approve non-security updates. @default false */
  enableNonSecurity: boolean;
}

/** https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchSource.html */
export interface PatchSourceSpec {
  name: string;
  products: string[];
  configuration: string;
}

/** One patch group and the baseline it is registered to. */
export interface PatchGroupSpec {
  operatingSystem: OperatingSystem;
  description?: string;
  approvalRules: ApprovalRuleSpec[];
  globalFilters: PatchFilterSpec[];
  approvedPatches: string[];
  /** @default "UNSPECIFIED" */
  approvedPatchesComplianceLevel: ComplianceLevel;
  approvedPatchesEnableNonSecurity: boolean;
  rejectedPatches: string[];
  /** @default "BLOCK" */
  rejectedPatchesAction: RejectedPatchesAction;
  sources: PatchSourceSpec[];
  /** Register this baseline as the region's default for its operating system. @default false */
  defaultForOperatingSystem: boolean;
}

/** A maintenance window that runs AWS-RunPatchBaseline on the resource group. */
export interface MaintenanceWindowSpec {
  /** `cron(...)` or `rate(...)`: https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html */
  schedule: string;
  /** IANA time zone. @default "UTC" */
  timezone: string;
  /** Days after the cron date to run (0–6). @default undefined */
  offsetDays?: number;
  /** Hours, 1–24. */
  durationHours: number;
  /** Hours before the end when no new task starts, 0–23, less than durationHours. */
  cutoffHours: number;
  /** @default "10%" */
  maxConcurrency: string;
  /** @default "5%" */
  maxErrors: string;
  /** @default true */
  enabled: boolean;
  /**
   * ISO-8601 time before which the window does not run (StartDate): set for an install window
   * during a fleet freeze. @default undefined
   */
  startDate?: string;
}

/**
 * Alerts: an encrypted SNS topic per region of the central account, Run Command notifications of
 * the maintenance window tasks, and EventBridge rules forwarding failed automation executions.
 */
export interface NotificationsSpec {
  /** Name of the central topic, the same in every region. @default "patchfleet-alerts" */
  topicName: string;
  /** Run Command statuses the maintenance window tasks notify on. @default ["Failed", "TimedOut"] */
  commandEvents: string[];
  /** Automation execution statuses forwarded. @default ["Failed", "TimedOut", "CompletedWithFailure"] */
  automationStatuses: string[];
  /** Central only: email addresses subscribed to every regional topic. @default [] */
  emails: string[];
}

export type AccountRole = "central" | "member";

export interface AccountConfig {
  /** central: administration role, shared runbook, log bucket. member: execution role. */
  role: AccountRole;
  /** 12-digit id of this account. */
  accountId: string;
  /** Regions of the account's regional resources; the first is the home region for IAM. */
  regions: string[];
  /** 12-digit id of the central (administration) account; equals accountId for central. */
  centralAccountId: string;
  /** Central only: member account ids the runbook is shared with and the bucket accepts logs from. */
  memberAccountIds: string[];
  /** Role each regional provider assumes to deploy (cross-account deploys). */
  deployRoleArn?: string;
  /** Patch group name → its baseline. */
  patchGroups: Record<string, PatchGroupSpec>;
  /** The tag that selects instances into the patch resource group. */
  resourceGroupTag: { key: string; value: string };
  /** Physical name of the resource group, the same in every account-region so the central runbook
   * can target it by name. @default "patchfleet-patch-targets" */
  resourceGroupName: string;
  administrationRoleName: string;
  executionRoleName: string;
  /** Name of the Automation runbook (owned by the central account, shared with members). */
  runbookName: string;
  /** Rate control of the runbook's aws:runCommand step. */
  runbookMaxConcurrency: string;
  runbookMaxErrors: string;
  /** Name of the central patch log bucket. For members, the bucket they write to. */
  logBucketName: string;
  /** Central only: days before patch logs expire. @default 365 */
  logRetentionDays: number;
  /**
   * Central only: AWS Organizations id of the fleet. The log bucket policy then grants by
   * organization (constant size) instead of listing every account. @default undefined
   */
  organizationId?: string;
  maintenanceWindows: { scan?: MaintenanceWindowSpec; install?: MaintenanceWindowSpec };
  /**
   * Resource Data Sync of every region into the central log bucket (fleet file
   * compliance.dataSync, stack config dataSyncBucketRegion and dataSyncSharing). `organization`:
   * an organization-based sync, as the bucket policy requires when the fleet has organizationId.
   * @default undefined (no sync)
   */
  dataSync?: { bucketRegion: string; organization: boolean };
  /** Alerts (docs/fleet-file.md "Notifications"). @default undefined (no alerts) */
  notifications?: NotificationsSpec;
  /** Tags added to every taggable resource. */
  tags: Record<string, string>;
  /** Central: log bucket key prefixes every fleet account may read (ring override lists). */
  logBucketReadPrefixes?: string[];
}
