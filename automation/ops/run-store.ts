/**
 * Patch runs persisted in the state directory, so that starting an automation is idempotent across
 * process restarts (R7): a run keeps its ClientToken and SnapshotId until its execution has ended,
 * and a second `patch` for the same fleet and operation resumes that run instead of starting anew.
 */
import { randomBytes, randomUUID } from "crypto";
import { promises as fs } from "fs";
import * as path from "path";

export interface RunRecord {
  runId: string;
  /** Identifies "the same patch": fleet file, runbook, operation and reboot option. */
  key: string;
  operation: string;
  reboot: string;
  clientToken: string;
  snapshotId: string;
  createdAt: string;
  /** Legacy: the one multi-region execution of runs started before regions ran in order. */
  executionId?: string;
  /** Per region: its ClientToken (kept until the run ends), execution and final status. */
  regions?: Record<string, { clientToken: string; executionId?: string; finalStatus?: string }>;
  finishedAt?: string;
  finalStatus?: string;
  /** fleetDigest() of the fleet file when the run was created. */
  fleetDigest?: string;
  /** `patch --ring`: the ring, its override list and a --force reason (ops/rings). */
  ring?: { name: string; rolloutId: string; installOverrideList?: string; forced?: string };
}

export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

export class RunStore {
  constructor(readonly dir: string) {}

  fileOf(runId: string): string {
    return path.join(this.dir, `patch-run-${runId}.json`);
  }

  /** The unfinished run with this key, if any (the newest one when several exist). */
  async findOpen(key: string): Promise<RunRecord | undefined> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    let found: RunRecord | undefined;
    for (const name of names.filter((n) => /^patch-run-[0-9a-f]+\.json$/.test(n)).sort()) {
      const record = JSON.parse(await fs.readFile(path.join(this.dir, name), "utf8")) as RunRecord;
      if (record.key === key && record.finishedAt === undefined) {
        if (!found || record.createdAt > found.createdAt) found = record;
      }
    }
    return found;
  }

  /**
   * The open run for this key (resumed), or a new one with a fresh ClientToken and SnapshotId that
   * is not written until the caller saves it.
   */
  async openOrNew(
    key: string,
    operation: string,
    reboot: string,
    now: Date,
    fleetDigest?: string,
  ): Promise<{ record: RunRecord; resumed: boolean }> {
    const open = await this.findOpen(key);
    if (open) return { record: open, resumed: true };
    return {
      record: {
        runId: newRunId(),
        key,
        operation,
        reboot,
        clientToken: randomUUID(),
        snapshotId: randomUUID(),
        createdAt: now.toISOString(),
        ...(fleetDigest !== undefined ? { fleetDigest } : {}),
      },
      resumed: false,
    };
  }

  /** Deletes a run's record (a run that started nothing). */
  async remove(runId: string): Promise<void> {
    await fs.rm(this.fileOf(runId), { force: true });
  }

  /** Writes the record atomically (temporary file, then rename). */
  async save(record: RunRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.fileOf(record.runId);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(record, null, 2) + "\n");
    await fs.rename(tmp, file);
  }
}
