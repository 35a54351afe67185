/**
 * `patch --ring NAME`: one ring of a ring rollout. A ring after the first starts only when the ring
 * before it has finished, its soak time has passed and its gate holds; it then installs exactly
 * what the ring before installed, through AWS-RunPatchBaseline's InstallOverrideList. `--force`
 * overrides a refusal and its reason is kept in the ring record, the run record and the report.
 * No Install starts during a freeze (Scan always runs).
 */
import { InputError } from "../../../domain";
import { closest } from "../../../components/config-util";
import type { Fleet, FleetAccount } from "../../fleet/types";
import { type Freeze, type Ring, activeFreezes } from "../../fleet/rings-settings";
import { AwsSessions } from "../aws";
import { gatherCompliance } from "../compliance";
import {
  type PatchOptions,
  type PatchReport,
  PatchRunError,
  defaultStateDir,
  runPatch,
} from "../patch";
import { centralRef, homeRegion } from "../preflight";
import { gatherInstalled } from "./installed";
import {
  overrideKey,
  overrideListYaml,
  promotedPatches,
  uploadOverrideList,
} from "./override-list";
import { type RingRecord, type RingRollout, RingStore } from "./ring-store";

/** A ring may not start (exit 2): the message names what holds it back and how far off it is. */
/** A ring that may not start yet (gate, soak, freeze): exit 2, like other refused input. */
export class RingRefusal extends InputError {}

export interface RingRunOptions extends Omit<PatchOptions, "ring"> {
  ring: string;
  /** Overrides a gate, soak, unfinished earlier ring or freeze refusal; recorded. */
  force?: string;
  /** Archive the current rollout and start a new one (only with the first ring). */
  newRollout?: boolean;
  now?: () => Date;
}

export type RingRunResult =
  | { kind: "patched"; report: PatchReport; rolloutId: string }
  | { kind: "already-finished"; message: string; rolloutId: string };

function hours(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.ceil((ms % 3_600_000) / 60_000);
  return m === 60 ? `${h + 1} h 0 min` : `${h} h ${m} min`;
}

function pct(n: number): string {
  return `${Math.round(n * 10) / 10} %`;
}

/** The freeze refusal for an Install of `ring` (or of the whole fleet), if one is in force. */
export function freezeRefusal(
  fleet: Fleet,
  ring: string | undefined,
  now: Date,
): string | undefined {
  const frozen: Freeze[] = activeFreezes(fleet.freezes, ring, now);
  if (frozen.length === 0) return undefined;
  const f = frozen[0];
  return (
    `Install is frozen${ring ? ` for ring ${ring}` : ""} until ${f.end} (${f.reason}); ` +
    'Scan still runs. Wait until the freeze ends, or pass --force "<reason>" to install anyway'
  );
}

export function ringAccounts(fleet: Fleet, ring: Ring): FleetAccount[] {
  return [fleet.central, ...fleet.members].filter((a) => ring.accounts.includes(a.account));
}

function findRing(fleet: Fleet, name: string): { ring: Ring; index: number } {
  const rings = fleet.rings;
  if (rings === undefined) {
    throw new RingRefusal(
      `--ring ${name}: the fleet file has no rings:; add them (docs/fleet-file.md "Rings") or leave out --ring`,
    );
  }
  const index = rings.findIndex((r) => r.name === name);
  if (index < 0) {
    const guess = closest(
      name,
      rings.map((r) => r.name),
    );
    throw new RingRefusal(
      `--ring ${name}: no such ring; ${guess ? `did you mean ${guess}? ` : ""}rings in order: ${rings.map((r) => r.name).join(", ")}`,
    );
  }
  return { ring: rings[index], index };
}

/**
 * Why `ring` may not start yet, one line each: the ring before must have finished in this rollout,
 * its soak time passed, and its gate hold.
 */
export async function gateProblems(
  fleet: Fleet,
  ring: Ring,
  prev: Ring,
  record: RingRecord | undefined,
  rollout: RingRollout,
  now: Date,
  options: Pick<RingRunOptions, "aws" | "signal">,
): Promise<string[]> {
  if (record === undefined) {
    return [
      `ring ${prev.name} has not run in rollout ${rollout.rolloutId}; run \`patchfleet patch --ring ${prev.name} --operation Install\` first`,
    ];
  }
  if (record.finishedAt === undefined) {
    return [
      `ring ${prev.name} has not finished (run ${record.runId ?? "starting"}); run \`patchfleet patch --ring ${prev.name} --operation Install\` again to follow it to the end`,
    ];
  }
  const problems: string[] = [];
  const ready = Date.parse(record.finishedAt) + ring.soakHours * 3_600_000;
  if (now.getTime() < ready) {
    problems.push(
      `soak: ring ${ring.name} starts ${ring.soakHours} h after ring ${prev.name} finished (${record.finishedAt}); ` +
        `${hours(ready - now.getTime())} to go (at ${new Date(ready).toISOString()})`,
    );
  }
  const min = ring.gate.minSucceededPercent;
  if (min !== undefined) {
    const s = record.summary;
    const total = s ? Object.values(s).reduce((a, b) => a + b, 0) : 0;
    const ok = total === 0 ? 0 : (100 * (s?.SUCCEEDED ?? 0)) / total;
    if (ok < min) {
      problems.push(
        `gate minSucceededPercent ${min}: ring ${prev.name} succeeded in ${s?.SUCCEEDED ?? 0} of ${total} account-region(s) (${pct(ok)}), ${pct(min - ok)} short`,
      );
    }
  }
  const minCompliant = ring.gate.minCompliantPercent;
  if (minCompliant !== undefined) {
    const members = ringAccounts(fleet, prev);
    const report = await gatherCompliance({
      fleet: { ...fleet, members },
      runId: rollout.rolloutId,
      aws: options.aws,
      sla: false,
      detailLimit: 0,
      signal: options.signal,
    });
    const n = report.totals.instances;
    const ok = n === 0 ? 0 : (100 * report.totals.compliant) / n;
    const unread = report.targets.filter((t) => t.state !== "SUCCEEDED").length;
    if (ok < minCompliant) {
      problems.push(
        `gate minCompliantPercent ${minCompliant}: ${report.totals.compliant} of ${n} managed node(s) of ring ${prev.name} are compliant (${pct(ok)}), ${pct(minCompliant - ok)} short` +
          (unread > 0 ? `; ${unread} account-region(s) could not be read (readRole)` : ""),
      );
    }
  }
  return problems;
}

export async function runRing(options: RingRunOptions): Promise<RingRunResult> {
  const { fleet } = options;
  const now = options.now ?? (() => new Date());
  const { ring, index } = findRing(fleet, options.ring);
  const accounts = ring.accounts;
  const stateDir = options.stateDir ?? defaultStateDir(fleet);
  const store = new RingStore(stateDir, fleet.file);
  let rollout = (await store.load()) ?? store.create(now());
  const base = { ...options, stateDir };
  if (options.operation === "Scan") {
    // A scan installs nothing: no gate, no freeze, no ring record.
    const report = await runPatch({
      ...base,
      ring: { name: ring.name, rolloutId: `scan-${rollout.rolloutId}`, accounts },
    });
    return { kind: "patched", report, rolloutId: rollout.rolloutId };
  }
  const frozen = freezeRefusal(fleet, ring.name, now());
  if (frozen !== undefined && options.force === undefined) throw new RingRefusal(frozen);
  if (options.newRollout) {
    if (index !== 0) {
      throw new RingRefusal(`--new-rollout starts with the first ring, ${fleet.rings![0].name}`);
    }
    if (Object.keys(rollout.rings).length > 0) await store.archive(rollout);
    rollout = store.create(now());
  }
  let entry = rollout.rings[ring.name];
  if (entry?.finishedAt !== undefined) {
    return {
      kind: "already-finished",
      rolloutId: rollout.rolloutId,
      message:
        `ring ${ring.name} already finished in rollout ${rollout.rolloutId} at ${entry.finishedAt} ` +
        `(run ${entry.runId}); nothing was started. ` +
        (index + 1 < fleet.rings!.length
          ? `Next: patchfleet patch --ring ${fleet.rings![index + 1].name} --operation Install`
          : `It is the last ring; start a new rollout with --ring ${fleet.rings![0].name} --new-rollout`),
    };
  }
  if (entry === undefined) {
    const forced = options.force;
    entry = { startedAt: now().toISOString(), ...(forced !== undefined ? { forced } : {}) };
    if (index > 0) {
      const prev = fleet.rings![index - 1];
      const prevRecord = rollout.rings[prev.name];
      const problems = await gateProblems(fleet, ring, prev, prevRecord, rollout, now(), options);
      if (problems.length > 0 && forced === undefined) {
        throw new RingRefusal(
          `ring ${ring.name} may not start yet:\n  ${problems.join("\n  ")}\n` +
            `Pass --force "<reason>" to start it anyway (the reason is recorded).`,
        );
      }
      if (prevRecord?.finishedAt !== undefined) {
        const aws = new AwsSessions({ ...options.aws, runId: rollout.rolloutId });
        try {
          prevRecord.installed ??= await gatherInstalled(
            aws,
            ringAccounts(fleet, prev),
            new Date(prevRecord.startedAt),
            new Date(prevRecord.finishedAt),
            now(),
          );
          const patches = promotedPatches(prevRecord.installed);
          if (patches.length === 0 && forced === undefined) {
            throw new RingRefusal(
              `ring ${prev.name} installed no patch during its run (${prevRecord.startedAt} – ${prevRecord.finishedAt})` +
                (prevRecord.installed.unread.length > 0
                  ? `; not read: ${prevRecord.installed.unread.join("; ")}`
                  : "") +
                `; there is nothing to promote. Pass --force "<reason>" to install what the baseline approves instead`,
            );
          }
          if (patches.length > 0) {
            entry.installOverrideList = await uploadOverrideList(
              aws,
              centralRef(fleet),
              homeRegion(fleet),
              fleet.logBucketName,
              overrideKey(rollout.rolloutId, ring.name),
              overrideListYaml(prevRecord.installed, prev.name),
            );
            entry.promoted = patches.length;
          }
        } finally {
          aws.destroy();
        }
      }
    }
    // On disk before the run starts: a crash from here on resumes this ring, never restarts it.
    rollout.rings[ring.name] = entry;
    await store.save(rollout);
  }
  let report: PatchReport;
  try {
    report = await runPatch({
      ...base,
      ring: {
        name: ring.name,
        rolloutId: rollout.rolloutId,
        accounts,
        ...(entry.installOverrideList ? { installOverrideList: entry.installOverrideList } : {}),
        ...(entry.forced !== undefined ? { forced: entry.forced } : {}),
      },
    });
  } catch (err) {
    if (err instanceof PatchRunError && err.recordFile === undefined && entry.runId === undefined) {
      // Nothing started: the ring has not begun, so its gate is checked again next time.
      delete rollout.rings[ring.name];
      await store.save(rollout);
    }
    throw err;
  }
  entry.runId = report.runId;
  if (report.preflight.length > 0) {
    delete rollout.rings[ring.name];
  } else if (!report.interrupted) {
    entry.finishedAt = now().toISOString();
    entry.summary = report.summary;
  }
  await store.save(rollout);
  return { kind: "patched", report, rolloutId: rollout.rolloutId };
}
