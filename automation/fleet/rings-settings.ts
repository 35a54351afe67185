/**
 * The fleet file's `rings:` and `freezes:` sections (docs/fleet-file.md "Rings" and "Freezes").
 *
 * Rings are an ordered list; each names its accounts (by name or id) and may set a soak time, a
 * gate on the ring before, and its own maintenance windows. An account may override the windows
 * of its ring in its ring entry. Windows resolve account over ring over fleet, and every window is
 * validated by the same parseMaintenanceWindow the fleet-wide windows use.
 *
 * When `rings:` is present every account of the fleet (central included) must be in exactly one
 * ring: an account left out would never be patched by a ring rollout, and a silent "last ring"
 * would patch production with nobody having said so.
 */
import { parseMaintenanceWindow } from "../../components/config";
import {
  closest,
  describe,
  indexPath,
  isPlainObject,
  joinPath,
} from "../../components/config-util";
import type { MaintenanceWindowSpec } from "../../components/types";
import type { Checker, Obj } from "./checker";
import type { FleetAccount } from "./types";

export type Windows = { scan?: MaintenanceWindowSpec; install?: MaintenanceWindowSpec };

/** What the ring before must show before this ring may start (`patch --ring`). */
export interface RingGate {
  /** Share of the earlier ring's account-regions whose patch run SUCCEEDED, 0–100. */
  minSucceededPercent?: number;
  /** Share of the earlier ring's managed nodes that are COMPLIANT, 0–100. */
  minCompliantPercent?: number;
}

export interface Ring {
  name: string;
  /** Account ids, in the order listed. */
  accounts: string[];
  /** Minimum hours between the ring before finishing and this ring starting. @default 0 */
  soakHours: number;
  gate: RingGate;
  /** The ring's own windows (over the fleet's). */
  maintenanceWindows: Windows;
  /**
   * The ring before's install window, opened this many more days later (SSM's ScheduleOffset,
   * which adds days to a cron schedule; 1–6 in all). Instead of `maintenanceWindows.install`.
   */
  installOffsetDays?: number;
  /** Per account id: that account's windows (over the ring's). */
  accountWindows: Record<string, Windows>;
}

export interface Freeze {
  /** Inclusive, UTC, as ISO timestamps. */
  start: string;
  end: string;
  reason: string;
  /** Ring names the freeze applies to; undefined means every ring (and a fleet without rings). */
  rings?: string[];
}

const RING_KEYS = [
  "name",
  "accounts",
  "soakHours",
  "gate",
  "maintenanceWindows",
  "installOffsetDays",
];
/**
 * SSM's ScheduleOffset: "The number of days to wait after the date and time specified by a cron
 * expression before running the maintenance window", 1–6 (botocore ssm model, shape
 * MaintenanceWindowOffset).
 */
const MAX_SCHEDULE_OFFSET_DAYS = 6;
const GATE_KEYS = ["minSucceededPercent", "minCompliantPercent"];
const ENTRY_KEYS = ["account", "maintenanceWindows"];
const FREEZE_KEYS = ["start", "end", "reason", "rings"];
const RING_NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** Tag values are free text, but ring names are also file and S3 key parts: keep them plain. */
const RING_NAME_RULE =
  "must be 1–32 lowercase letters, digits or - starting with a letter or digit";
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$/;

function parseWindows(c: Checker, raw: unknown, path: string): Windows {
  const out: Windows = {};
  if (raw === undefined || raw === null) return out;
  const mw = c.map(raw, path, ["scan", "install"], "maintenance windows (scan, install)");
  for (const key of ["scan", "install"] as const) {
    if (mw?.[key] === undefined || mw[key] === null) continue;
    const w = parseMaintenanceWindow(mw[key], joinPath(path, key), c.issues);
    if (w !== undefined) out[key] = w;
  }
  return out;
}

function percent(c: Checker, obj: Obj, key: string, path: string): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 100) return v;
  c.add(joinPath(path, key), `must be a percentage from 0 to 100, got ${describe(v)}`);
  return undefined;
}

/**
 * A date (`2025-12-20`, the whole UTC day) or a date-time with a zone, as an ISO timestamp; `end`
 * dates mean the end of that day.
 */
function instant(c: Checker, raw: unknown, path: string, end: boolean): string | undefined {
  const fix =
    'must be an ISO date like "2025-12-20" (a whole UTC day) or a date-time with a zone like "2025-12-20T18:00:00Z"';
  if (typeof raw !== "string") {
    c.add(
      path,
      raw === undefined || raw === null
        ? `is required; ${fix.slice(5)}`
        : `${fix}, got ${describe(raw)}`,
    );
    return undefined;
  }
  const d = DATE.exec(raw);
  if (d !== null) {
    const t = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    const back = new Date(t).toISOString().slice(0, 10);
    if (back !== raw) {
      c.add(path, `${raw} is not a calendar date; ${fix}`);
      return undefined;
    }
    return new Date(end ? t + 86_400_000 - 1000 : t).toISOString();
  }
  if (DATE_TIME.test(raw) && !Number.isNaN(Date.parse(raw))) return new Date(raw).toISOString();
  c.add(path, `${fix}, got ${describe(raw)}`);
  return undefined;
}

/** Resolves a ring entry (a name, an id, or `{ account, maintenanceWindows }`) to an account. */
function accountOf(
  c: Checker,
  raw: unknown,
  path: string,
  accounts: readonly FleetAccount[],
): FleetAccount | undefined {
  const text = typeof raw === "number" ? String(raw) : raw;
  if (typeof text !== "string") {
    c.add(path, `must be an account name or a quoted 12-digit id, got ${describe(raw)}`);
    return undefined;
  }
  if (typeof raw === "number") {
    c.add(path, `account ids must be quoted strings: write "${text.padStart(12, "0")}" in quotes`);
    return undefined;
  }
  const found =
    accounts.find((a) => a.account === text) ??
    accounts.find((a) => a.name.toLowerCase() === text.toLowerCase());
  if (found !== undefined) return found;
  const names = accounts.map((a) => a.name);
  const guess = closest(text, [...names, ...accounts.map((a) => a.account)]);
  c.add(
    path,
    `${describe(text)} is not an account of this fleet; ` +
      (guess !== undefined
        ? `did you mean ${guess}?`
        : `use an account's name or id (${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""})`),
  );
  return undefined;
}

export function parseRings(
  c: Checker,
  raw: unknown,
  accounts: readonly FleetAccount[],
): Ring[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    c.add(
      "rings",
      `must be a non-empty list of rings, e.g. [{ name: canary, accounts: [staging] }], got ${describe(raw)}`,
    );
    return undefined;
  }
  const rings: Ring[] = [];
  const names = new Map<string, string>();
  const owner = new Map<string, string>();
  raw.forEach((item: unknown, i) => {
    const path = indexPath("rings", i);
    const obj = c.map(
      item,
      path,
      RING_KEYS,
      "ring settings (name, accounts, soakHours, gate, maintenanceWindows)",
    );
    if (obj === undefined) return;
    let name = c.string(obj, "name", path);
    if (name === undefined) {
      c.add(joinPath(path, "name"), "is required: a short ring name like canary");
    } else if (!RING_NAME.test(name)) {
      c.add(joinPath(path, "name"), `${RING_NAME_RULE}, got ${describe(name)}`);
      name = undefined;
    } else if (names.has(name)) {
      c.add(
        joinPath(path, "name"),
        `${name} is already the name of ${names.get(name)}; ring names must be unique`,
      );
      name = undefined;
    } else {
      names.set(name, path);
    }
    let soakHours = 0;
    if (obj.soakHours !== undefined && obj.soakHours !== null) {
      const v = obj.soakHours;
      if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 8760) soakHours = v;
      else
        c.add(
          joinPath(path, "soakHours"),
          `must be a number of hours from 0 to 8760, got ${describe(v)}`,
        );
    }
    const gate: RingGate = {};
    if (obj.gate !== undefined && obj.gate !== null) {
      const g = c.map(obj.gate, joinPath(path, "gate"), GATE_KEYS, "gate settings");
      if (g !== undefined) {
        const s = percent(c, g, "minSucceededPercent", joinPath(path, "gate"));
        const p = percent(c, g, "minCompliantPercent", joinPath(path, "gate"));
        if (s !== undefined) gate.minSucceededPercent = s;
        if (p !== undefined) gate.minCompliantPercent = p;
      }
    }
    if (i === 0 && (obj.gate !== undefined || (obj.soakHours !== undefined && soakHours > 0))) {
      c.add(
        joinPath(path, obj.gate !== undefined ? "gate" : "soakHours"),
        "the first ring has no ring before it to soak after or gate on; remove it here",
      );
    }
    const ring: Ring = {
      name: name ?? "",
      accounts: [],
      soakHours,
      gate,
      maintenanceWindows: parseWindows(
        c,
        obj.maintenanceWindows,
        joinPath(path, "maintenanceWindows"),
      ),
      accountWindows: {},
    };
    if (obj.installOffsetDays !== undefined && obj.installOffsetDays !== null) {
      const v = obj.installOffsetDays;
      const op = joinPath(path, "installOffsetDays");
      if (i === 0) {
        c.add(op, "the first ring has no ring before it to follow; give it maintenanceWindows");
      } else if (
        !Number.isInteger(v) ||
        (v as number) < 1 ||
        (v as number) > MAX_SCHEDULE_OFFSET_DAYS
      ) {
        c.add(
          op,
          `must be a whole number of days from 1 to ${MAX_SCHEDULE_OFFSET_DAYS}, got ${describe(v)}`,
        );
      } else if (ring.maintenanceWindows.install !== undefined) {
        c.add(op, "the ring also sets maintenanceWindows.install; keep one of the two");
      } else {
        ring.installOffsetDays = v as number;
      }
    }
    const ap = joinPath(path, "accounts");
    if (!Array.isArray(obj.accounts) || obj.accounts.length === 0) {
      c.add(
        ap,
        `is required: a non-empty list of account names or ids, e.g. [staging, "444444444444"], got ${describe(obj.accounts)}`,
      );
    } else {
      obj.accounts.forEach((entry: unknown, j) => {
        const ep = indexPath(ap, j);
        let ref: unknown = entry;
        let windows: Windows | undefined;
        if (isPlainObject(entry)) {
          const e = c.map(entry, ep, ENTRY_KEYS, "an account entry (account, maintenanceWindows)");
          if (e === undefined) return;
          ref = e.account;
          windows = parseWindows(c, e.maintenanceWindows, joinPath(ep, "maintenanceWindows"));
          if (ref === undefined || ref === null) {
            c.add(joinPath(ep, "account"), "is required: the account's name or quoted id");
            return;
          }
        }
        const account = accountOf(
          c,
          ref,
          isPlainObject(entry) ? joinPath(ep, "account") : ep,
          accounts,
        );
        if (account === undefined) return;
        const seen = owner.get(account.account);
        if (seen !== undefined) {
          c.add(
            ep,
            `${account.name} (${account.account}) is already in ${seen}; each account belongs to at most one ring`,
          );
          return;
        }
        owner.set(account.account, name !== undefined ? `ring ${name}` : path);
        ring.accounts.push(account.account);
        if (
          windows !== undefined &&
          (windows.scan !== undefined || windows.install !== undefined)
        ) {
          ring.accountWindows[account.account] = windows;
        }
      });
    }
    rings.push(ring);
  });
  const missing = accounts.filter((a) => a.account !== "" && !owner.has(a.account));
  if (missing.length > 0 && rings.length > 0) {
    c.add(
      "rings",
      `${missing.map((a) => `${a.name} (${a.account})`).join(", ")} ${missing.length === 1 ? "is" : "are"} in no ring; ` +
        `with rings every account, central included, belongs to exactly one: add ${missing.length === 1 ? "it" : "them"} to a ring's accounts (usually the last)`,
    );
  }
  return rings;
}

export function parseFreezes(
  c: Checker,
  raw: unknown,
  rings: readonly Ring[] | undefined,
): Freeze[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    c.add("freezes", `must be a list of { start, end, reason }, got ${describe(raw)}`);
    return [];
  }
  const out: Freeze[] = [];
  raw.forEach((item: unknown, i) => {
    const path = indexPath("freezes", i);
    const obj = c.map(item, path, FREEZE_KEYS, "freeze settings (start, end, reason, rings)");
    if (obj === undefined) return;
    const start = instant(c, obj.start, joinPath(path, "start"), false);
    const end = instant(c, obj.end, joinPath(path, "end"), true);
    if (start !== undefined && end !== undefined && start > end) {
      c.add(
        joinPath(path, "end"),
        `is before start (${String(obj.start)}); a freeze ends on or after the day it starts`,
      );
    }
    const reason = c.string(obj, "reason", path);
    if (reason === undefined || reason.trim() === "") {
      c.add(
        joinPath(path, "reason"),
        "is required: why nothing may be installed then, e.g. year-end change freeze",
      );
    }
    const freeze: Freeze = { start: start ?? "", end: end ?? "", reason: reason ?? "" };
    if (obj.rings !== undefined && obj.rings !== null) {
      const rp = joinPath(path, "rings");
      if (!Array.isArray(obj.rings) || obj.rings.length === 0) {
        c.add(rp, `must be a non-empty list of ring names, got ${describe(obj.rings)}`);
      } else if (rings === undefined) {
        c.add(
          rp,
          "names rings, but the fleet file has no rings:; remove it (the freeze then applies to the whole fleet) or add rings",
        );
      } else {
        const known = rings.map((r) => r.name);
        freeze.rings = [];
        obj.rings.forEach((r: unknown, j) => {
          if (typeof r === "string" && known.includes(r)) {
            freeze.rings!.push(r);
            return;
          }
          const guess = typeof r === "string" ? closest(r, known) : undefined;
          c.add(
            indexPath(rp, j),
            `${describe(r)} is not a ring of this fleet; ${guess !== undefined ? `did you mean ${guess}?` : `rings: ${known.join(", ")}`}`,
          );
        });
      }
    }
    out.push(freeze);
  });
  return out;
}

/** The ring an account belongs to, if the fleet has rings. */
export function ringOf(rings: readonly Ring[] | undefined, account: string): Ring | undefined {
  return rings?.find((r) => r.accounts.includes(account));
}

/** The windows an account's stack gets: account over ring over fleet, per window kind. */
export function windowsFor(
  fleetWindows: Windows,
  rings: readonly Ring[] | undefined,
  account: string,
): Windows {
  const ring = ringOf(rings, account);
  const own = ring?.accountWindows[account];
  const out: Windows = {};
  for (const key of ["scan", "install"] as const) {
    const w =
      own?.[key] ??
      (key === "install" && ring !== undefined && rings !== undefined
        ? ringInstallWindow(fleetWindows, rings, rings.indexOf(ring))
        : (ring?.maintenanceWindows[key] ?? fleetWindows[key]));
    if (w !== undefined) out[key] = w;
  }
  return out;
}

/** A ring's own install window: its maintenanceWindows.install, the ring before's plus its
 * installOffsetDays, or the fleet's. */
function ringInstallWindow(
  fleetWindows: Windows,
  rings: readonly Ring[],
  index: number,
): MaintenanceWindowSpec | undefined {
  const ring = rings[index];
  if (ring.maintenanceWindows.install !== undefined) return ring.maintenanceWindows.install;
  if (ring.installOffsetDays === undefined || index === 0) return fleetWindows.install;
  const before = ringInstallWindow(fleetWindows, rings, index - 1);
  if (before === undefined) return undefined;
  return { ...before, offsetDays: (before.offsetDays ?? 0) + ring.installOffsetDays };
}

/**
 * Checks what installOffsetDays resolves to: the ring before's install window must exist and be a
 * cron schedule (SSM applies ScheduleOffset to cron only), and the offsets add up to at most 6.
 */
export function checkRingOffsets(
  c: Checker,
  rings: readonly Ring[] | undefined,
  fleetWindows: Windows,
): void {
  (rings ?? []).forEach((ring, i) => {
    if (ring.installOffsetDays === undefined) return;
    const path = joinPath(indexPath("rings", i), "installOffsetDays");
    const before = ringInstallWindow(fleetWindows, rings!, i - 1);
    if (before === undefined) {
      c.add(
        path,
        `ring ${rings![i - 1].name} has no install window to follow; give this ring maintenanceWindows.install`,
      );
    } else if (!before.schedule.startsWith("cron(")) {
      c.add(
        path,
        `works only when ring ${rings![i - 1].name}'s install window is a cron(...) schedule, got ${before.schedule}`,
      );
    } else {
      const total = (before.offsetDays ?? 0) + ring.installOffsetDays;
      if (total > MAX_SCHEDULE_OFFSET_DAYS) {
        c.add(
          path,
          `makes the install window's ScheduleOffset ${total} days, over SSM's ${MAX_SCHEDULE_OFFSET_DAYS}; give this ring maintenanceWindows.install instead`,
        );
      }
    }
  });
}

/** The freezes in force at `now` for a ring (or for the whole fleet when `ring` is undefined). */
export function activeFreezes(
  freezes: readonly Freeze[] | undefined,
  ring: string | undefined,
  now: Date,
): Freeze[] {
  const t = now.toISOString();
  return (freezes ?? []).filter(
    (f) =>
      f.start <= t &&
      t <= f.end &&
      (f.rings === undefined || ring === undefined || f.rings.includes(ring)),
  );
}

/** Parses both sections; accounts are the validated central and members. */
export function parseRingSections(
  c: Checker,
  top: Obj,
  accounts: readonly FleetAccount[],
): { rings?: Ring[]; freezes: Freeze[] } {
  const rings = parseRings(c, top.rings, accounts);
  const freezes = parseFreezes(c, top.freezes, rings);
  return rings === undefined ? { freezes } : { rings, freezes };
}
