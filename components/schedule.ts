/**
 * Checks of the strings Systems Manager parses itself: maintenance window schedules and rate
 * controls. Checking them here turns a failed deployment into a config error with a fix.
 *
 * Schedules: https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
 * Rate controls: https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-scale-controls.html
 */

const SCHEDULE_EXAMPLE = "for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { label: "minutes", min: 0, max: 59 },
  { label: "hours", min: 0, max: 23 },
  { label: "day-of-month", min: 1, max: 31 },
  { label: "month", min: 1, max: 12, names: MONTHS },
  { label: "day-of-week", min: 1, max: 7, names: WEEKDAYS },
  { label: "year", min: 1970, max: 2199 },
];

function parseValue(text: string, field: CronField): number | undefined {
  if (/^[0-9]{1,4}$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? index + field.min : undefined;
}

/** One comma-separated part of a cron field: `*`, `5`, `1-5`, `*\/15`, `0/10`, `MON-FRI`. */
function checkCronPart(part: string, field: CronField): boolean {
  const [range, step, ...rest] = part.split("/");
  if (rest.length > 0 || range === undefined || range === "") return false;
  if (step !== undefined && !/^[1-9][0-9]{0,3}$/.test(step)) return false;
  if (range === "*") return true;
  const bounds = range.split("-");
  if (bounds.length > 2) return false;
  const values = bounds.map((b) => parseValue(b, field));
  if (values.some((v) => v === undefined)) return false;
  return values.length === 1 || (values[0] as number) <= (values[1] as number);
}

function checkCronField(text: string, index: number): string | undefined {
  const field = CRON_FIELDS[index] as CronField;
  // Day-of-month and day-of-week accept extra forms: ?, L, W and #.
  if (index === 2 && /^(\?|L|LW|([1-9]|[12][0-9]|3[01])W)$/.test(text)) return undefined;
  if (index === 4) {
    if (text === "?" || text === "L") return undefined;
    const nth = /^([A-Za-z]{3}|[1-7])(#[1-5]|L)$/.exec(text);
    if (nth !== null && parseValue(nth[1] as string, field) !== undefined) return undefined;
  }
  const ok = text.split(",").every((part) => checkCronPart(part, field));
  return ok ? undefined : `${field.label} field ${JSON.stringify(text)} is not valid`;
}

/** Every value of one cron field ("*", "5", "1-5", "0/15", "*\/10", lists) for fields without names. */
function expandField(text: string, field: CronField): number[] {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = field.min;
    let to = field.max;
    if (range !== "*") {
      const bounds = range.split("-").map((b) => parseValue(b, field) as number);
      from = bounds[0] as number;
      // AWS's "0/15" (a start with a step) runs from the start to the end of the field.
      to = bounds.length === 2 ? (bounds[1] as number) : stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * The shortest gap in minutes between two runs of a cron schedule, from its minutes and hours
 * fields (days only make gaps longer). Infinity when it runs at most once an hour.
 */
function shortestGapMinutes(minutesField: string, hoursField: string): number {
  const minutes = expandField(minutesField, CRON_FIELDS[0] as CronField);
  const hours = new Set(expandField(hoursField, CRON_FIELDS[1] as CronField));
  let gap = Infinity;
  for (let i = 1; i < minutes.length; i++) {
    gap = Math.min(gap, (minutes[i] as number) - (minutes[i - 1] as number));
  }
  // From the last run of one hour to the first run of the next, when both hours are scheduled.
  const wraps = [...hours].some((h) => hours.has((h + 1) % 24));
  if (wraps && minutes.length > 0) {
    gap = Math.min(gap, 60 - (minutes[minutes.length - 1] as number) + (minutes[0] as number));
  }
  return gap;
}

function isRealTimestamp(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})$/.exec(text);
  if (m === null) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, sec));
  return (
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === (mo as number) - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === sec
  );
}

/**
 * Returns undefined when `expr` is a schedule Systems Manager accepts for maintenance windows,
 * else what is wrong and an example of a valid expression. The rules, all from "Reference: Cron
 * and rate expressions for Systems Manager":
 * - `rate(value unit)`: a positive value; the unit singular for 1 and plural otherwise
 *   ("rate(1 hours) and rate(5 hour) are not valid");
 * - `cron(...)` with the six fields minutes … year, or seven with a leading seconds field, which
 *   maintenance windows accept ("Zero (0) is not supported in the seconds field");
 * - no cron faster than every 5 minutes ("Cron expressions that lead to rates faster than five
 *   (5) minute are not supported");
 * - `at(yyyy-mm-ddThh:mm:ss)`: one run at that time.
 */
export function checkScheduleExpression(expr: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expr);
  if (rate !== null) {
    const m = /^([1-9][0-9]{0,4}) (minute|minutes|hour|hours|day|days)$/.exec(rate[1] as string);
    if (m === null) {
      return `must be rate(<number> <minutes|hours|days>), got ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    const value = Number(m[1]);
    const unit = m[2] as string;
    const plural = unit.endsWith("s");
    if (value === 1 && plural) {
      return `rate(1 ...) takes a singular unit: write rate(1 ${unit.slice(0, -1)}), got ${JSON.stringify(expr)}`;
    }
    if (value > 1 && !plural) {
      return `rate(${value} ...) takes a plural unit: write rate(${value} ${unit}s), got ${JSON.stringify(expr)}`;
    }
    return undefined;
  }
  const at = /^at\((.*)\)$/.exec(expr);
  if (at !== null) {
    return isRealTimestamp(at[1] as string)
      ? undefined
      : `at(...) needs a real time yyyy-mm-ddThh:mm:ss, e.g. at(2026-07-07T15:55:00), got ${JSON.stringify(expr)}`;
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron !== null) {
    let fields = (cron[1] as string).trim().split(/\s+/);
    if (fields.length === 7) {
      const seconds = fields[0] as string;
      if (!/^([1-9]|[1-5][0-9])$/.test(seconds)) {
        return `the seconds field (the first of 7) must be one second 1–59 for maintenance windows (0 is not supported), got ${JSON.stringify(seconds)} in ${JSON.stringify(expr)}; or use the 6 fields ${SCHEDULE_EXAMPLE.replace("for example ", "like ")}`;
      }
      fields = fields.slice(1);
    }
    if (fields.length !== 6) {
      return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), or 7 with seconds first, got ${fields.length} in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    for (let i = 0; i < fields.length; i++) {
      const problem = checkCronField(fields[i] as string, i);
      if (problem !== undefined)
        return `${problem} in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    if ((fields[2] === "?") === (fields[4] === "?")) {
      return `exactly one of day-of-month and day-of-week must be "?" in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    const gap = shortestGapMinutes(fields[0] as string, fields[1] as string);
    if (gap < 5) {
      return `runs every ${gap} minute${gap === 1 ? "" : "s"} in ${JSON.stringify(expr)}; Systems Manager does not support cron schedules faster than every 5 minutes, so space the minutes at least 5 apart (e.g. 0/5)`;
    }
    return undefined;
  }
  return `must be a cron(...), rate(...) or at(...) expression, got ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
}

/** SSM's pattern for MaxConcurrency (also TargetLocationMaxConcurrency). */
export const MAX_CONCURRENCY_PATTERN = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
/** SSM's pattern for MaxErrors (also TargetLocationMaxErrors). */
export const MAX_ERRORS_PATTERN = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

export function checkMaxConcurrency(value: string): string | undefined {
  return MAX_CONCURRENCY_PATTERN.test(value)
    ? undefined
    : `must be a count of at least 1 ("10") or a percentage 1%–100% ("10%"), got ${JSON.stringify(value)}`;
}

export function checkMaxErrors(value: string): string | undefined {
  return MAX_ERRORS_PATTERN.test(value)
    ? undefined
    : `must be a count ("0", "3") or a percentage 0%–100% ("5%"), got ${JSON.stringify(value)}`;
}

/**
 * Zone names already found valid. Building an Intl.DateTimeFormat costs about 0.15 ms, and a fleet
 * names the same few zones in every window of every account. Bounded, as Intl also accepts any
 * upper/lower-case spelling of a name.
 */
const KNOWN_TIME_ZONES = new Set<string>();
const MAX_KNOWN_TIME_ZONES = 2000;

/** True when `tz` is an IANA time zone this Node.js knows (AWS uses the same database). */
export function isTimeZone(tz: string): boolean {
  if (tz === "") return false;
  if (KNOWN_TIME_ZONES.has(tz)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    return false;
  }
  if (KNOWN_TIME_ZONES.size < MAX_KNOWN_TIME_ZONES) KNOWN_TIME_ZONES.add(tz);
  return true;
}
