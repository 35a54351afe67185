/**
 * Validation of the maintenance windows (`scan`, `install`) and of SSM rate controls.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/maintenance-windows.html
 */
import {
  type ConfigIssue,
  joinPath,
  objectWithKnownKeys,
  optionalBoolean,
  optionalInteger,
  optionalString,
} from "./config-util";
import { rateControl } from "./config-rules";
import {
  checkMaxConcurrency,
  checkMaxErrors,
  checkScheduleExpression,
  isTimeZone,
} from "./schedule";
import type { AccountConfig, MaintenanceWindowSpec } from "./types";

export const DEFAULT_WINDOW_MAX_CONCURRENCY = "10%";
export const DEFAULT_WINDOW_MAX_ERRORS = "5%";

const WINDOW_KEYS = [
  "schedule",
  "timezone",
  "offsetDays",
  "durationHours",
  "cutoffHours",
  "maxConcurrency",
  "maxErrors",
  "enabled",
] as const;

export { rateControl };

/** Validates one maintenance window (`scan` or `install`). */
export function parseMaintenanceWindow(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): MaintenanceWindowSpec | undefined {
  const obj = objectWithKnownKeys(raw, path, WINDOW_KEYS, issues);
  if (obj === undefined) return undefined;
  const before = issues.length;
  const schedule = optionalString(obj, "schedule", path, issues);
  if (obj.schedule === undefined) {
    issues.push({
      path: joinPath(path, "schedule"),
      message: "is required, for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)",
    });
  } else if (schedule !== undefined) {
    const problem = checkScheduleExpression(schedule);
    if (problem !== undefined) issues.push({ path: joinPath(path, "schedule"), message: problem });
  }
  const timezone = optionalString(obj, "timezone", path, issues) ?? "UTC";
  if (!isTimeZone(timezone)) {
    issues.push({
      path: joinPath(path, "timezone"),
      message: `must be an IANA time zone like "UTC" or "Europe/Berlin", got ${JSON.stringify(timezone)}`,
    });
  }
  const offsetDays = optionalInteger(obj, "offsetDays", path, issues, 0, 6);
  if (
    offsetDays !== undefined &&
    offsetDays > 0 &&
    schedule !== undefined &&
    !schedule.startsWith("cron(")
  ) {
    issues.push({
      path: joinPath(path, "offsetDays"),
      message: "works only with cron(...) schedules; remove it or use a cron schedule",
    });
  }
  const durationHours = optionalInteger(obj, "durationHours", path, issues, 1, 24);
  if (obj.durationHours === undefined) {
    issues.push({
      path: joinPath(path, "durationHours"),
      message: "is required: the window length in hours, 1–24",
    });
  }
  const cutoffHours = optionalInteger(obj, "cutoffHours", path, issues, 0, 23);
  const effectiveCutoff = cutoffHours ?? (durationHours === 1 ? 0 : 1);
  if (cutoffHours !== undefined && durationHours !== undefined && cutoffHours >= durationHours) {
    issues.push({
      path: joinPath(path, "cutoffHours"),
      message: `must be less than durationHours (${durationHours}), got ${cutoffHours}; tasks need time to start`,
    });
  }
  const maxConcurrency = rateControl(
    obj,
    "maxConcurrency",
    path,
    issues,
    checkMaxConcurrency,
    DEFAULT_WINDOW_MAX_CONCURRENCY,
  );
  const maxErrors = rateControl(
    obj,
    "maxErrors",
    path,
    issues,
    checkMaxErrors,
    DEFAULT_WINDOW_MAX_ERRORS,
  );
  const enabled = optionalBoolean(obj, "enabled", path, issues) ?? true;
  if (issues.length > before || schedule === undefined || durationHours === undefined)
    return undefined;
  const spec: MaintenanceWindowSpec = {
    schedule,
    timezone,
    durationHours,
    cutoffHours: effectiveCutoff,
    maxConcurrency,
    maxErrors,
    enabled,
  };
  if (offsetDays !== undefined && offsetDays > 0) spec.offsetDays = offsetDays;
  return spec;
}

export function parseWindows(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): AccountConfig["maintenanceWindows"] {
  if (raw === undefined) return {};
  const obj = objectWithKnownKeys(raw, path, ["scan", "install"], issues);
  if (obj === undefined) return {};
  const out: AccountConfig["maintenanceWindows"] = {};
  if (obj.scan !== undefined)
    out.scan = parseMaintenanceWindow(obj.scan, joinPath(path, "scan"), issues);
  if (obj.install !== undefined) {
    out.install = parseMaintenanceWindow(obj.install, joinPath(path, "install"), issues);
  }
  if (out.scan === undefined) delete out.scan;
  if (out.install === undefined) delete out.install;
  return out;
}
