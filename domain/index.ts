/**
 * Domain facts about AWS Systems Manager Patch Manager that components, policies and fleet
 * operations all read. Keep AWS strings here, not scattered through the code.
 *
 * Sources:
 * - https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribePatchProperties.html
 * - https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html
 * - https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-predefined-and-custom-patch-baselines.html
 * - https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-multiple-accounts-regions.html
 */

/** Operating systems a patch baseline can target (`OperatingSystem` of CreatePatchBaseline). */
export const OPERATING_SYSTEMS = [
  "WINDOWS",
  "AMAZON_LINUX",
  "AMAZON_LINUX_2",
  "AMAZON_LINUX_2022",
  "AMAZON_LINUX_2023",
  "UBUNTU",
  "REDHAT_ENTERPRISE_LINUX",
  "SUSE",
  "CENTOS",
  "ORACLE_LINUX",
  "DEBIAN",
  "MACOS",
  "RASPBIAN",
  "ROCKY_LINUX",
  "ALMA_LINUX",
] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

export function isOperatingSystem(value: unknown): value is OperatingSystem {
  return typeof value === "string" && (OPERATING_SYSTEMS as readonly string[]).includes(value);
}

/** Compliance levels of approval rules and approved patches. */
export const COMPLIANCE_LEVELS = [
  "CRITICAL",
  "HIGH",
  "MEDIUM",
  "LOW",
  "INFORMATIONAL",
  "UNSPECIFIED",
] as const;
export type ComplianceLevel = (typeof COMPLIANCE_LEVELS)[number];

/** Rank of a compliance level: higher is more severe. UNSPECIFIED ranks lowest. */
export function complianceRank(level: string): number {
  const order: Record<string, number> = {
    CRITICAL: 5,
    HIGH: 4,
    MEDIUM: 3,
    LOW: 2,
    INFORMATIONAL: 1,
    UNSPECIFIED: 0,
  };
  return order[level] ?? -1;
}

export const REJECTED_PATCHES_ACTIONS = ["ALLOW_AS_DEPENDENCY", "BLOCK"] as const;
export type RejectedPatchesAction = (typeof REJECTED_PATCHES_ACTIONS)[number];

/** approveAfterDays bounds accepted by the SSM API. */
export const APPROVE_AFTER_DAYS_MIN = 0;
export const APPROVE_AFTER_DAYS_MAX = 360;

/**
 * Operating systems whose approval rules take neither ApproveAfterDays nor ApproveUntilDate:
 * PatchRule says of both "Not supported for Debian Server or Ubuntu Server" (every other OS must
 * set one of them). The page names no other OS, so Raspberry Pi OS keeps the general rule.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html
 */
export const NO_APPROVAL_DELAY_OPERATING_SYSTEMS: readonly OperatingSystem[] = ["UBUNTU", "DEBIAN"];

/** Whether approval rules of this OS take approveAfterDays/approveUntilDate (see above). */
export function supportsApprovalDelay(os: OperatingSystem): boolean {
  return !NO_APPROVAL_DELAY_OPERATING_SYSTEMS.includes(os);
}

/**
 * Filters in one patch filter group (an approval rule's, or the global filters): botocore's ssm
 * model, PatchFilterGroup.PatchFilters → PatchFilterList, max 4.
 */
export const MAX_FILTERS_PER_GROUP = 4;

/**
 * Filter keys valid in approval rules and global filters per operating system, and the values
 * AWS accepts for the keys whose values form a closed set. `undefined` values mean free-form (for
 * example PRODUCT names, which change as vendors ship releases). `*` is always accepted.
 */
export type FilterValues = readonly string[] | undefined;
export type FilterKeyTable = Readonly<Record<string, FilterValues>>;

const RPM_CLASSIFICATIONS = ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"];
const RHEL_SEVERITIES = ["Critical", "Important", "Moderate", "Low"];
const AMAZON_SEVERITIES = ["Critical", "Important", "Medium", "Low"];
const DEB_PRIORITIES = ["Required", "Important", "Standard", "Optional", "Extra"];

const rpmKeys = (severities: readonly string[]): FilterKeyTable => ({
  PRODUCT: undefined,
  CLASSIFICATION: RPM_CLASSIFICATIONS,
  SEVERITY: severities,
});
const debKeys: FilterKeyTable = {
  PRODUCT: undefined,
  PRIORITY: DEB_PRIORITIES,
  SECTION: undefined,
};

export const FILTER_KEYS: Readonly<Record<OperatingSystem, FilterKeyTable>> = {
  WINDOWS: {
    PATCH_SET: ["OS", "APPLICATION"],
    PRODUCT: undefined,
    PRODUCT_FAMILY: undefined,
    CLASSIFICATION: [
      "CriticalUpdates",
      "DefinitionUpdates",
      "Drivers",
      "FeaturePacks",
      "SecurityUpdates",
      "ServicePacks",
      "Tools",
      "UpdateRollups",
      "Updates",
      "Upgrades",
    ],
    MSRC_SEVERITY: ["Critical", "Important", "Moderate", "Low", "Unspecified"],
  },
  AMAZON_LINUX: rpmKeys(AMAZON_SEVERITIES),
  AMAZON_LINUX_2: rpmKeys(AMAZON_SEVERITIES),
  AMAZON_LINUX_2022: rpmKeys([...AMAZON_SEVERITIES, "None"]),
  AMAZON_LINUX_2023: rpmKeys([...AMAZON_SEVERITIES, "None"]),
  REDHAT_ENTERPRISE_LINUX: rpmKeys(RHEL_SEVERITIES),
  CENTOS: rpmKeys(RHEL_SEVERITIES),
  ORACLE_LINUX: rpmKeys(RHEL_SEVERITIES),
  ROCKY_LINUX: rpmKeys(RHEL_SEVERITIES),
  ALMA_LINUX: rpmKeys(RHEL_SEVERITIES),
  SUSE: {
    PRODUCT: undefined,
    CLASSIFICATION: ["Security", "Recommended", "Optional", "Feature", "Document", "Yast"],
    SEVERITY: RHEL_SEVERITIES,
  },
  UBUNTU: debKeys,
  DEBIAN: debKeys,
  RASPBIAN: debKeys,
  MACOS: { PRODUCT: undefined, CLASSIFICATION: undefined },
};

/** Operating systems whose baselines may carry alternative patch `sources` (Linux only). */
export function supportsPatchSources(os: OperatingSystem): boolean {
  return os !== "WINDOWS" && os !== "MACOS";
}

/**
 * What "covers security and critical patches" means per OS, used by the baseline-quality policy:
 * each entry is a filter key and the values of which at least one must be selected (or the key is
 * absent, or `*`, which selects everything).
 */
export interface SecurityCoverage {
  readonly key: string;
  readonly anyOf: readonly string[];
}
export function securityCoverage(os: OperatingSystem): readonly SecurityCoverage[] {
  switch (os) {
    case "WINDOWS":
      return [
        { key: "CLASSIFICATION", anyOf: ["SecurityUpdates", "CriticalUpdates"] },
        { key: "MSRC_SEVERITY", anyOf: ["Critical"] },
      ];
    case "UBUNTU":
    case "DEBIAN":
    case "RASPBIAN":
      return [{ key: "PRIORITY", anyOf: ["Required", "Important"] }];
    case "MACOS":
      return [];
    default:
      return [
        { key: "CLASSIFICATION", anyOf: ["Security"] },
        { key: "SEVERITY", anyOf: ["Critical"] },
      ];
  }
}

/** Tag keys that assign an instance to a patch group. */
export const DEFAULT_PATCH_TAG_KEYS = ["PatchGroup", "Patch Group"] as const;

/** The example tag of the classic workflow's resource group. */
export const DEFAULT_RESOURCE_GROUP_TAG = { key: "ssm-linuxpatching", value: "True" } as const;

/** Role names AWS documents for multi-account, multi-Region automation. */
export const DEFAULT_ADMINISTRATION_ROLE_NAME = "AWS-SystemsManager-AutomationAdministrationRole";
export const DEFAULT_EXECUTION_ROLE_NAME = "AWS-SystemsManager-AutomationExecutionRole";

/** The command document Patch Manager runs on every node. */
export const RUN_PATCH_BASELINE_DOCUMENT = "AWS-RunPatchBaseline";
export const PATCH_OPERATIONS = ["Scan", "Install"] as const;
export type PatchOperation = (typeof PATCH_OPERATIONS)[number];
export const REBOOT_OPTIONS = ["RebootIfNeeded", "NoReboot"] as const;
export type RebootOption = (typeof REBOOT_OPTIONS)[number];

/** Commercial, GovCloud and China regions with Systems Manager. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "cn-north-1",
  "cn-northwest-1",
] as const;
export type AwsRegion = (typeof AWS_REGIONS)[number];

export function isAwsRegion(value: unknown): value is AwsRegion {
  return typeof value === "string" && (AWS_REGIONS as readonly string[]).includes(value);
}

/** The ARN partition of a region. */
export function partitionOf(region: string): "aws" | "aws-us-gov" | "aws-cn" {
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("cn-")) return "aws-cn";
  return "aws";
}

export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;

/** Every status an automation execution can report (AutomationExecutionStatus). */
export const AUTOMATION_STATUSES = [
  "Pending",
  "InProgress",
  "Waiting",
  "Success",
  "TimedOut",
  "Cancelling",
  "Cancelled",
  "Failed",
  "PendingApproval",
  "Approved",
  "Rejected",
  "Scheduled",
  "RunbookInProgress",
  "PendingChangeCalendarOverride",
  "ChangeCalendarOverrideApproved",
  "ChangeCalendarOverrideRejected",
  "CompletedWithSuccess",
  "CompletedWithFailure",
  "Exited",
] as const;
export type AutomationStatus = (typeof AUTOMATION_STATUSES)[number];

/** Report states of one target, shared by the rollout runner and fleet operations. */
export const TARGET_STATES = ["SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED"] as const;
export type TargetState = (typeof TARGET_STATES)[number];

export { InputError, OperationError, issueLine, type InputIssue } from "./errors";
export {
  APPROVED_BASELINE_POLICY,
  CENTRAL_OUTPUTS,
  TOPOLOGY_COMPONENT_NAME,
  TOPOLOGY_OUTPUTS,
  TOPOLOGY_TYPE,
  type CentralOutputName,
  type TopologyOutputName,
} from "./contracts";

/**
 * Run Command statuses a maintenance window task can notify on (NotificationConfig's
 * NotificationEvents; botocore ssm model, shape NotificationEvent).
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_NotificationConfig.html
 */
export const COMMAND_NOTIFICATION_EVENTS = [
  "All",
  "InProgress",
  "Success",
  "TimedOut",
  "Cancelled",
  "Failed",
] as const;
export type CommandNotificationEvent = (typeof COMMAND_NOTIFICATION_EVENTS)[number];

/**
 * The EventBridge event Systems Manager sends when an automation execution changes status; its
 * `detail.Status` is an AutomationExecutionStatus.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ssm.html
 */
export const AUTOMATION_EXECUTION_EVENT = {
  source: "aws.ssm",
  detailType: "EC2 Automation Execution Status-change Notification",
} as const;
