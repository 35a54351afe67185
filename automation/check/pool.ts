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
import { NOT_CHECKED } from "./types";
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
   * message saying so, and its worker is replaced. @default 120000
   */
  targetTimeoutMs?: number;
}

export interface PoolStats {
  workersStarted: number;
  /** Largest peak resident set size of any one worker, in KiB. */
  peakWorkerRssKiB: number;
}

/**
 * A worker's memory stays nearly flat from one target to the next (about 220 MB resident after
 * 100 topology targets, 290 MB after 250), so the batch only bounds what an unnoticed leak could
 * grow to. Starting a worker costs about a second of CPU (loading the SDK, the AWS provider and
 * the policy pack), so batches are large: a fleet of 500 account-regions starts two workers.
 */
export const DEFAULT_BATCH_SIZE = 150;

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

class Worker {
  private readonly child: ChildProcess;
  private readonly waiters: ((msg: WorkerMessage | Error) => void)[] = [];
  private stderrTail = "";
  exited = false;

  constructor() {
    const entry = workerEntry();
    this.child = fork(entry.script, [], {
      execArgv: entry.execArgv,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json") },
    });
    // A program's console output goes to stderr: stdout carries the report alone.
    this.child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000);
    });
    this.child.on("message", (msg: WorkerMessage) => this.waiters.shift()?.(msg));
    this.child.on("exit", (code, sig) => {
      this.exited = true;
      const tail = this.stderrTail.trim();
      const err = new Error(
        `check worker exited unexpectedly (${sig ?? `code ${code}`})${tail ? `: ${tail}` : ""}`,
      );
      for (const w of this.waiters.splice(0)) w(err);
    });
  }

  next(timeoutMs?: number): Promise<WorkerMessage> {
    if (this.exited) return Promise.reject(new Error("check worker is gone"));
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiters.splice(this.waiters.indexOf(waiter), 1);
              reject(
                new Error(
                  `did not finish within ${timeoutMs / 1000} s; the program may be waiting on something that never completes`,
                ),
              );
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
    this.child.send(req);
  }

  kill(): void {
    if (!this.exited) this.child.kill();
  }
}

/** Synthesizes and evaluates every job; results are returned in job order. */
export async function runJobs(
  jobs: readonly CheckJob[],
  options: PoolOptions = {},
): Promise<{ results: TargetResult[]; stats: PoolStats }> {
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkerCount(), jobs.length));
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
  const results: (TargetResult | undefined)[] = new Array(jobs.length);
  const stats: PoolStats = { workersStarted: 0, peakWorkerRssKiB: 0 };
  let nextJob = 0;
  const take = (): CheckJob | undefined => (options.signal?.aborted ? undefined : jobs[nextJob++]);

  const finish = (job: CheckJob, result: TargetResult) => {
    results[job.index] = result;
    options.onResult?.(result);
  };
  const failed = (job: CheckJob, message: string): TargetResult => ({
    index: job.index,
    name: job.name,
    account: job.account,
    regions: job.regions,
    resources: [],
    violations: [],
    warnings: [],
    failure: { message },
    millis: 0,
  });

  async function slot(): Promise<void> {
    let job = take();
    while (job) {
      const worker = new Worker();
      stats.workersStarted += 1;
      try {
        const ready = await worker.next();
        if (ready.kind !== "ready") throw new Error(`check worker sent ${ready.kind} first`);
        for (let n = 0; job && n < batchSize; n++) {
          worker.send({ kind: "job", job });
          const msg = await worker.next(options.targetTimeoutMs ?? 120_000);
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
          finish(job, failed(job, err instanceof Error ? err.message : String(err)));
          job = undefined;
        }
        worker.kill();
      }
      job ??= take();
    }
  }

  await Promise.all(Array.from({ length: workers }, () => slot()));
  const all = jobs.map((job) => results[job.index] ?? failed(job, NOT_CHECKED));
  return { results: all, stats };
}
