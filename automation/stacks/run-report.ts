/**
 * The run report: what `--report out.json` writes and `--json` prints. One entry per selected
 * stack, each with exactly one final state and a reason (RELIABILITY.md R4). Reasons and outputs
 * were redacted by the runner; nothing here reads the environment, so no secret can enter.
 */
import * as fs from "fs";
import * as path from "path";
import { TARGET_STATES, TargetState } from "../../domain";
import type { FleetRunResult } from "./run-fleet";

export const REPORT_SCHEMA_VERSION = 1;

/** The run result as written out: its fields (operation as plain text), plus version and counts. */
export interface FleetReport extends Omit<FleetRunResult, "operation"> {
  schemaVersion: number;
  tool: "patchfleet";
  operation: string;
  /** How many targets ended in each state (every state listed, zeros included). */
  counts: Record<TargetState, number>;
}

export function countStates(targets: { state: TargetState }[]): Record<TargetState, number> {
  const counts = Object.fromEntries(TARGET_STATES.map((s) => [s, 0])) as Record<
    TargetState,
    number
  >;
  for (const t of targets) counts[t.state] += 1;
  return counts;
}

export function buildReport(result: FleetRunResult): FleetReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: "patchfleet",
    operation: result.operation,
    fleetFile: result.fleetFile,
    project: result.project,
    backend: result.backend,
    selection: result.selection,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    durationMs: result.durationMs,
    interrupted: result.interrupted,
    counts: countStates(result.targets),
    targets: result.targets,
  };
}

/** Writes the report atomically (temp file + rename), creating the directory if needed. */
export async function writeReport(file: string, report: FleetReport): Promise<void> {
  const abs = path.resolve(file);
  await fs.promises.mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, JSON.stringify(report, null, 2) + "\n");
  await fs.promises.rename(tmp, abs);
}

/** 130 when interrupted, 1 when any target failed or was cancelled, else 0. */
export function exitCodeFor(report: Pick<FleetReport, "interrupted" | "counts">): 0 | 1 | 130 {
  if (report.interrupted) return 130;
  return report.counts.FAILED + report.counts.CANCELLED > 0 ? 1 : 0;
}
