/**
 * One Pulumi operation on one stack through the Automation API, turned into a target outcome.
 *
 * The rules it enforces (RELIABILITY.md P1–P5):
 * - never two operations on one stack at once in this process: the second gets "already running";
 * - a stack locked by another process (ConcurrentUpdateError) is FAILED with the lock holder's
 *   message, once: no retry loop, never `pulumi cancel`, never --continue-on-error;
 * - a stack whose last update was interrupted (pending operations) is FAILED before anything runs,
 *   telling the user to refresh, because the engine would otherwise carry on past them;
 * - aborting the signal interrupts the running CLI once (the SDK sends it SIGINT);
 * - secret values (the passphrase, secret config, secret outputs) never reach reasons or output.
 */
import * as fs from "fs";
import {
  CommandError,
  ConcurrentUpdateError,
  ConfigMap,
  EngineEvent,
  LocalWorkspace,
  OutputMap,
  PulumiCommand,
  PulumiFn,
  Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import type { TargetState } from "../../domain";

export const STACK_OPERATIONS = [
  "preview",
  "up",
  "refresh",
  "destroy",
  "drift",
  "outputs",
] as const;
export type StackOperation = (typeof STACK_OPERATIONS)[number];

/** Operations that change the stack's state; interrupting one can leave pending operations. */
const MUTATING: ReadonlySet<StackOperation> = new Set(["up", "refresh", "destroy"]);

export interface StackSpec {
  stackName: string;
  projectName: string;
  /** This stack's own workspace directory (Pulumi.yaml, Pulumi.<stack>.yaml); created if absent. */
  workDir: string;
  program: PulumiFn;
  /** Stack config set before the operation (`secret: true` for secrets). */
  config?: ConfigMap;
}

export interface StackDriverOptions {
  pulumiCommand: PulumiCommand;
  /** e.g. file:///abs/path, s3://bucket/prefix, https://api.pulumi.com */
  backendUrl: string;
  /** e.g. awskms://alias/x; unset means the backend's default (passphrase for file/s3). */
  secretsProvider?: string;
  /** Environment for every CLI call (PULUMI_CONFIG_PASSPHRASE(_FILE), AWS credentials, PATH). */
  envVars?: Record<string, string>;
  /** Extra values to keep out of reasons and output (the passphrase is always included). */
  secrets?: string[];
}

export interface StackRunOptions {
  signal?: AbortSignal;
  /**
   * Whether aborting `signal` sends the running CLI its SIGINT. Turn it off when the interrupt
   * already reached the CLI from the terminal (Ctrl-C signals the whole foreground process group):
   * a second SIGINT makes Pulumi stop at once instead of finishing the step in flight.
   * @default true
   */
  forwardAbort?: boolean;
  /** refresh only: drop pending creates from the state (`--clear-pending-creates`). Only on the
   * user's explicit request: a create that did finish leaves an untracked resource behind. */
  clearPendingCreates?: boolean;
  /** Each line the CLI prints, with secrets redacted. */
  onOutput?: (line: string) => void;
}

export interface StackRunOutcome {
  /** CANCELLED only for a read-only operation interrupted through the signal. */
  state: TargetState;
  reason: string;
  /** Stack outputs after `up` and `outputs` (raw; use maskOutputs before reporting). */
  outputs?: OutputMap;
  /** Resource changes counted from the engine's summary (preview, drift, up, destroy, refresh). */
  changes?: Record<string, number>;
  /** True when the operation was interrupted through the signal. */
  interrupted?: boolean;
}

/** Thrown (rejected) when the signal was aborted before the operation started. */
export class OperationAbortedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AbortError";
  }
}

/** Replaces every secret in `text` with "[secret]". Secrets shorter than 4 characters are left
 * alone: redacting "a" would shred every message and protect nothing. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join("[secret]");
  }
  return out;
}

/** Output values for reports: secrets become "[secret]". */
export function maskOutputs(outputs: OutputMap): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const [key, { value, secret }] of Object.entries(outputs)) {
    masked[key] = secret ? "[secret]" : value;
  }
  return masked;
}

/** Number of changes in an engine summary, not counting unchanged resources. */
export function countChanges(changes: Record<string, number> | undefined): number {
  let n = 0;
  for (const [kind, count] of Object.entries(changes ?? {})) {
    if (kind !== "same") n += count;
  }
  return n;
}

function describeChanges(changes: Record<string, number>): string {
  return Object.entries(changes)
    .filter(([kind, n]) => kind !== "same" && n > 0)
    .map(([kind, n]) => `${n} to ${kind}`)
    .join(", ");
}

/** The CLI's own error lines ("error: ..."), which say what went wrong, without the SDK's dump of
 * the whole command result. */
export function cliErrorSummary(err: unknown): string {
  if (!(err instanceof CommandError)) {
    return err instanceof Error ? err.message.split("\n")[0] : String(err);
  }
  const text = err.message;
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^error: /.test(l))
    // The same failure often arrives twice: logged by the program and returned by the engine.
    .map((l) => l.slice("error: ".length).replace(/^(Error|RunError|ResourceError): /, ""));
  const unique = [...new Set(lines)].filter((l) => l !== "update failed" && l !== "preview failed");
  const picked = unique.length > 0 ? unique : lines;
  if (picked.length > 0) return picked.slice(0, 3).join("; ");
  const code = /code: (-?\d+)/.exec(text);
  return `the Pulumi CLI failed${code ? ` with exit code ${code[1]}` : ""}`;
}

const PENDING_HINT =
  "check those resources in AWS, then run `patchfleet refresh` for this stack (it runs " +
  "`pulumi refresh`, which clears pending operations; add --clear-pending-creates to drop " +
  "creates that never finished, after deleting or importing anything they left behind) " +
  "before trying again";

function pendingCount(deployment: unknown): number {
  const d = (deployment as { deployment?: { pending_operations?: unknown } } | undefined)
    ?.deployment;
  return Array.isArray(d?.pending_operations) ? d.pending_operations.length : 0;
}

/** Serializes a sequence of async steps (one at a time, in call order). */
class Serializer {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step, step);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class StackDriver {
  private readonly running = new Map<string, StackOperation>();
  // Selecting or creating stacks concurrently races on the CLI's workspace and backend files
  // (pulumi #8186, #10523), so those steps go one at a time; the operations themselves do not.
  private readonly selection = new Serializer();
  private readonly secrets: string[];

  constructor(private readonly options: StackDriverOptions) {
    const env = options.envVars ?? {};
    this.secrets = [...(options.secrets ?? [])];
    if (env.PULUMI_CONFIG_PASSPHRASE) this.secrets.push(env.PULUMI_CONFIG_PASSPHRASE);
  }

  /** Adds values that must never appear in reasons or output (e.g. secret outputs). */
  addSecrets(values: Iterable<string>): void {
    for (const v of values) this.secrets.push(v);
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }

  /**
   * Runs `operation` on the stack. Resolves with the outcome for every failure the CLI or the
   * stack can produce; rejects only with OperationAbortedError when the signal was aborted before
   * anything started.
   */
  async run(
    spec: StackSpec,
    operation: StackOperation,
    runOptions: StackRunOptions = {},
  ): Promise<StackRunOutcome> {
    const busy = this.running.get(spec.stackName);
    if (busy !== undefined) {
      return {
        state: "FAILED",
        reason:
          `already running: ${busy} of stack ${spec.stackName} is in progress in this ` +
          `patchfleet process; wait for it to finish`,
      };
    }
    this.running.set(spec.stackName, operation);
    try {
      return await this.runExclusive(spec, operation, runOptions);
    } finally {
      this.running.delete(spec.stackName);
    }
  }

  private async runExclusive(
    spec: StackSpec,
    operation: StackOperation,
    { signal, onOutput, forwardAbort = true, clearPendingCreates }: StackRunOptions,
  ): Promise<StackRunOutcome> {
    const checkAbort = () => {
      if (signal?.aborted) throw new OperationAbortedError(`${operation} was not started`);
    };
    checkAbort();
    let stack: Stack;
    try {
      stack = await this.selection.run(() => this.openStack(spec, operation));
    } catch (err) {
      if (err instanceof StackNotFoundError) {
        return {
          state: "SKIPPED",
          reason: `stack ${spec.stackName} does not exist yet; run \`patchfleet up\` first`,
        };
      }
      return this.failure(err, operation, spec);
    }
    let summary: Record<string, number> | undefined;
    const onEvent = (event: EngineEvent) => {
      if (event.summaryEvent)
        summary = event.summaryEvent.resourceChanges as Record<string, number>;
    };
    const lineSink = new LineSplitter((line) => onOutput?.(this.redact(line)));
    const common = {
      signal: forwardAbort ? signal : undefined,
      onOutput: (chunk: string) => lineSink.push(chunk),
      onEvent,
      color: "never" as const,
    };
    try {
      checkAbort();
      if (spec.config && Object.keys(spec.config).length > 0) {
        await stack.setAllConfig(spec.config);
      }
      if (operation !== "refresh" && operation !== "outputs") {
        const pending = pendingCount(await stack.exportStack());
        if (pending > 0) {
          return {
            state: "FAILED",
            reason:
              `stack ${spec.stackName} has ${pending} pending operation(s) left by an ` +
              `interrupted update; ${PENDING_HINT}`,
          };
        }
      }
      checkAbort();
      switch (operation) {
        case "up": {
          const result = await stack.up(common);
          return this.succeeded("deployed", result.outputs, summary);
        }
        case "preview": {
          const result = await stack.preview(common);
          const changes = result.changeSummary as Record<string, number>;
          const n = countChanges(changes);
          return {
            state: "SUCCEEDED",
            reason: n === 0 ? "no changes" : `${n} change(s): ${describeChanges(changes)}`,
            changes,
          };
        }
        case "drift": {
          const result = await stack.preview({ ...common, expectNoChanges: true });
          const changes = result.changeSummary as Record<string, number>;
          return { state: "SUCCEEDED", reason: "no drift", changes };
        }
        case "refresh":
          await stack.refresh(clearPendingCreates ? { ...common, clearPendingCreates } : common);
          return { state: "SUCCEEDED", reason: "refreshed", changes: summary };
        case "destroy":
          await stack.destroy(common);
          return { state: "SUCCEEDED", reason: "destroyed", changes: summary };
        case "outputs": {
          const outputs = await stack.outputs();
          return this.succeeded(`${Object.keys(outputs).length} output(s)`, outputs);
        }
      }
    } catch (err) {
      if (signal?.aborted) {
        const mutating = MUTATING.has(operation);
        return {
          state: mutating ? "FAILED" : "CANCELLED",
          reason: mutating
            ? `interrupted: ${operation} was cancelled while running; the stack may hold ` +
              `pending operations: ${PENDING_HINT}`
            : `interrupted: ${operation} was cancelled while running`,
          interrupted: true,
        };
      }
      if (operation === "drift" && err instanceof CommandError && countChanges(summary) > 0) {
        const changes = summary as Record<string, number>;
        return {
          state: "FAILED",
          reason: `drift: ${countChanges(changes)} changes (${describeChanges(changes)})`,
          changes,
        };
      }
      return this.failure(err, operation, spec);
    } finally {
      lineSink.flush();
    }
  }

  private succeeded(
    reason: string,
    outputs: OutputMap,
    changes?: Record<string, number>,
  ): StackRunOutcome {
    this.addSecrets(
      Object.values(outputs)
        .filter((o) => o.secret)
        .map((o) => (typeof o.value === "string" ? o.value : JSON.stringify(o.value))),
    );
    return { state: "SUCCEEDED", reason, outputs, changes };
  }

  private async openStack(spec: StackSpec, operation: StackOperation): Promise<Stack> {
    await fs.promises.mkdir(spec.workDir, { recursive: true });
    const args = {
      stackName: spec.stackName,
      projectName: spec.projectName,
      program: spec.program,
    };
    const wsOptions = {
      workDir: spec.workDir,
      pulumiCommand: this.options.pulumiCommand,
      projectSettings: {
        name: spec.projectName,
        runtime: "nodejs" as const,
        backend: { url: this.options.backendUrl },
      },
      secretsProvider: this.options.secretsProvider,
      envVars: this.options.envVars ?? {},
    };
    // Only `up` and `preview` may bring a stack into existence; the others act on what exists.
    return operation === "up" || operation === "preview"
      ? await LocalWorkspace.createOrSelectStack(args, wsOptions)
      : await LocalWorkspace.selectStack(args, wsOptions);
  }

  private failure(err: unknown, operation: StackOperation, spec: StackSpec): StackRunOutcome {
    if (err instanceof ConcurrentUpdateError) {
      const line =
        err.message.split("\n").find((l) => l.includes("currently locked")) ??
        "the stack is locked by another update";
      return {
        state: "FAILED",
        reason: this.redact(
          `locked: ${line.trim().replace(/^error: /, "")} patchfleet does not cancel other ` +
            `updates: wait for that one to finish, then run ${operation} again`,
        ),
      };
    }
    const summary = cliErrorSummary(err);
    if (/pending operations/.test(summary)) {
      return {
        state: "FAILED",
        reason: `stack ${spec.stackName} has pending operations; ${PENDING_HINT}`,
      };
    }
    return { state: "FAILED", reason: this.redact(`${operation} failed: ${summary}`) };
  }
}

/** Turns output chunks into whole lines. */
class LineSplitter {
  private buffer = "";
  constructor(private readonly sink: (line: string) => void) {}
  push(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, i).replace(/\r$/, "");
      this.buffer = this.buffer.slice(i + 1);
      if (line.trim() !== "") this.sink(line);
    }
  }
  flush(): void {
    if (this.buffer.trim() !== "") this.sink(this.buffer);
    this.buffer = "";
  }
}
