/**
 * Patch age against the fleet's SLA: every missing or failed patch of every node with its severity,
 * classification, CVE ids, release date (SSM's patch catalog), age and whether it breaches the SLA;
 * every node's last scan and agent status; and summaries per account-region, patch group and fleet.
 *
 * Sources: DescribeInstancePatches returns PatchComplianceData (Title, KBId, Classification,
 * Severity, State, InstalledTime, CVEIds; botocore model test/aws-models/ssm.json), filters
 * Classification | KBId | Severity | State, MaxResults 10–100
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeInstancePatches.html).
 */
import {
  DescribeInstancePatchesCommand,
  PatchComplianceData,
  SSMClient,
} from "@aws-sdk/client-ssm";
import type { ComplianceSettings } from "../fleet/compliance-settings";
import { PatchCatalog, catalogQuery } from "./patch-catalog";

const DAY_MS = 86_400_000;
/** DescribeInstancePatches' largest page. */
const PATCH_PAGE = 100;

export interface PatchFinding {
  instanceId: string;
  patchGroup: string;
  title: string;
  kbId: string;
  classification: string;
  severity: string;
  state: "MISSING" | "FAILED";
  cveIds: string[];
  /** From SSM's patch catalog; absent when the catalog does not know the patch. */
  releaseDate?: string;
  /** Whole days since the release date. */
  ageDays?: number;
  /** The SLA for this severity; absent when the fleet sets none. */
  slaDays?: number;
  /** Release date + SLA. */
  dueDate?: string;
  breach: boolean;
  /** Why the age is unknown, when it is. */
  note?: string;
}

export interface NodeFreshness {
  instanceId: string;
  patchGroup: string;
  /** End of the node's last patch operation (Scan or Install), as SSM reports it. */
  lastScanTime?: string;
  scanAgeDays?: number;
  /** No scan at all, or the last one is older than compliance.maxScanAgeDays. */
  stale: boolean;
  /** The SSM agent's PingStatus (Online | ConnectionLost | Inactive). */
  pingStatus?: string;
  agentOnline: boolean;
}

export interface SlaSummary {
  /** Missing and failed patches seen. */
  findings: number;
  breaches: number;
  breachesBySeverity: Record<string, number>;
  /** Findings whose age is unknown (no release date in SSM's catalog). */
  unknownAge: number;
  oldestBreach?: {
    instanceId: string;
    title: string;
    severity: string;
    ageDays: number;
    releaseDate: string;
  };
  nodes: number;
  staleNodes: number;
  offlineNodes: number;
  /** Mean days from release to install over installed patches with both dates (--mean-time-to-patch). */
  meanTimeToPatchDays?: number;
  meanTimeToPatchSamples: number;
  /** Sum behind the mean, so summaries can be added up. */
  timeToPatchDaysTotal: number;
}

export interface TargetSla {
  summary: SlaSummary;
  patchGroups: (SlaSummary & { patchGroup: string })[];
  /** Breaches first (oldest first), then the rest by age. */
  findings: PatchFinding[];
  nodes: NodeFreshness[];
}

/** The subset of an instance's compliance record the SLA needs. */
export interface SlaNode {
  instanceId: string;
  patchGroup: string;
  missing: number;
  failed: number;
  lastOperationTime?: string;
  pingStatus?: string;
  missingPatches: string[];
  failedPatches: string[];
}

export interface AssessOptions {
  settings: ComplianceSettings;
  catalog: PatchCatalog;
  region: string;
  now: Date;
  /** Titles kept per node in missingPatches/failedPatches. */
  detailLimit: number;
  /** Also read installed patches, to measure the days from release to install. */
  meanTimeToPatch?: boolean;
}

export function emptySla(): SlaSummary {
  return {
    findings: 0,
    breaches: 0,
    breachesBySeverity: {},
    unknownAge: 0,
    nodes: 0,
    staleNodes: 0,
    offlineNodes: 0,
    meanTimeToPatchSamples: 0,
    timeToPatchDaysTotal: 0,
  };
}

function wholeDays(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / DAY_MS);
}

/** Adds `o` into `t` (breach counts, oldest breach, node counts, time-to-patch). */
export function addSla(t: SlaSummary, o: SlaSummary): void {
  t.findings += o.findings;
  t.breaches += o.breaches;
  for (const [s, n] of Object.entries(o.breachesBySeverity)) {
    t.breachesBySeverity[s] = (t.breachesBySeverity[s] ?? 0) + n;
  }
  t.unknownAge += o.unknownAge;
  if (o.oldestBreach && (!t.oldestBreach || o.oldestBreach.ageDays > t.oldestBreach.ageDays)) {
    t.oldestBreach = { ...o.oldestBreach };
  }
  t.nodes += o.nodes;
  t.staleNodes += o.staleNodes;
  t.offlineNodes += o.offlineNodes;
  t.meanTimeToPatchSamples += o.meanTimeToPatchSamples;
  t.timeToPatchDaysTotal += o.timeToPatchDaysTotal;
  finishSla(t);
}

function finishSla(t: SlaSummary): void {
  if (t.meanTimeToPatchSamples > 0) {
    t.meanTimeToPatchDays =
      Math.round((t.timeToPatchDaysTotal / t.meanTimeToPatchSamples) * 10) / 10;
  } else delete t.meanTimeToPatchDays;
}

function addFinding(t: SlaSummary, f: PatchFinding): void {
  t.findings += 1;
  if (f.ageDays === undefined) t.unknownAge += 1;
  if (!f.breach) return;
  t.breaches += 1;
  t.breachesBySeverity[f.severity] = (t.breachesBySeverity[f.severity] ?? 0) + 1;
  if (!t.oldestBreach || f.ageDays! > t.oldestBreach.ageDays) {
    t.oldestBreach = {
      instanceId: f.instanceId,
      title: f.title,
      severity: f.severity,
      ageDays: f.ageDays!,
      releaseDate: f.releaseDate!,
    };
  }
}

function addNode(t: SlaSummary, n: NodeFreshness): void {
  t.nodes += 1;
  if (n.stale) t.staleNodes += 1;
  if (!n.agentOnline) t.offlineNodes += 1;
}

/** Every patch of one node in the given states (DescribeInstancePatches, paged). */
async function nodePatches(
  ssm: SSMClient,
  instanceId: string,
  states: string[],
): Promise<PatchComplianceData[]> {
  const out: PatchComplianceData[] = [];
  let token: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeInstancePatchesCommand({
        InstanceId: instanceId,
        Filters: [{ Key: "State", Values: states }],
        MaxResults: PATCH_PAGE,
        NextToken: token,
      }),
    );
    out.push(...(page.Patches ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

/** CVEIds is one string in the API (shape PatchCVEIds); split it on commas and spaces. */
export function splitCves(raw: string | undefined): string[] {
  return (raw ?? "").split(/[\s,]+/).filter((s) => s !== "");
}

function titleOf(p: PatchComplianceData): string {
  return p.KBId && p.Title && !p.Title.includes(p.KBId)
    ? `${p.KBId} ${p.Title}`
    : (p.Title ?? p.KBId ?? "(untitled)");
}

/**
 * Reads the missing and failed patches of every node that has any, dates them from the catalog,
 * and measures them against the SLA. Fills each node's missingPatches/failedPatches titles too, so
 * DescribeInstancePatches is called once per node page.
 */
export async function assessTarget(
  ssm: SSMClient,
  nodes: SlaNode[],
  o: AssessOptions,
): Promise<TargetSla> {
  const findings: PatchFinding[] = [];
  const freshness: NodeFreshness[] = [];
  const groups = new Map<string, SlaSummary & { patchGroup: string }>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) {
      g = { patchGroup: name, ...emptySla() };
      groups.set(name, g);
    }
    return g;
  };
  const summary = emptySla();
  for (const node of nodes) {
    const last = node.lastOperationTime ? new Date(node.lastOperationTime) : undefined;
    const scanAgeDays = last ? wholeDays(last, o.now) : undefined;
    const fresh: NodeFreshness = {
      instanceId: node.instanceId,
      patchGroup: node.patchGroup,
      ...(node.lastOperationTime ? { lastScanTime: node.lastOperationTime } : {}),
      ...(scanAgeDays !== undefined ? { scanAgeDays } : {}),
      stale: scanAgeDays === undefined || scanAgeDays > o.settings.maxScanAgeDays,
      ...(node.pingStatus ? { pingStatus: node.pingStatus } : {}),
      agentOnline: node.pingStatus === "Online",
    };
    freshness.push(fresh);
    addNode(summary, fresh);
    addNode(group(node.patchGroup), fresh);

    const wanted = node.missing + node.failed > 0;
    if (!wanted && !o.meanTimeToPatch) continue;
    const states = [
      ...(wanted ? ["Missing", "Failed"] : []),
      ...(o.meanTimeToPatch ? ["Installed"] : []),
    ];
    const patches = await nodePatches(ssm, node.instanceId, states);
    const missingTitles: string[] = [];
    const failedTitles: string[] = [];
    for (const p of patches) {
      const state = p.State;
      const q = catalogQuery(p.KBId ?? "", p.Title ?? "");
      const release = "unknown" in q ? undefined : await o.catalog.releaseDate(ssm, o.region, q);
      if (state === "INSTALLED") {
        if (release && p.InstalledTime && p.InstalledTime.getTime() > 0) {
          const d = Math.max(0, (p.InstalledTime.getTime() - release.getTime()) / DAY_MS);
          for (const t of [summary, group(node.patchGroup)]) {
            t.meanTimeToPatchSamples += 1;
            t.timeToPatchDaysTotal += d;
          }
        }
        continue;
      }
      if (state !== "MISSING" && state !== "FAILED") continue;
      const title = titleOf(p);
      (state === "FAILED" ? failedTitles : missingTitles).push(title);
      const severity = p.Severity || "Unspecified";
      const sla = o.settings.slaDays[severity];
      const ageDays = release ? wholeDays(release, o.now) : undefined;
      const f: PatchFinding = {
        instanceId: node.instanceId,
        patchGroup: node.patchGroup,
        title: p.Title ?? "",
        kbId: p.KBId ?? "",
        classification: p.Classification ?? "",
        severity,
        state,
        cveIds: splitCves(p.CVEIds),
        ...(release ? { releaseDate: release.toISOString() } : {}),
        ...(ageDays !== undefined ? { ageDays } : {}),
        ...(sla !== undefined ? { slaDays: sla } : {}),
        ...(release && sla !== undefined
          ? { dueDate: new Date(release.getTime() + sla * DAY_MS).toISOString() }
          : {}),
        breach: ageDays !== undefined && sla !== undefined && ageDays > sla,
        ...("unknown" in q
          ? { note: q.unknown }
          : release === undefined
            ? { note: "no release date: the patch is not in SSM's patch catalog" }
            : {}),
      };
      findings.push(f);
      addFinding(summary, f);
      addFinding(group(node.patchGroup), f);
    }
    if (wanted) {
      node.missingPatches = missingTitles.slice(0, o.detailLimit);
      node.failedPatches = failedTitles.slice(0, o.detailLimit);
    }
  }
  finishSla(summary);
  for (const g of groups.values()) finishSla(g);
  findings.sort(
    (a, b) =>
      Number(b.breach) - Number(a.breach) ||
      (b.ageDays ?? -1) - (a.ageDays ?? -1) ||
      a.instanceId.localeCompare(b.instanceId) ||
      a.title.localeCompare(b.title),
  );
  return {
    summary,
    patchGroups: [...groups.values()].sort((a, b) => a.patchGroup.localeCompare(b.patchGroup)),
    findings,
    nodes: freshness,
  };
}

/** Fleet-wide SLA: the targets' summaries added up, overall and per patch group. */
export function fleetSla(targets: readonly (TargetSla | undefined)[]): {
  summary: SlaSummary;
  patchGroups: (SlaSummary & { patchGroup: string })[];
} {
  const summary = emptySla();
  const groups = new Map<string, SlaSummary & { patchGroup: string }>();
  for (const t of targets) {
    if (!t) continue;
    addSla(summary, t.summary);
    for (const g of t.patchGroups) {
      let mine = groups.get(g.patchGroup);
      if (!mine) {
        mine = { patchGroup: g.patchGroup, ...emptySla() };
        groups.set(g.patchGroup, mine);
      }
      addSla(mine, g);
    }
  }
  return {
    summary,
    patchGroups: [...groups.values()].sort((a, b) => a.patchGroup.localeCompare(b.patchGroup)),
  };
}
