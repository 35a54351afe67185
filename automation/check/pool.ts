/**
 * Runs check jobs on a pool of child processes. Each worker synthesizes a batch of targets, one
 * fresh runtime per target, then exits and a new worker takes its place: a leak in one program (or
 * in the SDK) cannot grow without bound, so memory stays flat however large the fleet.
 *
 * Child processes rather than worker threads: the SDK keeps process-wide state (module-level
 * monitor, process event handlers, `global` stores), a crash of one stays in its process, and each
 * process's peak memory can be measured on its own.
 */
import { ChildProcess, fork } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OutputForwarder, type OutputStats } from "./output";
import { INTERRUPTED, NOT_CHECKED } from "./types";
import type { CheckJob, TargetResult, WorkerMessage, WorkerRequest } from "./types";

export interface PoolOptions {
  /** Worker processes at once. @default the machine's available parallelism */
  workers?: number;
  /** Targets a worker synthesizes before it is replaced. @default 150 */
  batchSize?: number;
  /** Stops handing out targets when aborted; targets not started are reported as not checked. */
  signal?: AbortSignal;
  /** Called as each target finishes, in completion order. */
  onResult?: (result: TargetResult) => void;
  /**
   * A target that takes longer (a program waiting on something that never comes) fails with a
   * message saying so, and its worker is replaced. @default 120000, or PATCHFLEET_CHECK_TIMEOUT_MS
   */
  targetTimeoutMs?: number;
  /**
   * How long a worker told to stop has before SIGKILL.
   * @default 2000, or PATCHFLEET_KILL_GRACE_MS
   */
  killGraceMs?: number;
  /**
   * Bytes of program output shown on stderr before the rest goes to a spool file.
   * @default 4 MiB, or PATCHFLEET_CHECK_OUTPUT_LIMIT
   */
  outputLimit?: number;
  /** Where program output goes. @default process.stderr */
  writeOutput?: (chunk: Buffer) => void;
}

export interface PoolStats {
  workersStarted: number;
  /** Largest peak resident set size of any one worker, in KiB. */
  peakWorkerRssKiB: number;
  /** What the checked programs printed, and where it went. */
  output: OutputStats;
}

/**
 * A worker's memory stays nearly flat from one target to the next (about 220 MB resident after
 * 100 topology targets, 290 MB after 250), so the batch only bounds what an unnoticed leak could
 * grow to. Starting a worker costs about half a second of CPU (loading the SDK with its closure
 * modules deferred, automation/startup; the AWS services the components use; the policy pack), so
 * batches are large: a fleet of 500 account-regions starts two workers.
 */
export const DEFAULT_BATCH_SIZE = 150;

/** A target's result when it produced none: no resources, and `message` as its failure. */
export function failedResult(job: CheckJob, message: string): TargetResult {
  return {
    index: job.index,
    name: job.name,
    account: job.account,
    regions: job.regions,
    resources: [],
    violations: [],
    warnings: [],
    failure: { message },
    millis: 0,
  };
}

export function defaultWorkerCount(): number {
  return Math.max(1, os.availableParallelism());
}

/** The worker entry: compiled JavaScript when it exists, the TypeScript source as a last resort. */
export function workerEntry(): { script: string; execArgv: string[] } {
  const beside = path.join(__dirname, "worker.js");
  if (fs.existsSync(beside)) return { script: beside, execArgv: [] };
  const root = path.join(__dirname, "..", "..");
  const compiled = path.join(root, "dist", "automation", "check", "worker.js");
  if (fs.existsSync(compiled)) return { script: compiled, execArgv: [] };
  return {
    script: path.join(__dirname, "worker.ts"),
    execArgv: ["-r", "ts-node/register/transpile-only"],
  };
}

/** A whole number of milliseconds from the environment, or `fallback`. */
function envMs(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw !== undefined && /^[0-9]+$/.test(raw) ? Number(raw) : fallback;
}

/** How long a worker told to stop (SIGTERM) has before it is killed (SIGKILL). @default 2000 */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** Every worker process group still alive, ended by the exit hook whatever way the CLI exits. */
const live = new Set<Worker>();
let exitHook = false;

/**
 * One worker process. It leads a process group of its own, so that stopping it also stops any
 * process the checked program started, and a terminal's Ctrl-C reaches only the coordinator, which
 * decides what to stop.
 */
class Worker {
  private readonly child: ChildProcess;
  private readonly waiters: ((msg: WorkerMessage | Error) => void)[] = [];
  private stderrTail = "";
  private killTimer: NodeJS.Timeout | undefined;
  /** Resolves when the process has exited and its output pipes are drained. */
  readonly closed: Promise<void>;
  exited = false;
  /** The latest progress report of the job in hand. */
  progress: { resources: number; changedAt: number; heardAt: number } | undefined;

  constructor(
    output: OutputForwarder,
    private readonly graceMs: number,
  ) {
    const entry = workerEntry();
    this.child = fork(entry.script, [], {
      execArgv: entry.execArgv,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      detached: true,
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
    });
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      // Runs on process.exit (a second Ctrl-C), on a crash of the coordinator and at a normal end.
      process.on("exit", () => {
        for (const w of live) w.signalGroup("SIGKILL");
      });
    }
    // A program's console output goes to stderr: stdout carries the report alone.
    const forward = (chunk: Buffer) => {
      output.add(chunk);
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    };
    this.child.stdout?.on("data", forward);
    this.child.stderr?.on("data", forward);
    this.child.on("message", (msg: WorkerMessage) => {
      if (msg.kind === "progress") {
        const now = Date.now();
        this.progress = { resources: msg.resources, changedAt: now - msg.idleMs, heardAt: now };
        return;
      }
      this.waiters.shift()?.(msg);
    });
    this.child.on("exit", (code, sig) => {
      this.exited = true;
      if (this.killTimer) clearTimeout(this.killTimer);
      // Whatever the program started in the worker's group goes with it.
      this.signalGroup("SIGKILL");
      live.delete(this);
      const tail = this.stderrTail.trim();
      const err = new Error(
        `check worker exited unexpectedly (${sig ?? `code ${code}`})${tail ? `: ${tail}` : ""}`,
      );
      for (const w of this.waiters.splice(0)) w(err);
    });
    this.closed = new Promise((resolve) => this.child.on("close", () => resolve()));
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, sig);
    } catch {
      // The group is gone already.
    }
  }

  next(timeoutMs?: number): Promise<WorkerMessage> {
    if (this.exited) return Promise.reject(new Error("check worker is gone"));
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              reject(new Error(timeoutMessage(timeoutMs, this.progress)));
            }, timeoutMs);
      const waiter = (m: WorkerMessage | Error) => {
        if (timer) clearTimeout(timer);
        if (m instanceof Error) reject(m);
        else resolve(m);
      };
      this.waiters.push(waiter);
    });
  }

  send(req: WorkerRequest): void {
    if (req.kind === "job") this.progress = undefined;
    // A worker stopped by an abort or a timeout may be gone before this reaches it (EPIPE): its
    // exit already answers the pending `next()`, so the failed send needs no error of its own.
    if (!this.child.connected) return;
    this.child.send(req, () => undefined);
  }

  /** SIGTERM to the worker's group; SIGKILL once the grace period has passed. */
  stop(): void {
    if (this.exited || this.killTimer) return;
    this.signalGroup("SIGTERM");
    this.killTimer = setTimeout(() => this.signalGroup("SIGKILL"), this.graceMs);
  }
}

function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** Why a target ran out of time, from what its worker last reported. */
export function timeoutMessage(
  timeoutMs: number,
  progress: { resources: number; changedAt: number; heardAt: number } | undefined,
  now = Date.now(),
): string {
  const within = `did not finish within ${secondsText(timeoutMs)}`;
  const n = progress?.resources ?? 0;
  const count = `${n.toLocaleString("en-US")} resource${n === 1 ? "" : "s"}`;
  const raise = "set PATCHFLEET_CHECK_TIMEOUT_MS to allow more time";
  // Progress comes at the start of a job and every half second while the worker's event loop
  // turns: silence means the program holds the thread (a loop that never yields).
  if (progress === undefined || now - progress.heardAt > 1200) {
    const after = n > 0 ? ` after registering ${count}` : "";
    return `${within}: it stopped responding${after}; the program may be busy in a loop that never ends`;
  }
  if (n > 0 && now - progress.changedAt <= Math.min(5000, timeoutMs / 4)) {
    return `${within}: it was still registering resources (${count} so far); a program this large needs more time: ${raise}`;
  }
  return n > 0
    ? `${within}; the program may be waiting on something that never completes (${count} registered, none in the last ${secondsText(now - progress.changedAt)})`
    : `${within}; the program may be waiting on something that never completes`;
}

/** Synthesizes and evaluates every job; results are returned in job order. */
export async function runJobs(
  jobs: readonly CheckJob[],
  options: PoolOptions = {},
): Promise<{ results: TargetResult[]; stats: PoolStats }> {
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkerCount(), jobs.length));
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const timeoutMs = options.targetTimeoutMs ?? envMs("PATCHFLEET_CHECK_TIMEOUT_MS", 120_000);
  const graceMs = options.killGraceMs ?? envMs("PATCHFLEET_KILL_GRACE_MS", DEFAULT_KILL_GRACE_MS);
  const output = new OutputForwarder(
    options.writeOutput ?? ((chunk) => process.stderr.write(chunk)),
    options.outputLimit ?? envMs("PATCHFLEET_CHECK_OUTPUT_LIMIT", 4 * 1024 * 1024),
  );
  const results: (TargetResult | undefined)[] = new Array(jobs.length);
  const stats = { workersStarted: 0, peakWorkerRssKiB: 0 };
  const started: Worker[] = [];
  let nextJob = 0;
  const take = (): CheckJob | undefined => (options.signal?.aborted ? undefined : jobs[nextJob++]);
  // An interrupt stops the targets in flight too: their workers are told to stop, then killed.
  const onAbort = () => {
    for (const w of started) w.stop();
  };
  options.signal?.addEventListener("abort", onAbort);

  const finish = (job: CheckJob, result: TargetResult) => {
    results[job.index] = result;
    options.onResult?.(result);
  };

  async function slot(): Promise<void> {
    let job = take();
    while (job) {
      const worker = new Worker(output, graceMs);
      started.push(worker);
      stats.workersStarted += 1;
      try {
        const ready = await worker.next();
        if (ready.kind !== "ready") throw new Error(`check worker sent ${ready.kind} first`);
        for (let n = 0; job && n < batchSize; n++) {
          worker.send({ kind: "job", job });
          const msg = await worker.next(timeoutMs);
          if (msg.kind !== "result") throw new Error(`check worker sent ${msg.kind}, not a result`);
          finish(job, msg.result);
          job = n + 1 < batchSize ? take() : undefined;
        }
        worker.send({ kind: "stop" });
        const stopped = await worker.next();
        if (stopped.kind === "stopped") {
          stats.peakWorkerRssKiB = Math.max(stats.peakWorkerRssKiB, stopped.maxRssKiB);
        }
      } catch (err) {
        // The job in hand is reported with the worker's own last words; the rest go on.
        if (job && results[job.index] === undefined) {
          const message = options.signal?.aborted
            ? INTERRUPTED
            : err instanceof Error
              ? err.message
              : String(err);
          finish(job, failedResult(job, message));
          job = undefined;
        }
        worker.stop();
      }
      // Its output is complete before the next worker's, and before the totals are read.
      await worker.closed;
      job ??= take();
    }
  }

  try {
    await Promise.all(Array.from({ length: workers }, () => slot()));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
  const all = jobs.map((job) => results[job.index] ?? failedResult(job, NOT_CHECKED));
  return { results: all, stats: { ...stats, output: output.finish() } };
}
