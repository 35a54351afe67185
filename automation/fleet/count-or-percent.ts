/**
 * Count-or-percent values (rollout.maxConcurrent, rollout.failureTolerance, and the CLI's
 * --max-concurrent and --failure-tolerance): one rule for the fleet file and the command line.
 */
import type { CountOrPercent } from "./types";

/**
 * A whole number of targets (`min` or more; a number, or digits in a string) or a percentage
 * "P%" with P from `min` to 100 (at least 1 where `min` is 1). Undefined when `raw` is neither;
 * each caller says so in its own words.
 */
export function countOrPercentOf(raw: unknown, min: 0 | 1): CountOrPercent | undefined {
  if (typeof raw === "number") {
    return Number.isSafeInteger(raw) && raw >= min ? { kind: "count", value: raw } : undefined;
  }
  if (typeof raw !== "string") return undefined;
  if (/^[0-9]+$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) && n >= min ? { kind: "count", value: n } : undefined;
  }
  const pct = /^([0-9]{1,3})%$/.exec(raw);
  const value = pct === null ? NaN : Number(pct[1]);
  return value >= min && value <= 100 ? { kind: "percent", value } : undefined;
}
