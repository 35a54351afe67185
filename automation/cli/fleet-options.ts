/**
 * Options shared by the stack commands: parsing and validating --max-concurrent,
 * --failure-tolerance and --only, and loading the fleet file with every problem listed.
 */
import type { CountOrPercent, Fleet } from "../fleet/types";
import { countOrPercentOf } from "../fleet/count-or-percent";
import { FleetError, loadFleet } from "../fleet/parse-fleet";
import { UsageError } from "./io";

/** "3" or "25%": a whole count ≥ min, or a percentage 1–100 (0–100 when min is 0). */
export function parseCountOrPercent(option: string, raw: string, min: 0 | 1): CountOrPercent {
  const value = countOrPercentOf(raw, min);
  if (value !== undefined) return value;
  throw new UsageError(
    `${option} must be a whole number >= ${min} or a percentage ${min === 0 ? 0 : 1}%-100% ` +
      `(e.g. ${option} ${min === 0 ? "0" : "5"} or ${option} 25%), got "${raw}"`,
  );
}

/** "a,b" → ["a", "b"]; empty entries are an error. */
export function parseList(option: string, raw: string): string[] {
  const items = raw.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) {
    throw new UsageError(
      `${option} takes a comma-separated list of account names or ids, got "${raw}"`,
    );
  }
  return items;
}

/** Loads and validates the fleet file; a FleetError becomes one UsageError listing every issue. */
export async function loadFleetOption(file: string | undefined): Promise<Fleet> {
  if (file === undefined) {
    throw new UsageError("--fleet <file> is required (e.g. --fleet examples/fleet.yaml)");
  }
  try {
    return await loadFleet(file);
  } catch (err: unknown) {
    if (err instanceof FleetError) throw new UsageError(`invalid fleet file:\n${err.message}`);
    throw err;
  }
}
