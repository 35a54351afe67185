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

/**
 * Returns undefined when `expr` is a schedule Systems Manager accepts for maintenance windows,
 * else what is wrong and an example of a valid expression.
 */
export function checkScheduleExpression(expr: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expr);
  if (rate !== null) {
    const m = /^([1-9][0-9]{0,4}) (minutes?|hours?|days?)$/.exec(rate[1] as string);
    if (m === null) {
      return `must be rate(<number> <minutes|hours|days>), got ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (cron !== null) {
    const fields = (cron[1] as string).trim().split(/\s+/);
    if (fields.length !== 6) {
      return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length} in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    for (let i = 0; i < fields.length; i++) {
      const problem = checkCronField(fields[i] as string, i);
      if (problem !== undefined)
        return `${problem} in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    if ((fields[2] === "?") === (fields[4] === "?")) {
      return `exactly one of day-of-month and day-of-week must be "?" in ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
    }
    return undefined;
  }
  return `must be a cron(...) or rate(...) expression, got ${JSON.stringify(expr)}; ${SCHEDULE_EXAMPLE}`;
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

/** True when `tz` is an IANA time zone this Node.js knows (AWS uses the same database). */
export function isTimeZone(tz: string): boolean {
  if (tz === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
