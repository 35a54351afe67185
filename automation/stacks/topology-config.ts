/**
 * From the fleet to the AccountConfig of each of its stacks: the same validated model `index.ts`
 * builds from stack config, so a fleet deploy and a single-account deploy produce the same
 * topology. The central stack comes first; members reference the central account's names.
 */
import {
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_RUNBOOK_MAX_CONCURRENCY,
  DEFAULT_RUNBOOK_MAX_ERRORS,
} from "../../components/config";
import type { AccountConfig } from "../../components/types";
import type { Fleet, FleetAccount } from "../fleet/types";
import { ringTags, ringWindows } from "../fleet/ring-stack";
import { RING_OVERRIDE_PREFIX } from "../../components/log-bucket-policy";

function shared(
  fleet: Fleet,
  account: FleetAccount,
): Omit<AccountConfig, "role" | "memberAccountIds"> {
  const config: Omit<AccountConfig, "role" | "memberAccountIds"> = {
    accountId: account.account,
    regions: [...account.regions],
    centralAccountId: fleet.central.account,
    patchGroups: account.patchGroups,
    resourceGroupTag: { ...fleet.resourceGroupTag },
    resourceGroupName: fleet.resourceGroupName,
    administrationRoleName: fleet.administrationRoleName,
    executionRoleName: fleet.executionRoleName,
    runbookName: fleet.runbookName,
    runbookMaxConcurrency: fleet.runbookMaxConcurrency ?? DEFAULT_RUNBOOK_MAX_CONCURRENCY,
    runbookMaxErrors: fleet.runbookMaxErrors ?? DEFAULT_RUNBOOK_MAX_ERRORS,
    logBucketName: fleet.logBucketName,
    logRetentionDays: fleet.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
    maintenanceWindows: ringWindows(fleet, account.account),
    tags: { ...fleet.tags, ...ringTags(fleet, account.account) },
  };
  if (account.deployRole !== undefined) config.deployRoleArn = account.deployRole;
  if (fleet.notifications !== undefined) config.notifications = fleet.notifications;
  if (fleet.compliance?.dataSync === true) {
    config.dataSync = {
      bucketRegion: fleet.central.regions[0] as string,
      organization: fleet.organizationId !== undefined,
    };
  }
  return config;
}

/** The central account's config: administration role, shared runbook, log bucket. */
export function centralAccountConfig(fleet: Fleet): AccountConfig {
  const config: AccountConfig = {
    role: "central",
    ...shared(fleet, fleet.central),
    memberAccountIds: fleet.members.map((m) => m.account),
  };
  if (fleet.organizationId !== undefined) config.organizationId = fleet.organizationId;
  if (fleet.rings !== undefined) config.logBucketReadPrefixes = [RING_OVERRIDE_PREFIX];
  return config;
}

/** A member account's config: execution role trusting the central administration role. */
export function memberAccountConfig(fleet: Fleet, member: FleetAccount): AccountConfig {
  return { role: "member", ...shared(fleet, member), memberAccountIds: [] };
}

/**
 * The Pulumi stack name of an account: its fleet name (validated to the stack-name character set
 * by parseFleet), made safe again here for hand-built fleets, or the account id when nothing is
 * left. Deterministic: renaming an account in the fleet file means a new stack.
 */
export function stackName(account: FleetAccount): string {
  const safe = account.name
    .replace(/[^A-Za-z0-9_.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 100);
  return safe === "" ? account.account : safe;
}
