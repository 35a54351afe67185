/**
 * The stand-in `pulumi` CLI run inside the test's own process, as a PulumiCommand the runner takes
 * (RunFleetOptions.pulumiCommand, StackDriverOptions.pulumiCommand). It does what
 * @pulumi/pulumi/automation/cmd.js (v3.248.0) does around the process it spawns, with
 * ./stand-in.js (the same code bin/pulumi runs) in place of the process:
 * - `run` appends --non-interactive, puts the command's directory first on PATH and sets
 *   PULUMI_AUTOMATION_API=true; the child's environment is the parent's plus those (execa's
 *   extendEnv);
 * - output reaches onOutput/onError as it is written, after the writer returns (a child's output
 *   arrives later too), and all of it before the call settles;
 * - exit 0 resolves a CommandResult of stdout and stderr without their final newline; any other
 *   exit rejects with the CommandError the SDK makes of execa's error (code -2, execa's message);
 * - aborting `signal` is one SIGINT to the invocation; one that does not listen for SIGINT ends as
 *   killed by it.
 * Only the SDK's own pieces are reused (CommandResult, createCommandError, execa's error), so a
 * CommandError here is the one the runner sees from a real process.
 */
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { repoPath } from "../helpers/repo-paths";

/* eslint-disable @typescript-eslint/no-require-imports -- untyped internals of the SDK */
interface SdkCommandResult {
  stdout: string;
  stderr: string;
  code: number;
}
type SemVer = NonNullable<PulumiCommand["version"]>;
const sdkCmd = require("@pulumi/pulumi/automation/cmd") as {
  CommandResult: new (
    stdout: string,
    stderr: string,
    code: number,
    err?: Error,
  ) => SdkCommandResult;
  parseAndValidatePulumiVersion(min: SemVer, current: string, optOut: boolean): SemVer | null;
};
const sdkErrors = require("@pulumi/pulumi/automation/errors") as {
  createCommandError(result: SdkCommandResult): Error;
};
const { minimumVersion } = require("@pulumi/pulumi/automation/minimumVersion") as {
  minimumVersion: SemVer;
};
// execa as the SDK resolves it: the error a failed or killed child rejects with.
const makeExecaError = require(
  require.resolve("execa/lib/error", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))],
  }),
) as (details: Record<string, unknown>) => Error;
const standIn = require(repoPath("test", "fake-pulumi", "stand-in.js")) as {
  start(io: StandInIO): { done: Promise<number>; stop(): void };
};
/* eslint-enable @typescript-eslint/no-require-imports */

interface StandInIO {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  pid: number;
  stdout(text: string): void;
  stderr(text: string): void;
  onSigint(listener: () => void): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether this process holds `file` open (Linux); true where that cannot be told. */
function openHere(file: string): boolean {
  try {
    return fs.readdirSync("/proc/self/fd").some((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });
  } catch {
    return true;
  }
}

/**
 * Resolves once the SDK's tail of an --event-log file has had time for its first read. The SDK
 * (CLI 3.205.0 and below) tails the file from the moment it starts the command and reads the rest
 * when the command ends; a command that ends before that first read completes loses its events,
 * because the tail takes the first read's end for the last one's. A process takes far longer to
 * start than that read, so a real CLI never meets the race; in process it is likely. So an
 * operation starts once this process holds the file open (the tail opened it and reads at once),
 * and 20 ms later.
 */
async function eventLogTailed(file: string): Promise<void> {
  const until = Date.now() + 2000;
  while (!openHere(file) && Date.now() < until) await sleep(2);
  await sleep(20);
}

/** Stands in for process ids in the invocation log: one number per in-process invocation. */
let invocationCount = 0;

const stripFinalNewline = (s: string) => s.replace(/\r?\n$/, "");

/** cmd.js's exec(command, args, cwd, additionalEnv, onOutput, onError, signal), in process. */
async function exec(
  command: string,
  args: string[],
  cwd: string | undefined,
  additionalEnv: Record<string, string>,
  onOutput?: (data: string) => void,
  onError?: (data: string) => void,
  signal?: AbortSignal,
): Promise<SdkCommandResult> {
  let stdout = "";
  let stderr = "";
  const sigintListeners: (() => void)[] = [];
  let settle: (end: { code?: number; signal?: "SIGINT" }) => void = () => undefined;
  const ended = new Promise<{ code?: number; signal?: "SIGINT" }>((r) => (settle = r));
  let over = false;
  // execa's `killed`: a signal was sent, whether or not it ended the process.
  let signalled = false;
  let invocation: { done: Promise<number>; stop(): void } | undefined;
  if (signal) {
    // cmd.js: proc.kill("SIGINT") on abort; a process that has exited gets nothing, one that has
    // not started listening yet dies of it.
    signal.addEventListener("abort", () => {
      if (over) return;
      signalled = true;
      if (sigintListeners.length > 0) {
        for (const listener of sigintListeners) listener();
        return;
      }
      over = true;
      invocation?.stop();
      settle({ signal: "SIGINT" });
    });
  }
  const eventLog = args[args.indexOf("--event-log") + 1];
  if (args.includes("--event-log") && !eventLog.startsWith("tcp://")) {
    await eventLogTailed(eventLog);
  }
  if (!over) {
    invocation = standIn.start({
      argv: [...args],
      env: { ...process.env, ...additionalEnv },
      cwd: cwd ?? process.cwd(),
      pid: ++invocationCount,
      stdout(text) {
        stdout += text;
        if (onOutput) setImmediate(onOutput, text);
      },
      stderr(text) {
        stderr += text;
        if (onError) setImmediate(onError, text);
      },
      onSigint: (listener) => sigintListeners.push(listener),
    });
    void invocation.done.then((code) => {
      over = true;
      settle({ code });
    });
  }
  const end = await ended;
  // setImmediate runs in order: every chunk above has been handed on once this resolves.
  await new Promise((resolve) => setImmediate(resolve));
  const out = stripFinalNewline(stdout);
  const err = stripFinalNewline(stderr);
  if (end.code === 0) return new sdkCmd.CommandResult(out, err, 0);
  const joined = [command, ...args].join(" ");
  const error = makeExecaError({
    stdout: out,
    stderr: err,
    all: undefined,
    error: undefined,
    signal: end.signal,
    exitCode: end.code,
    command: joined,
    escapedCommand: joined,
    timedOut: false,
    isCanceled: false,
    killed: signalled,
    parsed: { options: { timeout: 0 } },
  });
  // cmd.js: execa rejects on a non-zero exit, and its catch wraps that error with code -2.
  throw sdkErrors.createCommandError(new sdkCmd.CommandResult("", error.message, -2, error));
}

/** An in-process PulumiCommand for the stand-in at `command` (its path, as if on PATH). */
class InProcessPulumi {
  constructor(
    readonly command: string,
    readonly version: SemVer | null,
  ) {}

  /** cmd.js's PulumiCommand.run. */
  run(
    args: string[],
    cwd: string,
    additionalEnv: Record<string, string>,
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
  ): Promise<SdkCommandResult> {
    if (!args.includes("--non-interactive")) args.push("--non-interactive");
    const env = { ...additionalEnv };
    if (path.isAbsolute(this.command)) {
      env.PATH =
        path.dirname(this.command) + path.delimiter + (additionalEnv.PATH || process.env.PATH);
    }
    env.PULUMI_AUTOMATION_API = "true";
    return exec(this.command, args, cwd, env, onOutput, onError, signal);
  }
}

/**
 * PulumiCommand.get for the stand-in at `command`, in process: `version` with the test process's
 * environment plus PULUMI_SKIP_UPDATE_CHECK, parsed and checked as the SDK does.
 */
export async function inProcessPulumi(command: string): Promise<PulumiCommand> {
  const { stdout } = await exec(command, ["version"], undefined, {
    PULUMI_SKIP_UPDATE_CHECK: "true",
  });
  const skip = !!process.env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK;
  const version = sdkCmd.parseAndValidatePulumiVersion(minimumVersion, stdout.trim(), skip);
  return new InProcessPulumi(command, version) as unknown as PulumiCommand;
}
