/**
 * The SLA part of `patchfleet compliance`: the text section (breaches first), the CI gate
 * (`--fail-on breach|noncompliant`) and the history (record every run, `--history` for trends).
 * Kept apart from compliance.ts so the command itself only calls in.
 */
import * as path from "path";
import type { ComplianceReport } from "../ops/compliance";
import { CONTROLS, controlsLine } from "../ops/frameworks";
import {
  HistoryPoint,
  historyPath,
  pointOf,
  readHistory,
  recordSnapshot,
  renderTrend,
} from "../ops/history-store";
import type { Fleet } from "../fleet/types";
import { HISTORY_PREFIX, uploadHistoryPoint } from "../ops/history-upload";
import { UsageError } from "./io";

export const FAIL_ON = ["breach", "noncompliant"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export function parseFailOn(raw: string | undefined): FailOn | undefined {
  if (raw === undefined) return undefined;
  if ((FAIL_ON as readonly string[]).includes(raw)) return raw as FailOn;
  throw new UsageError(`--fail-on must be breach or noncompliant, got "${raw}"`);
}

/**
 * Why the gate fails, or undefined when it passes. `breach`: any missing or failed patch older
 * than its SLA. `noncompliant`: any non-compliant node, or any account-region not read (a gate
 * never passes on what it could not see).
 */
export function gateFailure(report: ComplianceReport, failOn: FailOn): string | undefined {
  if (failOn === "breach") {
    if (!report.sla) return "--fail-on breach needs the SLA report; it was not gathered";
    const n = report.sla.summary.breaches;
    return n > 0 ? `${n} patch(es) past their SLA` : undefined;
  }
  const bad = report.totals.nonCompliant;
  const unread = report.totals.targets - report.totals.targetsRead;
  if (bad > 0) return `${bad} non-compliant node(s)`;
  if (unread > 0) return `${unread} account-region(s) not read`;
  return undefined;
}

/** Which controls each severity's SLA row is evidence for. */
function controlsFor(severity: string): string {
  const ids = CONTROLS.filter((c) => c.control !== "SSM.2" && c.control !== "7.3 / 7.4")
    .filter((c) => c.control !== "6.3.3" || severity === "Critical" || severity === "Important")
    .map((c) => `${c.framework.split(" ")[0]} ${c.control}`);
  return ids.join(", ");
}

export function renderSlaSection(report: ComplianceReport, limit = 20): string {
  const sla = report.sla;
  if (!sla) return "";
  const lines: string[] = [];
  const findings = report.targets.flatMap((t) => (t.sla?.findings ?? []).map((f) => ({ t, f })));
  const breaches = findings.filter((x) => x.f.breach);
  lines.push(`SLA breaches: ${breaches.length}`);
  for (const { t, f } of breaches.slice(0, limit)) {
    lines.push(
      `  ${f.severity.padEnd(9)} ${String(f.ageDays).padStart(4)}d > ${f.slaDays}d  ` +
        `${t.account} ${t.region} ${f.instanceId}  ${f.kbId}${f.cveIds.length ? ` ${f.cveIds.join(",")}` : ""}`,
    );
  }
  if (breaches.length > limit) lines.push(`  ... ${breaches.length - limit} more (see --json)`);
  lines.push("  severity     SLA  breaches  evidence for");
  for (const [severity, days] of Object.entries(sla.slaDays)) {
    lines.push(
      `  ${severity.padEnd(11)} ${String(days).padStart(4)}d ${String(sla.summary.breachesBySeverity[severity] ?? 0).padStart(9)}  ${controlsFor(severity)}`,
    );
  }
  const s = sla.summary;
  lines.push(
    `Nodes: ${s.staleNodes} with no scan in ${sla.maxScanAgeDays} days, ${s.offlineNodes} with the SSM agent not online; ` +
      `${s.unknownAge} missing patch(es) of unknown age` +
      (s.meanTimeToPatchDays !== undefined
        ? `; mean time to patch ${s.meanTimeToPatchDays} days (${s.meanTimeToPatchSamples} patches)`
        : "") +
      (s.oldestBreach
        ? `; oldest breach ${s.oldestBreach.ageDays} days (${s.oldestBreach.instanceId} ${s.oldestBreach.title})`
        : ""),
  );
  lines.push(`Controls: ${controlsLine()}`);
  return lines.join("\n") + "\n";
}

/**
 * Records the run where the fleet says (default: beside the fleet file, and with
 * `history.logBucket` in the central log bucket too); returns notes.
 */
export async function recordHistory(
  fleet: Fleet,
  report: ComplianceReport,
  cwd: string,
  aws: { endpoint?: string } = {},
) {
  const h = fleet.compliance?.history;
  if (!h?.enabled) return [];
  const file = historyPath(fleet.file, h.file);
  await recordSnapshot(file, report);
  const notes = [`history recorded in ${path.relative(cwd, file)}`];
  if (h.logBucket) {
    try {
      notes.push(`history written to ${await uploadHistoryPoint(fleet, pointOf(report), aws)}`);
    } catch (err) {
      notes.push(
        `compliance.history.logBucket: the snapshot was not written to the log bucket (${err instanceof Error ? err.message : String(err)}); ` +
          `recorded locally only. The central credentials (central.operationsRole) need s3:PutObject on arn:aws:s3:::${fleet.logBucketName}/${HISTORY_PREFIX}*`,
      );
    }
  }
  return notes;
}

/** The recorded runs plus this one, for the dashboard's chart; empty when history is off. */
export async function historyWith(fleet: Fleet, report: ComplianceReport): Promise<HistoryPoint[]> {
  const h = fleet.compliance?.history;
  if (!h?.enabled) return [pointOf(report)];
  // An unreadable history must not cost the dashboard: chart this run alone (recording, after
  // the dashboard, reports the problem).
  const points = await readHistory(historyPath(fleet.file, h.file)).catch(() => []);
  return [...points.filter((p) => p.runId !== report.runId), pointOf(report)];
}

export async function historyText(fleet: Fleet): Promise<string> {
  const h = fleet.compliance?.history;
  if (!h) return renderTrend([]);
  return renderTrend(await readHistory(historyPath(fleet.file, h.file)));
}
