/**
 * A ring rollout's record in the run store (beside the patch runs): which rings started and
 * finished, when, with which patch run, what they installed and what the next ring is given. It is
 * written before a ring's run starts and after it ends, so a crash or Ctrl-C loses nothing: the
 * next `patch --ring` continues the same rollout, and the ring's patch run resumes through its own
 * record (ClientToken and run tag), never starting a second execution.
 */
import { createHash, randomBytes } from "crypto";
import { promises as fs } from "fs";
import * as path from "path";
import type { PatchTargetState } from "../patch-report";

/** One patch as the override list names it (id and title, AWS-RunPatchBaseline's format). */
export interface PromotedPatch {
  id: string;
  title: string;
}

/** What a ring installed, per operating system and patch group. */
export interface InstalledSet {
  gatheredAt: string;
  /** `${platform}|${patchGroup}` → patches, sorted by id then title. */
  groups: { platform: string; patchGroup: string; patches: PromotedPatch[] }[];
  /** Account-regions that could not be read, with the reason. */
  unread: string[];
}

export interface RingRecord {
  /** The patch run (ops/run-store) of this ring. */
  runId?: string;
  startedAt: string;
  finishedAt?: string;
  summary?: Record<PatchTargetState, number>;
  /** s3:// URL of the override list this ring was given, with its patch count. */
  installOverrideList?: string;
  promoted?: number;
  forced?: string;
  /** What this ring installed, read when the ring after it starts. */
  installed?: InstalledSet;
}

export interface RingRollout {
  rolloutId: string;
  fleetFile: string;
  createdAt: string;
  rings: Record<string, RingRecord>;
}

export class RingStore {
  constructor(
    readonly dir: string,
    readonly fleetFile: string,
  ) {}

  get file(): string {
    const id = createHash("sha256").update(path.resolve(this.fleetFile)).digest("hex").slice(0, 12);
    return path.join(this.dir, `rings-${id}.json`);
  }

  async load(): Promise<RingRollout | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.file, "utf8")) as RingRollout;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
  }

  create(now: Date): RingRollout {
    return {
      rolloutId: randomBytes(4).toString("hex"),
      fleetFile: path.resolve(this.fleetFile),
      createdAt: now.toISOString(),
      rings: {},
    };
  }

  /** Atomic write (temporary file, then rename); an earlier rollout is kept as rings-<id>-<rollout>.json. */
  async save(rollout: RingRollout): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(rollout, null, 2) + "\n");
    await fs.rename(tmp, this.file);
  }

  async archive(rollout: RingRollout): Promise<void> {
    const to = this.file.replace(/\.json$/, `-${rollout.rolloutId}.json`);
    await fs.rename(this.file, to).catch(() => undefined);
  }
}
