/**
 * `compliance`: the patch state of every member account-region, read with each member's read role,
 * as one report (per instance, per patch group, per target and fleet totals).
 */
import {
  GetPatchBaselineCommand,
  paginateDescribeInstanceInformation,
  paginateDescribeInstancePatchStates,
  paginateDescribeInstancePatches,
  InstanceInformation,
  InstancePatchState,
  SSMClient,
} from "@aws-sdk/client-ssm";
import type { Fleet } from "../fleet/types";
import { AwsOptions, AwsSessions } from "./aws";
import { accountRegions, errorText, mapBounded } from "./util";
import { defaultComplianceSettings } from "../fleet/compliance-settings";
import { PatchCatalog } from "./patch-catalog";
import { SlaSummary, TargetSla, assessTarget, fleetSla } from "./patch-age";

export interface InstanceCompliance {
  instanceId: string;
  name?: string;
  platform?: string;
  patchGroup: string;
  baselineId?: string;
  installed: number;
  installedPendingReboot: number;
  missing: number;
  failed: number;
  criticalNonCompliant: number;
  securityNonCompliant: number;
  /** OtherNonCompliantCount: patches other than Critical or Security that are not compliant. */
  otherNonCompliant: number;
  /** AvailableSecurityUpdateCount (Windows Server): security patches available but not approved. */
  availableSecurityUpdates: number;
  /**
   * COMPLIANT or NON_COMPLIANT by Patch Manager's rules; NO_DATA when the node never reported a
   * patch state; UNKNOWN when it depends on a baseline setting that could not be read.
   */
  state: "COMPLIANT" | "NON_COMPLIANT" | "NO_DATA" | "UNKNOWN";
  /** state === "COMPLIANT". */
  compliant: boolean;
  lastOperation?: string;
  lastOperationTime?: string;
  /** Titles of missing and failed patches (up to `detailLimit` per instance). */
  missingPatches: string[];
  failedPatches: string[];
  /** The SSM agent's PingStatus from DescribeInstanceInformation. */
  pingStatus?: string;
}

export interface Totals {
  instances: number;
  compliant: number;
  nonCompliant: number;
  /** Managed nodes that never reported a patch state: neither compliant nor non-compliant. */
  noData: number;
  /** Nodes whose state depends on a baseline setting patchfleet could not read. */
  unknown: number;
  installed: number;
  missing: number;
  failed: number;
  criticalNonCompliant: number;
  securityNonCompliant: number;
}

export interface PatchGroupCompliance extends Totals {
  patchGroup: string;
}

export interface TargetCompliance {
  account: string;
  name: string;
  region: string;
  /**
   * SUCCEEDED when read; FAILED when it could not be read; SKIPPED when no read role is set;
   * CANCELLED when an interrupt came before it was started.
   */
  state: "SUCCEEDED" | "FAILED" | "SKIPPED" | "CANCELLED";
  reason: string;
  totals: Totals;
  patchGroups: PatchGroupCompliance[];
  instances: InstanceCompliance[];
  lastOperation?: string;
  lastOperationTime?: string;
  /** SSM calls made for this target, one per page (retries not counted). */
  apiCalls: number;
  /** Patch age against the SLA (automation/ops/patch-age.ts), when read. */
  sla?: TargetSla;
}

export interface ComplianceReport {
  kind: "compliance";
  runId: string;
  generatedAt: string;
  /** True when an interrupt left some targets unread (state CANCELLED). */
  interrupted: boolean;
  totals: Totals & { targets: number; targetsRead: number; targetsFailed: number };
  targets: TargetCompliance[];
  /** Fleet-wide SLA summary and the SLA days used (automation/ops/patch-age.ts). */
  sla?: {
    slaDays: Record<string, number>;
    maxScanAgeDays: number;
    summary: SlaSummary;
    patchGroups: (SlaSummary & { patchGroup: string })[];
    /** DescribeAvailablePatches pages read (the catalog is cached per run). */
    catalogCalls: number;
  };
}

export interface ComplianceOptions {
  fleet: Fleet;
  runId: string;
  aws?: Omit<AwsOptions, "runId">;
  /** Account-regions read at the same time. @default 8 */
  concurrency?: number;
  /** Missing/failed patch titles listed per non-compliant instance; 0 skips those calls. @default 20 */
  detailLimit?: number;
  now?: () => Date;
  /** Aborting stops starting new targets; targets already being read finish. */
  signal?: AbortSignal;
  /** "Still waiting" lines of calls that take long. */
  progress?: (line: string) => void;
  /**
   * Read every missing/failed patch and measure its age against the SLA.
   * @default true when the fleet has compliance settings (parseFleet always sets them)
   */
  sla?: boolean;
  /** Also read installed patches to measure mean time to patch. @default false */
  meanTimeToPatch?: boolean;
}

/** SSM's largest page for these calls. */
const PAGE = 50;
const NO_GROUP = "(no patch group)";

export function emptyTotals(): Totals {
  return {
    instances: 0,
    compliant: 0,
    nonCompliant: 0,
    noData: 0,
    unknown: 0,
    installed: 0,
    missing: 0,
    failed: 0,
    criticalNonCompliant: 0,
    securityNonCompliant: 0,
  };
}

function addInstance(t: Totals, i: InstanceCompliance): void {
  t.instances += 1;
  if (i.state === "COMPLIANT") t.compliant += 1;
  else if (i.state === "NON_COMPLIANT") t.nonCompliant += 1;
  else if (i.state === "NO_DATA") t.noData += 1;
  else t.unknown += 1;
  t.installed += i.installed;
  t.missing += i.missing;
  t.failed += i.failed;
  t.criticalNonCompliant += i.criticalNonCompliant;
  t.securityNonCompliant += i.securityNonCompliant;
}

const TOTAL_KEYS = Object.keys(emptyTotals()) as (keyof Totals)[];

/** Adds `o`'s counts to `t` (`o` may carry other fields, e.g. a patch group's name). */
export function addTotals(t: Totals, o: Totals): void {
  for (const k of TOTAL_KEYS) t[k] += o[k];
}

/**
 * One node's compliance by Patch Manager's documented rules:
 * - installed-pending-reboot, installed-rejected, missing and failed patches are Non-Compliant
 *   ("Patch compliance state values", Systems Manager user guide);
 * - CriticalNonCompliantCount, SecurityNonCompliantCount and OtherNonCompliantCount > 0: "The status
 *   of these managed nodes is NON_COMPLIANT" (InstancePatchState, API reference);
 * - AvailableSecurityUpdateCount > 0 counts as the baseline's AvailableSecurityUpdatesComplianceStatus
 *   says, COMPLIANT or NON_COMPLIANT (CreatePatchBaseline / GetPatchBaseline, API reference);
 *   `availableStatus` is that setting, or undefined when it could not be read.
 */
function toInstance(
  info: InstanceInformation | undefined,
  s: InstancePatchState,
  availableStatus: string | undefined,
): InstanceCompliance {
  const missing = s.MissingCount ?? 0;
  const failed = s.FailedCount ?? 0;
  const pendingReboot = s.InstalledPendingRebootCount ?? 0;
  const rejected = s.InstalledRejectedCount ?? 0;
  const critical = s.CriticalNonCompliantCount ?? 0;
  const security = s.SecurityNonCompliantCount ?? 0;
  const other = s.OtherNonCompliantCount ?? 0;
  const available = s.AvailableSecurityUpdateCount ?? 0;
  const nonCompliant =
    missing + failed + pendingReboot + rejected + critical + security + other > 0;
  const state: InstanceCompliance["state"] = nonCompliant
    ? "NON_COMPLIANT"
    : available === 0
      ? "COMPLIANT"
      : availableStatus === "NON_COMPLIANT"
        ? "NON_COMPLIANT"
        : availableStatus === "COMPLIANT"
          ? "COMPLIANT"
          : "UNKNOWN";
  return {
    instanceId: s.InstanceId ?? "",
    ...(info?.ComputerName ? { name: info.ComputerName } : {}),
    ...(info?.PlatformName ? { platform: info.PlatformName } : {}),
    ...(info?.PingStatus ? { pingStatus: info.PingStatus } : {}),
    patchGroup: s.PatchGroup || NO_GROUP,
    ...(s.BaselineId ? { baselineId: s.BaselineId } : {}),
    installed: s.InstalledCount ?? 0,
    installedPendingReboot: pendingReboot,
    missing,
    failed,
    criticalNonCompliant: critical,
    securityNonCompliant: security,
    otherNonCompliant: other,
    availableSecurityUpdates: available,
    state,
    compliant: state === "COMPLIANT",
    ...(s.Operation ? { lastOperation: s.Operation } : {}),
    ...(s.OperationEndTime ? { lastOperationTime: s.OperationEndTime.toISOString() } : {}),
    missingPatches: [],
    failedPatches: [],
  };
}

/** A node that never reported a patch state: "no data", neither compliant nor non-compliant. */
function noData(info: InstanceInformation, id: string): InstanceCompliance {
  return {
    ...toInstance(info, { InstanceId: id } as InstancePatchState, undefined),
    state: "NO_DATA",
    compliant: false,
  };
}

/** The baseline's AvailableSecurityUpdatesComplianceStatus, or undefined when unreadable. */
async function availableStatusOf(
  ssm: SSMClient,
  baselineId: string,
  cache: Map<string, Promise<string | undefined>>,
): Promise<string | undefined> {
  let pending = cache.get(baselineId);
  if (!pending) {
    pending = ssm
      .send(new GetPatchBaselineCommand({ BaselineId: baselineId }))
      .then((b) => b.AvailableSecurityUpdatesComplianceStatus)
      .catch(() => undefined);
    cache.set(baselineId, pending);
  }
  return pending;
}

async function patchTitles(
  ssm: SSMClient,
  instanceId: string,
  limit: number,
): Promise<{ missing: string[]; failed: string[] }> {
  const missing: string[] = [];
  const failed: string[] = [];
  for await (const page of paginateDescribeInstancePatches(
    { client: ssm, pageSize: PAGE },
    { InstanceId: instanceId, Filters: [{ Key: "State", Values: ["Missing", "Failed"] }] },
  )) {
    for (const p of page.Patches ?? []) {
      const title = p.KBId ? `${p.KBId} ${p.Title ?? ""}`.trim() : (p.Title ?? "(untitled)");
      if (p.State === "FAILED") failed.push(title);
      else missing.push(title);
    }
    if (missing.length + failed.length >= limit) break;
  }
  return { missing: missing.slice(0, limit), failed: failed.slice(0, limit) };
}

/** Reads one account-region: instances (paged), their patch states (paged by 50 ids), details. */
async function readTarget(ssm: SSMClient, detailLimit: number): Promise<InstanceCompliance[]> {
  const instances: InstanceCompliance[] = [];
  const seen = new Set<string>();
  const baselines = new Map<string, Promise<string | undefined>>();
  for await (const page of paginateDescribeInstanceInformation(
    { client: ssm, pageSize: PAGE },
    {},
  )) {
    const infos = new Map<string, InstanceInformation>();
    for (const info of page.InstanceInformationList ?? []) {
      if (info.InstanceId && !seen.has(info.InstanceId)) {
        seen.add(info.InstanceId);
        infos.set(info.InstanceId, info);
      }
    }
    if (infos.size === 0) continue;
    for await (const states of paginateDescribeInstancePatchStates(
      { client: ssm, pageSize: PAGE },
      { InstanceIds: [...infos.keys()] },
    )) {
      for (const s of states.InstancePatchStates ?? []) {
        if (s.InstanceId && infos.has(s.InstanceId)) {
          const available =
            (s.AvailableSecurityUpdateCount ?? 0) > 0 && s.BaselineId
              ? await availableStatusOf(ssm, s.BaselineId, baselines)
              : undefined;
          instances.push(toInstance(infos.get(s.InstanceId), s, available));
          // One state per instance, even if a page repeats one.
          infos.delete(s.InstanceId);
        }
      }
    }
    for (const [id, info] of infos) instances.push(noData(info, id));
  }
  if (detailLimit > 0) {
    for (const i of instances) {
      if (i.missing + i.failed === 0) continue;
      const titles = await patchTitles(ssm, i.instanceId, detailLimit);
      i.missingPatches = titles.missing;
      i.failedPatches = titles.failed;
    }
  }
  return instances.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
}

function groupsOf(instances: readonly InstanceCompliance[]): PatchGroupCompliance[] {
  const groups = new Map<string, PatchGroupCompliance>();
  for (const i of instances) {
    let g = groups.get(i.patchGroup);
    if (!g) {
      g = { patchGroup: i.patchGroup, ...emptyTotals() };
      groups.set(i.patchGroup, g);
    }
    addInstance(g, i);
  }
  return [...groups.values()].sort((a, b) => a.patchGroup.localeCompare(b.patchGroup));
}

export async function gatherCompliance(options: ComplianceOptions): Promise<ComplianceReport> {
  const { fleet } = options;
  const now = options.now ?? (() => new Date());
  const concurrency = options.concurrency ?? 8;
  const aws = new AwsSessions({
    ...(options.progress ? { progress: options.progress } : {}),
    // Every target of a region may have a request open at once.
    maxSockets: Math.max(50, concurrency),
    // Each account-region has its own client and reads its pages one after another.
    cacheReadMiddleware: true,
    ...options.aws,
    runId: options.runId,
  });
  const detailLimit = options.detailLimit ?? 20;
  const slaOn = options.sla ?? fleet.compliance !== undefined;
  const settings = fleet.compliance ?? defaultComplianceSettings();
  const catalog = new PatchCatalog();
  const work: {
    account: string;
    name: string;
    region: string;
    roleArn?: string;
    externalId?: string;
  }[] = [];
  for (const { member: m, region } of accountRegions(fleet.members)) {
    work.push({
      account: m.account,
      name: m.name,
      region,
      roleArn: m.readRole,
      externalId: m.externalId,
    });
  }
  try {
    const targets = await mapBounded(work, concurrency, async (w) => {
      const base = {
        account: w.account,
        name: w.name,
        region: w.region,
        totals: emptyTotals(),
        patchGroups: [] as PatchGroupCompliance[],
        instances: [] as InstanceCompliance[],
      };
      if (options.signal?.aborted) {
        return {
          ...base,
          state: "CANCELLED" as const,
          reason: "not read: interrupted before this target started",
          apiCalls: 0,
        };
      }
      if (w.roleArn === undefined) {
        return {
          ...base,
          state: "SKIPPED" as const,
          reason: `no readRole for account ${w.account}; add members[].readRole to the fleet file`,
          apiCalls: 0,
        };
      }
      try {
        const ssm = await aws.ssm(
          { account: w.account, roleArn: w.roleArn, externalId: w.externalId },
          w.region,
          "read",
        );
        // With the SLA on, its per-patch read also fills the titles: one read per node.
        const instances = await readTarget(ssm, slaOn ? 0 : detailLimit);
        const sla = slaOn
          ? await assessTarget(ssm, instances, {
              settings,
              catalog,
              region: w.region,
              now: now(),
              detailLimit,
              meanTimeToPatch: options.meanTimeToPatch,
            })
          : undefined;
        const totals = emptyTotals();
        for (const i of instances) addInstance(totals, i);
        const last = instances
          .filter((i) => i.lastOperationTime !== undefined)
          .sort((a, b) => (a.lastOperationTime! < b.lastOperationTime! ? 1 : -1))[0];
        return {
          ...base,
          state: "SUCCEEDED" as const,
          reason: `${instances.length} managed node(s) read`,
          totals,
          patchGroups: groupsOf(instances),
          instances,
          ...(last
            ? { lastOperation: last.lastOperation, lastOperationTime: last.lastOperationTime }
            : {}),
          apiCalls: aws.calls.get(`${w.account}|${w.region}`),
          ...(sla ? { sla } : {}),
        };
      } catch (err) {
        return {
          ...base,
          state: "FAILED" as const,
          reason: `could not read ${w.account}/${w.region}: ${errorText(err)}`,
          apiCalls: aws.calls.get(`${w.account}|${w.region}`),
        };
      }
    });
    const totals = { ...emptyTotals(), targets: targets.length, targetsRead: 0, targetsFailed: 0 };
    for (const t of targets) {
      addTotals(totals, t.totals);
      if (t.state === "SUCCEEDED") totals.targetsRead += 1;
      if (t.state === "FAILED") totals.targetsFailed += 1;
    }
    return {
      kind: "compliance",
      runId: options.runId,
      generatedAt: now().toISOString(),
      interrupted: targets.some((t) => t.state === "CANCELLED"),
      totals,
      targets,
      ...(slaOn
        ? {
            sla: {
              slaDays: settings.slaDays,
              maxScanAgeDays: settings.maxScanAgeDays,
              ...fleetSla(targets.map((t: TargetCompliance) => t.sla)),
              catalogCalls: catalog.calls,
            },
          }
        : {}),
    };
  } finally {
    aws.destroy();
  }
}
