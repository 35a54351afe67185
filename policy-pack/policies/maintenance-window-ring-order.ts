import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  maintenanceWindowRingOrderSchema,
  readConfig,
  type MaintenanceWindowRingOrderConfig,
} from "../config";
import { effectiveTags, providerProps, providersByUrn } from "../default-tags";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekString, q } from "../values";

const description =
  "Within one stack, no later ring's install window opens while an earlier ring's install window " +
  "is open or within the later ring's soak after it closes, checked for every opening of the " +
  "earlier window over the next year from the preview time or its StartDate, whichever is later.";

// The tags ringed stacks carry (automation/fleet/ring-stack.ts); the pack reads them off windows.
const RING = "patchfleet:ring";
const ORDER = "patchfleet:ring-order";
const SOAK = "patchfleet:ring-soak-hours";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far ahead an opening is searched for; a schedule with none in that span is not compared. */
const HORIZON_DAYS = 800;
/** The span of the earlier ring's openings that are checked, and at most how many. */
const CHECKED_DAYS = 366;
const CHECKED_OPENINGS = 500;

/**
 * One cron field as the set of values it matches. Systems Manager's maintenance window cron has six
 * fields: minutes, hours, day-of-month, month, day-of-week (1-7 = SUN-SAT), year.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
 */
function field(text: string, min: number, max: number, names: readonly string[] = []): Set<number> {
  const value = (s: string): number => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + min : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`value ${q(s)}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`step ${q(part)}`);
    let lo = min;
    let hi = max;
    if (range !== "*" && range !== "?") {
      const [a, b] = range.split("-");
      lo = value(a);
      hi = b === undefined ? (stepText === undefined ? lo : max) : value(b);
    }
    for (let n = lo; n <= hi; n += step) out.add(n);
  }
  return out;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Cron {
  minutes: number[];
  hours: number[];
  dom: (y: number, m: number, d: number) => boolean;
  months: Set<number>;
  dow: (y: number, m: number, d: number) => boolean;
  years: Set<number>;
}

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekday = (y: number, m: number, d: number): number =>
  new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

function parseCron(body: string): Cron {
  const f = body.trim().split(/\s+/);
  if (f.length !== 6) throw new Error(`${f.length} fields where six are required`);
  const [mi, ho, dm, mo, dw, ye] = f;
  let dom: Cron["dom"] = () => true;
  if (dm === "L") dom = (y, m, d) => d === daysIn(y, m);
  else if (dm.includes("W")) throw new Error("the W wildcard");
  else if (dm !== "?") {
    const set = field(dm, 1, 31);
    dom = (_y, _m, d) => set.has(d);
  }
  let dow: Cron["dow"] = () => true;
  const nth = /^([1-7]|[A-Z]{3})#([1-5])$/i.exec(dw);
  const last = /^([1-7]|[A-Z]{3})L$/i.exec(dw);
  if (nth) {
    const want = [...field(nth[1], 1, 7, DAYS)][0];
    dow = (y, m, d) => weekday(y, m, d) === want && Math.ceil(d / 7) === Number(nth[2]);
  } else if (last) {
    const want = [...field(last[1], 1, 7, DAYS)][0];
    dow = (y, m, d) => weekday(y, m, d) === want && d + 7 > daysIn(y, m);
  } else if (dw !== "?") {
    const set = field(dw, 1, 7, DAYS);
    dow = (y, m, d) => set.has(weekday(y, m, d));
  }
  return {
    minutes: [...field(mi, 0, 59)].sort((a, b) => a - b),
    hours: [...field(ho, 0, 23)].sort((a, b) => a - b),
    dom,
    months: field(mo, 1, 12, MONTHS),
    dow,
    years: field(ye, 1970, 2199),
  };
}

/** Milliseconds the zone is ahead of UTC at instant t. */
function zoneOffset(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(t));
  const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second"));
  return local - Math.floor(t / 1000) * 1000;
}

/** The instant a local wall-clock time (as a UTC-based number) has in the zone. */
function fromLocal(local: number, zone: string): number {
  const first = local - zoneOffset(local, zone);
  return local - zoneOffset(first, zone);
}

interface Window {
  r: PolicyResource;
  ring: string;
  order: number;
  soakHours: number;
  durationHours: number;
  schedule: string;
  zone: string;
  offsetDays: number;
  startDate?: number;
}

/**
 * The first opening of the window at or after `after` (and after its StartDate): cron in its
 * ScheduleTimezone (UTC by default) shifted by ScheduleOffset days; rate from its StartDate; at()
 * once, in UTC as the user guide states. Throws with the reason when it cannot be computed.
 */
function nextOpening(w: Window, after: number): number | undefined {
  const from = Math.max(after, w.startDate ?? after);
  const m = /^(cron|rate|at)\((.*)\)$/.exec(w.schedule.trim());
  if (!m) throw new Error("it is not a cron(), rate() or at() expression");
  if (m[1] === "at") {
    const t = Date.parse(`${m[2]}Z`);
    if (Number.isNaN(t)) throw new Error(`at(${m[2]}) is not a time`);
    return t >= from ? t : undefined;
  }
  if (m[1] === "rate") {
    const r = /^([1-9][0-9]*) (minute|minutes|hour|hours|day|days)$/.exec(m[2].trim());
    if (!r) throw new Error(`rate(${m[2]}) is not a rate expression`);
    if (w.startDate === undefined) {
      throw new Error(
        "a rate expression without startDate counts from when the window was created",
      );
    }
    const unit = r[2].startsWith("minute") ? 60_000 : r[2].startsWith("hour") ? HOUR : DAY;
    const every = Number(r[1]) * unit;
    return w.startDate + Math.ceil(Math.max(0, from - w.startDate) / every) * every;
  }
  const cron = parseCron(m[2]);
  const offset = w.offsetDays * DAY;
  // Walk local days from the day a match (plus the offset) could first reach `from`.
  const day0 = Math.floor((from + zoneOffset(from, w.zone) - offset) / DAY) * DAY - DAY;
  for (let i = 0; i <= HORIZON_DAYS; i++) {
    const d = new Date(day0 + i * DAY);
    const [y, mo, dd] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    if (!cron.years.has(y) || !cron.months.has(mo) || !cron.dom(y, mo, dd) || !cron.dow(y, mo, dd))
      continue;
    for (const h of cron.hours) {
      for (const mi of cron.minutes) {
        const t = fromLocal(d.getTime() + offset + h * HOUR + mi * 60_000, w.zone);
        if (t >= from) return t;
      }
    }
  }
  return undefined;
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.000Z$/, "Z");
const hours = (n: number): string => `${n} h`;

export const maintenanceWindowRingOrder: StackValidationPolicy = {
  name: "patchfleet-maintenance-window-ring-order",
  description,
  enforcementLevel: "mandatory",
  configSchema: maintenanceWindowRingOrderSchema,
  validateStack: (args, reportViolation) => {
    const cfg = readConfig<MaintenanceWindowRingOrderConfig>(
      args,
      maintenanceWindowRingOrderSchema,
    );
    const providers = providersByUrn(args.resources);
    const reference = cfg.referenceTime === "" ? Date.now() : Date.parse(cfg.referenceTime);
    const windows: Window[] = [];
    for (const r of args.resources) {
      if (r.type !== TYPES.maintenanceWindow) continue;
      const subj = subject(r.type, r.name);
      const unknown = (what: string): void =>
        reportNotKnownYet(reportViolation, description, subj, what, r.urn);
      const name = peekString(r.props, "name");
      if (name === UNKNOWN) {
        unknown("its name");
        continue;
      }
      if (name === undefined || !cfg.installWindowNames.includes(name)) continue;
      const eff = effectiveTags(peek(r.props, "tags"), providerProps(r.provider, providers));
      if (eff === UNKNOWN) {
        unknown("its tags");
        continue;
      }
      const tag = (k: string): unknown => eff.tags[k];
      const ringTags = [RING, ORDER, SOAK].map(tag);
      if (ringTags.some(isUnknown)) {
        unknown("its ring tags");
        continue;
      }
      if (ringTags.every((v) => v === undefined)) continue; // not in a ring
      const order = Number(tag(ORDER));
      const soakHours = Number(tag(SOAK));
      if (!Number.isInteger(order) || order < 1 || !Number.isFinite(soakHours) || soakHours < 0) {
        reportViolation(
          `${subj} has ring tags ${ORDER}=${q(tag(ORDER))} and ${SOAK}=${q(tag(SOAK))}. Fix: ` +
            `set ${ORDER} to the ring's 1-based position and ${SOAK} to its soak in hours.`,
          r.urn,
        );
        continue;
      }
      const values = ["schedule", "scheduleTimezone", "scheduleOffset", "startDate", "duration"];
      const notYet = values.find((k) => isUnknown(peek(r.props, k)));
      if (notYet !== undefined) {
        unknown(`its ${notYet}`);
        continue;
      }
      const startText = peek(r.props, "startDate");
      const startDate = typeof startText === "string" ? Date.parse(startText) : undefined;
      windows.push({
        r,
        ring: String(tag(RING) ?? ""),
        order,
        soakHours,
        durationHours: Number(peek(r.props, "duration") ?? 0),
        schedule: String(peek(r.props, "schedule") ?? ""),
        zone: String(peek(r.props, "scheduleTimezone") ?? "UTC"),
        offsetDays: Number(peek(r.props, "scheduleOffset") ?? 0),
        startDate: Number.isNaN(startDate) ? undefined : startDate,
      });
    }
    const orders = [...new Set(windows.map((w) => w.order))].sort((a, b) => a - b);
    const named = (w: Window): string =>
      `${subject(w.r.type, w.r.name)} (ring ${q(w.ring)}, order ${w.order})`;
    const opening = (w: Window, after: number): number | undefined | Error => {
      try {
        return nextOpening(w, after);
      } catch (e) {
        return e as Error;
      }
    };
    /** The first opening of `a` (over CHECKED_DAYS) that `b` opens too soon after. */
    const firstOverlap = (
      a: Window,
      b: Window,
    ):
      | { opensA: number; opensB: number; earliest: number }
      | { error: Error; of: Window }
      | undefined => {
      let after = reference;
      for (let n = 0; n < CHECKED_OPENINGS; n++) {
        const opensA = opening(a, after);
        if (opensA instanceof Error) return { error: opensA, of: a };
        if (opensA === undefined || opensA > reference + CHECKED_DAYS * DAY) return undefined;
        const opensB = opening(b, opensA);
        if (opensB instanceof Error) return { error: opensB, of: b };
        if (opensB === undefined) return undefined;
        const earliest = opensA + (a.durationHours + b.soakHours + cfg.minGapHours) * HOUR;
        if (opensB < earliest) return { opensA, opensB, earliest };
        after = opensA + 60_000;
      }
      return undefined;
    };
    const reported = new Set<Window>();
    const refuse = (w: Window, e: Error): void => {
      if (reported.has(w)) return;
      reported.add(w);
      reportViolation(
        `${named(w)} has schedule ${q(w.schedule)}, whose openings cannot be compared: ` +
          `${e.message}. Fix: use a cron() expression, or set startDate for a rate().`,
        w.r.urn,
      );
    };
    for (let i = 1; i < orders.length; i++) {
      const earlier = windows.filter((w) => w.order === orders[i - 1]);
      const later = windows.filter((w) => w.order === orders[i]);
      for (const a of earlier) {
        for (const b of later) {
          const found = firstOverlap(a, b);
          if (found === undefined) continue;
          if ("error" in found) {
            refuse(found.of, found.error);
            continue;
          }
          const { opensA, opensB, earliest } = found;
          reportViolation(
            `${named(b)} opens at ${iso(opensB)}, before ${iso(earliest)}: ${named(a)} opens at ` +
              `${iso(opensA)} for ${hours(a.durationHours)}, then ring ${q(b.ring)} soaks ` +
              `${hours(b.soakHours)}, plus minGapHours ${cfg.minGapHours}. Fix: open the later ` +
              `ring's install window later (schedule, scheduleOffset or startDate), or shorten ` +
              `its soak.`,
            b.r.urn,
          );
        }
      }
    }
  },
};
