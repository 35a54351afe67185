/**
 * `rings status`: per ring of the current rollout, what it installed and when, its gate and soak,
 * and what the next ring will get. Read from the run store only: no AWS call.
 */
import type { Fleet } from "../../fleet/types";
import { defaultStateDir } from "../patch";
import { promotedPatches } from "./override-list";
import { type RingRecord, RingStore } from "./ring-store";

export interface RingStatus {
  name: string;
  accounts: string[];
  state: "not started" | "running" | "finished";
  soakHours: number;
  gate: string;
  record?: RingRecord;
  /** What this ring installed, per OS and patch group (once the ring after it has started). */
  installed?: string[];
  /** What the next ring will get, in words. */
  next?: string;
}

export interface RingsStatusReport {
  kind: "rings-status";
  rolloutId?: string;
  rings: RingStatus[];
}

export async function ringsStatus(fleet: Fleet, stateDir?: string): Promise<RingsStatusReport> {
  const rings = fleet.rings ?? [];
  const rollout = await new RingStore(stateDir ?? defaultStateDir(fleet), fleet.file).load();
  const out: RingStatus[] = rings.map((ring, i) => {
    const record = rollout?.rings[ring.name];
    const g = ring.gate;
    const gate =
      i === 0
        ? "none (first ring)"
        : [
            g.minSucceededPercent !== undefined ? `succeeded ≥ ${g.minSucceededPercent} %` : "",
            g.minCompliantPercent !== undefined ? `compliant ≥ ${g.minCompliantPercent} %` : "",
          ]
            .filter((s) => s !== "")
            .join(", ") || "ring before finished";
    const status: RingStatus = {
      name: ring.name,
      accounts: ring.accounts,
      state: record === undefined ? "not started" : record.finishedAt ? "finished" : "running",
      soakHours: ring.soakHours,
      gate,
    };
    if (record) status.record = record;
    if (record?.installed) {
      status.installed = record.installed.groups.map(
        (x) =>
          `${x.platform} / ${x.patchGroup}: ${x.patches.map((p) => p.title || p.id).join(", ")}`,
      );
    }
    const next = rings[i + 1];
    if (next !== undefined) {
      const given = rollout?.rings[next.name];
      status.next = given?.installOverrideList
        ? `${next.name} got ${given.promoted ?? 0} patch(es): ${given.installOverrideList}`
        : record?.installed
          ? `${next.name} gets ${promotedPatches(record.installed).length} patch(es)`
          : record?.finishedAt
            ? `${next.name} gets what ${ring.name} installed between ${record.startedAt} and ${record.finishedAt} (read when it starts, ${next.soakHours} h after ${record.finishedAt} at the earliest)`
            : `${next.name} waits for ${ring.name} to finish`;
    }
    return status;
  });
  return { kind: "rings-status", ...(rollout ? { rolloutId: rollout.rolloutId } : {}), rings: out };
}

export function renderRingsStatus(report: RingsStatusReport): string {
  const lines = [`Rollout ${report.rolloutId ?? "(none started)"}`];
  for (const r of report.rings) {
    const rec = r.record;
    lines.push(
      `${r.name}: ${r.state}` +
        (rec ? `, started ${rec.startedAt}` : "") +
        (rec?.finishedAt ? `, finished ${rec.finishedAt}` : "") +
        (rec?.runId ? ` (run ${rec.runId})` : "") +
        (rec?.summary ? `, ${rec.summary.SUCCEEDED} succeeded, ${rec.summary.FAILED} failed` : ""),
      `  accounts: ${r.accounts.join(", ")}; gate: ${r.gate}; soak: ${r.soakHours} h`,
    );
    if (rec?.forced !== undefined) lines.push(`  forced: ${rec.forced}`);
    if (rec?.installOverrideList) lines.push(`  installed only: ${rec.installOverrideList}`);
    for (const i of r.installed ?? []) lines.push(`  installed ${i}`);
    if (r.next) lines.push(`  next: ${r.next}`);
  }
  return lines.join("\n") + "\n";
}
