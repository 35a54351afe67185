/**
 * A synthesis worker: a child process that takes check jobs over IPC, runs each under a fresh mock
 * runtime, evaluates the policy pack on what it registered, and sends back plain results.
 *
 * Run it as compiled JavaScript: the SDK reads a stack trace for every internal promise, which is
 * many times slower under ts-node's source-map hooks (see the performance notes in the README).
 */
// First: the SDK's closure-serialization modules are deferred before anything loads the SDK.
import "../startup/defer-now";
import * as path from "path";
import type { AccountConfig } from "../../components/types";
import { evaluate } from "./evaluate";
import { recordHashes } from "./mocks";
import { exitWithParent } from "./orphan-watch";
import { installProgramHooks, locateFailure, runProgramModule } from "./program-loader";
import { ProgramError, synthesize } from "./synthesize";
import type { CheckJob, TargetResult, WorkerMessage, WorkerRequest } from "./types";

type BuildTopology = (name: string, config: AccountConfig) => unknown;

function loadBuildTopology(): BuildTopology {
  // Loaded on first use so that `check --program` never pays for the components.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require("../../components/topology") as typeof import("../../components/topology");
  return mod.buildTopology;
}

let buildTopology: BuildTopology | undefined;

export async function runJob(
  job: CheckJob,
  onRegister: (type: string) => void = () => undefined,
): Promise<TargetResult> {
  const started = Date.now();
  const base = {
    index: job.index,
    name: job.name,
    account: job.account,
    regions: job.regions,
  };
  const spec = job.program;
  const config: Record<string, string> = {
    "aws:region": job.regions[0] ?? "us-east-1",
    ...(spec.kind === "program" ? spec.config : {}),
  };
  let program: () => unknown;
  if (spec.kind === "topology") {
    buildTopology ??= loadBuildTopology();
    const build = buildTopology;
    program = () => build(spec.componentName, spec.config);
  } else {
    installProgramHooks(module);
    program = () => runProgramModule(spec.entry);
  }
  // Our own topology reports errors by message; stack traces there only cost time. A user's
  // program keeps them so a failure can be located in its source.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = spec.kind === "topology" ? 0 : 30;
  try {
    const { resources, warnings } = await synthesize(
      {
        project: job.project,
        stack: job.stack,
        target: { account: job.account, defaultRegion: config["aws:region"] },
        config,
        asyncLocalStore: spec.kind === "program",
        onRegister,
      },
      program,
    );
    Error.stackTraceLimit = stackTraceLimit;
    const violations = await evaluate(resources, job);
    // A program picks its regions itself, through its providers: report the ones it used.
    const used = [...new Set(resources.filter((r) => r.custom && r.region).map((r) => r.region))];
    return {
      ...base,
      regions: spec.kind === "program" && used.length > 0 ? used.sort() : base.regions,
      resources: resources
        .filter((r) => r.type !== "pulumi:pulumi:Stack")
        .map(({ props: _props, ...r }) => ({ ...r, id: r.custom ? r.id : "" })),
      violations,
      warnings,
      millis: Date.now() - started,
    };
  } catch (err) {
    const cause = err instanceof ProgramError ? err.cause : err;
    const root = spec.kind === "program" ? spec.root : path.join(__dirname, "..", "..");
    const displayBase = spec.kind === "program" ? spec.displayBase : root;
    return {
      ...base,
      resources: [],
      violations: [],
      warnings: [],
      failure: locateFailure(cause, root, displayBase),
      millis: Date.now() - started,
    };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** runJob, with the mocks' hashes when the job asks for them (restamp.ts). */
async function runRecorded(
  job: CheckJob,
  onRegister?: (type: string) => void,
): Promise<TargetResult> {
  const stop = job.recordHashes ? recordHashes() : undefined;
  const result = await runJob(job, onRegister);
  if (stop) result.hashes = stop();
  return result;
}

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    process.send!(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

async function serve(): Promise<void> {
  // Keep the runtime's leak report out of the way: a worker exits when told to, with results sent.
  const queue: WorkerRequest[] = [];
  let wake: (() => void) | undefined;
  process.on("message", (msg: WorkerRequest) => {
    queue.push(msg);
    wake?.();
  });
  process.on("disconnect", () => process.exit(0));
  // A program's promise that rejects after its result was sent belongs to a target already
  // reported: it must not kill the worker (and print Node's crash trace) on its way out.
  process.on("unhandledRejection", () => undefined);
  await send({ kind: "ready" });
  for (;;) {
    const msg = queue.shift();
    if (!msg) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      continue;
    }
    if (msg.kind === "stop") {
      await send({ kind: "stopped", maxRssKiB: process.resourceUsage().maxRSS });
      process.exit(0);
    }
    // Progress while the job runs, so a timeout can tell slow from stuck (and from a busy loop, in
    // which no progress arrives at all).
    let registered = 0;
    let lastAt = Date.now();
    process.send!({ kind: "progress", resources: 0, idleMs: 0 } satisfies WorkerMessage);
    const progress = setInterval(() => {
      const idleMs = Date.now() - lastAt;
      process.send!({ kind: "progress", resources: registered, idleMs } satisfies WorkerMessage);
    }, 500);
    let result: TargetResult;
    try {
      result = await runRecorded(msg.job, (type) => {
        // The stack resource is the runtime's, not the program's.
        if (type === "pulumi:pulumi:Stack") return;
        registered += 1;
        lastAt = Date.now();
      });
    } finally {
      clearInterval(progress);
    }
    await send({ kind: "result", result });
  }
}

/**
 * The program's console output reaches the coordinator through pipes that Node writes to
 * asynchronously; a worker that exits (or a program that calls process.exit) would drop what is
 * still queued. Blocking writes lose nothing: the coordinator reads both pipes all the time.
 */
function blockingStdio(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const handle = (stream as unknown as { _handle?: { setBlocking?(on: boolean): void } })._handle;
    handle?.setBlocking?.(true);
  }
}

if (require.main === module && process.send) {
  blockingStdio();
  exitWithParent();
  serve().catch((err: unknown) => {
    process.stderr.write(`patchfleet check worker: ${String(err)}\n`);
    process.exit(3);
  });
}
