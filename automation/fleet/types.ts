/**
 * The validated fleet file. `parseFleet` (automation/fleet/parse-fleet.ts) produces it; the runner, the offline
 * check and fleet operations consume it. Plain data only.
 */
import type {
  MaintenanceWindowSpec,
  NotificationsSpec,
  PatchGroupSpec,
} from "../../components/types";
import type { ComplianceSettings } from "./compliance-settings";
import type { Freeze, Ring } from "./rings-settings";

/** A count ("3") or a percentage ("25%") of targets. */
export type CountOrPercent = { kind: "count"; value: number } | { kind: "percent"; value: number };

export interface FleetAccount {
  /** 12-digit account id, always a string. */
  account: string;
  /** Human name; stack names derive from it. Defaults to the account id. */
  name: string;
  regions: string[];
  /** Role ARN the deploying credentials assume to deploy this account's stack. */
  deployRole?: string;
  /** Role ARN patchfleet assumes to read this account (compliance, preflight). */
  readRole?: string;
  /** Central only: role ARN patchfleet assumes to start and follow patch automations. When absent,
   * the caller's own credentials must already be in the central account. */
  operationsRole?: string;
  /** ExternalId passed when assuming deployRole/readRole/operationsRole. */
  externalId?: string;
  /** Patch groups for this account: the fleet's patchGroups with per-account overrides applied. */
  patchGroups: Record<string, PatchGroupSpec>;
}

export interface Fleet {
  /** Source file path, for messages. */
  file: string;
  /** Pulumi project name of the topology stacks. @default "patchfleet" */
  project: string;
  central: FleetAccount;
  members: FleetAccount[];
  /** Tag that selects instances for patching in every account. */
  resourceGroupTag: { key: string; value: string };
  /** Physical resource group name in every account-region. @default "patchfleet-patch-targets" */
  resourceGroupName: string;
  administrationRoleName: string;
  executionRoleName: string;
  runbookName: string;
  /** Rate control of the runbook's aws:runCommand step. Always set by parseFleet.
   * @default "10%" */
  runbookMaxConcurrency?: string;
  /** @default "5%" */
  runbookMaxErrors?: string;
  /** Central patch log bucket name. */
  logBucketName: string;
  /** Days before central patch logs expire. Always set by parseFleet. @default 365 */
  logRetentionDays?: number;
  /** AWS Organizations id of the fleet: the log bucket policy grants by organization. */
  organizationId?: string;
  maintenanceWindows: { scan?: MaintenanceWindowSpec; install?: MaintenanceWindowSpec };
  rollout: {
    maxConcurrent: CountOrPercent;
    failureTolerance: CountOrPercent;
    /** Optional explicit region order; regions are rolled out one after another. */
    regionOrder?: string[];
  };
  /** Pulumi state backend URL. @default "file://./.patchfleet/state" relative to the fleet file */
  backend: string;
  /** Secrets provider for stacks, e.g. "awskms://alias/patchfleet". @default passphrase */
  secretsProvider?: string;
  tags: Record<string, string>;
  /** SLA days per severity, scan age limit, history (docs/fleet-file.md "Compliance"). Always set
   * by parseFleet; a Fleet built in code without it gets no SLA report unless asked for. */
  compliance?: ComplianceSettings;
  /** Ordered patch rings (docs/fleet-file.md "Rings"); absent when the file has none. */
  rings?: Ring[];
  /** Install freezes (docs/fleet-file.md "Freezes"). Always set by parseFleet. @default [] */
  freezes?: Freeze[];
  /** Alerts (docs/fleet-file.md "Notifications"). @default undefined (no alerts) */
  notifications?: NotificationsSpec;
}
