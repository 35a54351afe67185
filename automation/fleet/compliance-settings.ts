/**
 * The fleet file's `compliance:` section: how long a missing patch may stay missing, per severity
 * (the SLA), how old a node's last patch scan may be, and where each `compliance` run's snapshot is
 * kept. See docs/fleet-file.md ("Compliance") and docs/compliance-sla.md.
 */
import { FILTER_KEYS } from "../../domain";
import { describe, isPlainObject, joinPath } from "../../components/config-util";
import type { Checker } from "./checker";

/**
 * The severity values Patch Manager reports per patch, from the per-OS filter tables in domain/:
 * SEVERITY (Amazon Linux, RHEL family, SUSE), MSRC_SEVERITY (Windows) and PRIORITY (Debian,
 * Ubuntu, Raspberry Pi OS). DescribeInstancePatches returns one of them in `Severity`.
 */
export const PATCH_SEVERITIES: readonly string[] = (() => {
  const out: string[] = [];
  for (const table of Object.values(FILTER_KEYS)) {
    for (const key of ["SEVERITY", "MSRC_SEVERITY", "PRIORITY"]) {
      for (const v of table[key] ?? []) if (!out.includes(v)) out.push(v);
    }
  }
  return out;
})();

/**
 * Default SLA days per severity. Critical 14, Important 30, Medium 90, Low 180 are the documented
 * defaults; Moderate (the Windows and RHEL name of the level between Important and Low) follows
 * Medium. Severities absent here (Unspecified, None, Debian priorities) have no SLA until the fleet
 * file gives one.
 */
export const DEFAULT_SLA_DAYS: Readonly<Record<string, number>> = {
  Critical: 14,
  Important: 30,
  Moderate: 90,
  Medium: 90,
  Low: 180,
};

/** A node whose last patch operation ended longer ago than this is flagged as stale. */
export const DEFAULT_MAX_SCAN_AGE_DAYS = 7;

/** Where a run's snapshot goes, relative to the fleet file. */
export const DEFAULT_HISTORY_FILE = ".patchfleet/compliance-history.sqlite";

export interface ComplianceSettings {
  /** Severity → days a missing or failed patch may stay so after its release. */
  slaDays: Record<string, number>;
  maxScanAgeDays: number;
  /**
   * A Resource Data Sync per account-region into the central log bucket (docs/athena.md).
   * @default false
   */
  dataSync?: boolean;
  history: {
    /** Record every run. @default true */
    enabled: boolean;
    /** SQLite file, relative to the fleet file's folder. */
    file: string;
    /** Also write each snapshot as JSON to the central log bucket. @default false */
    logBucket: boolean;
  };
}

export function defaultComplianceSettings(): ComplianceSettings {
  return {
    slaDays: { ...DEFAULT_SLA_DAYS },
    maxScanAgeDays: DEFAULT_MAX_SCAN_AGE_DAYS,
    history: { enabled: true, file: DEFAULT_HISTORY_FILE, logBucket: false },
  };
}

function days(c: Checker, raw: unknown, path: string): number | undefined {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0 && raw <= 3650) return raw;
  c.add(path, `must be a whole number of days, 0–3650, got ${describe(raw)}`);
  return undefined;
}

export function parseComplianceSettings(c: Checker, raw: unknown): ComplianceSettings {
  const out = defaultComplianceSettings();
  if (raw === undefined || raw === null) return out;
  const top = c.map(
    raw,
    "compliance",
    ["slaDays", "maxScanAgeDays", "dataSync", "history"],
    "compliance settings (slaDays, maxScanAgeDays, dataSync, history)",
  );
  if (top === undefined) return out;
  if (top.dataSync !== undefined && top.dataSync !== null) {
    if (typeof top.dataSync === "boolean") out.dataSync = top.dataSync;
    else c.add("compliance.dataSync", `must be true or false, got ${describe(top.dataSync)}`);
  }
  if (top.slaDays !== undefined && top.slaDays !== null) {
    const sla = c.map(top.slaDays, "compliance.slaDays", PATCH_SEVERITIES, "severity → days");
    for (const [severity, value] of Object.entries(sla ?? {})) {
      const p = joinPath("compliance.slaDays", severity);
      // null removes a default SLA, e.g. `Low: null` for "Low patches have no deadline".
      if (value === null) {
        delete out.slaDays[severity];
        continue;
      }
      const d = days(c, value, p);
      if (d !== undefined) out.slaDays[severity] = d;
    }
  }
  if (top.maxScanAgeDays !== undefined && top.maxScanAgeDays !== null) {
    const d = days(c, top.maxScanAgeDays, "compliance.maxScanAgeDays");
    if (d !== undefined && d < 1) {
      c.add("compliance.maxScanAgeDays", "must be at least 1 day, got 0");
    } else if (d !== undefined) out.maxScanAgeDays = d;
  }
  if (top.history === false) {
    out.history.enabled = false;
  } else if (top.history !== undefined && top.history !== null) {
    if (!isPlainObject(top.history)) {
      c.add(
        "compliance.history",
        `must be false or a map with file and logBucket, got ${describe(top.history)}`,
      );
      return out;
    }
    const h = c.map(top.history, "compliance.history", ["file", "logBucket"], "history settings");
    const file = h === undefined ? undefined : c.string(h, "file", "compliance.history");
    if (file !== undefined) {
      if (file.trim() === "" || file.includes("\0")) {
        c.add("compliance.history.file", `must be a file path, got ${describe(file)}`);
      } else out.history.file = file;
    }
    const lb = h?.logBucket;
    if (lb !== undefined && lb !== null) {
      if (typeof lb === "boolean") out.history.logBucket = lb;
      else c.add("compliance.history.logBucket", `must be true or false, got ${describe(lb)}`);
    }
  }
  return out;
}
