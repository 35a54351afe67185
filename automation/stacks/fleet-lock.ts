/**
 * One run at a time per fleet. Two `patchfleet up` runs of the same fleet would race on every stack
 * (the second fails with "stack already exists", cancels its members and overwrites the first
 * run's report), so a run holds a lock file beside the state for its whole length.
 *
 * The file is created with O_EXCL, which is atomic on local file systems: of two runs, exactly one
 * creates it. It names its holder (pid, host, start time, operation), so a refused run can say who
 * holds it. A holder on this host whose process is gone left a stale lock (SIGKILL, power loss):
 * it is reported as stale and removed only when asked (`--break-lock`), never silently, because a
 * run that died mid-update may have left stacks that need `patchfleet refresh` first.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../../domain";

export const LOCK_FILE = ".patchfleet.lock";

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the run started. */
  since: string;
  operation: string;
  fleet: string;
  /** Distinguishes this holder from a later one with the same pid. */
  token: string;
}

/** The fleet is locked by another run, or by a stale lock: the CLI exits 2 with the message. */
export class FleetLockError extends InputError {
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
    readonly stale: boolean,
  ) {
    super(message);
  }
}

export interface FleetLock {
  file: string;
  holder: LockHolder;
  /** Removes the lock if it is still ours. Safe to call more than once. */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockHolder>;
    if (typeof doc.pid === "number" && typeof doc.host === "string") return doc as LockHolder;
  } catch {
    // Unreadable or half written: described as unknown below.
  }
  return undefined;
}

function describe(h: LockHolder): string {
  return `patchfleet ${h.operation} (pid ${h.pid} on ${h.host}, since ${h.since})`;
}

/**
 * Takes the lock in `dir` for a run of `operation` on `fleet`, or throws FleetLockError naming the
 * holder. `breakLock` removes a stale lock, or one held from another host (whose process cannot be
 * checked from here); a live holder on this host is never overridden.
 */
export function acquireFleetLock(
  dir: string,
  run: { operation: string; fleet: string },
  options: { breakLock?: boolean } = {},
): FleetLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    since: new Date().toISOString(),
    operation: run.operation,
    fleet: run.fleet,
    token: crypto.randomBytes(8).toString("hex"),
  };
  // The holder is written to a file of our own first and published with link(2), which fails
  // with EEXIST when the lock exists: a lock is never seen half-written, so a second run always
  // reads who holds it.
  const draft = `${file}.${process.pid}.${holder.token}`;
  fs.writeFileSync(draft, JSON.stringify(holder, null, 2) + "\n", { mode: 0o644 });
  try {
    takeLock(file, draft, options);
  } finally {
    fs.rmSync(draft, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    // Only our own lock: never one a --break-lock run took over in the meantime.
    if (readHolder(file)?.token === holder.token) fs.rmSync(file, { force: true });
  };
  // process.exit (a second Ctrl-C) skips every `finally`: the lock still goes.
  process.on("exit", release);
  return { file, holder, release };
}

function takeLock(file: string, draft: string, options: { breakLock?: boolean }): void {
  for (let attempt = 0; ; attempt++) {
    try {
      fs.linkSync(draft, file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) throw err;
      const other = readHolder(file);
      const here = other?.host === os.hostname();
      const stale = other !== undefined && here && !alive(other.pid);
      if (options.breakLock && other !== undefined && (stale || !here)) {
        breakLock(file, other);
        continue;
      }
      throw new FleetLockError(lockedMessage(file, other, stale, here), other, stale);
    }
  }
}

function lockedMessage(
  file: string,
  other: LockHolder | undefined,
  stale: boolean,
  here: boolean,
): string {
  if (other === undefined) {
    return (
      `the fleet is locked by ${file}, whose holder cannot be read; if no other patchfleet run ` +
      `of this fleet is going on, delete that file`
    );
  }
  if (stale) {
    return (
      `the fleet is locked by ${describe(other)}, which is no longer running: the lock is stale. ` +
      `Run \`patchfleet refresh\` if that run was interrupted mid-update, and run again with ` +
      `--break-lock to remove the lock (${file})`
    );
  }
  return here
    ? `the fleet is locked by ${describe(other)}, which is still running; wait for it to finish`
    : `the fleet is locked by ${describe(other)}; wait for it to finish, or if that run is gone, ` +
        `run again with --break-lock (${file})`;
}

/** Moves the lock aside, then checks it was the one judged breakable (not a fresh one). */
function breakLock(file: string, judged: LockHolder): void {
  const aside = `${file}.broken-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // someone else broke it
    throw err;
  }
  const moved = readHolder(aside);
  if (moved?.token !== judged.token || moved?.pid !== judged.pid) {
    // Another run took the lock between our read and the rename: put it back.
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third run holds the file now; the moved lock was never ours to keep either way.
    }
  }
  fs.rmSync(aside, { force: true });
}
