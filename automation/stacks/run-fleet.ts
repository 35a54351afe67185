/**
 * The fleet runner: one Pulumi stack per account, deployed through the Automation API.
 *
 * The central stack goes first and alone; its outputs (administration role ARN, runbook name, log
 * bucket) become config of every member stack, which then roll out under the fleet's rollout
 * preferences. `destroy` runs the other way round: members first, the central stack last and only
 * when every member is gone, because members' execution roles trust the central role.
 *
 * Library code: it reports through events and its result, and never exits the process.
 */
import * as fs from "fs";
import * as path from "path";
import type { ConfigMap, PulumiCommand } from "@pulumi/pulumi/automation";
import { InputError, type TargetState } from "../../domain";
import { DEFAULT_BACKEND } from "../fleet/parse-fleet";
import type { CountOrPercent, Fleet, FleetAccount } from "../fleet/types";
import { acquireFleetLock } from "./fleet-lock";
import { resolvePulumiCli } from "./pulumi-cli";
import { RolloutPrefs, RolloutTarget, TargetResult, runRollout } from "../rollout/scheduler";
import { selectShard } from "../rollout/shard";
import {
  OperationAbortedError,
  StackDriver,
  StackOperation,
  StackRunOutcome,
  maskOutputs,
} from "./stack-driver";
import {
  CentralOutputs,
  ProgramFactory,
  applyCentralOutputs,
  centralConfigMap,
  centralOutputsFrom,
  missingCentralOutputs,
  topologyProgram,
} from "./stack-program";
import { centralAccountConfig, memberAccountConfig, stackName } from "./topology-config";

export { STACK_OPERATIONS } from "./stack-driver";
export { FleetLockError, LOCK_FILE } from "./fleet-lock";
export type { StackOperation } from "./stack-driver";

/** Bad options (unknown --only name, bad shard, missing passphrase): the CLI exits 2. */
export class RunnerInputError extends InputError {}

export interface FleetTarget extends RolloutTarget {
  /** The Pulumi stack name (also the target id). */
  stackName: string;
  /** The account's name in the fleet file. */
  name: string;
  role: "central" | "member";
}

export interface FleetTargetResult extends TargetResult {
  name: string;
  stackName: string;
  role: "central" | "member";
  /** Stack outputs after `up`/`outputs`; secret values are "[secret]". */
  outputs?: Record<string, unknown>;
  /** The engine's resource change counts, when the operation reported them. */
  changes?: Record<string, number>;
}

export type FleetEvent =
  | { kind: "queued" | "started"; target: FleetTarget }
  | { kind: "output"; target: FleetTarget; line: string }
  | { kind: "finished"; target: FleetTarget; result: FleetTargetResult };

export interface RunFleetOptions {
  fleet: Fleet;
  operation: StackOperation;
  /** Account names or ids to run (the central account may be named too). */
  only?: string[];
  /** "k/n": run the k-th of n deterministic slices of the members (never the central stack). */
  shard?: string;
  maxConcurrent?: CountOrPercent;
  failureTolerance?: CountOrPercent;
  /** Aborting stops scheduling, interrupts running operations once, and still resolves. */
  signal?: AbortSignal;
  onEvent?: (event: FleetEvent) => void;
  /**
   * Whether an abort sends each running Pulumi CLI one SIGINT. Set false when the interrupt came
   * from a terminal's Ctrl-C, which already reached the CLI processes. @default true
   */
  interruptOperations?: boolean;
  /** refresh only: drop creates an interrupted update left pending. @default false */
  clearPendingCreates?: boolean;
  /** Environment for the Pulumi CLI (passphrase, AWS credentials, PATH). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A CLI resolved by the caller; otherwise resolved once here, before any stack is touched. */
  pulumiCommand?: PulumiCommand;
  /** Where workspaces (and the default backend) live. @default <fleet file dir>/.patchfleet */
  stateDir?: string;
  program?: ProgramFactory;
  /**
   * Remove a stale fleet lock (its process is gone), or one held from another host, before
   * running. A live holder on this host is never overridden. @default false
   */
  breakLock?: boolean;
}

export interface FleetRunResult {
  operation: StackOperation;
  fleetFile: string;
  project: string;
  backend: string;
  selection: { only?: string[]; shard?: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The signal was aborted during the run. */
  interrupted: boolean;
  /** Central first, then members in fleet order; each selected stack exactly once. */
  targets: FleetTargetResult[];
}

/** Resolves the backend URL: a relative file:// path is relative to the fleet file. */
export function resolveBackend(fleet: Fleet, stateDir: string): string {
  const url = fleet.backend || DEFAULT_BACKEND;
  if (!url.startsWith("file://")) return url;
  const p = url.slice("file://".length);
  if (p === "./.patchfleet/state" || p === ".patchfleet/state") {
    return `file://${path.join(stateDir, "state")}`;
  }
  const abs = p.startsWith("~")
    ? p
    : path.isAbsolute(p)
      ? p
      : path.resolve(path.dirname(path.resolve(fleet.file)), p);
  return `file://${abs}`;
}

interface Selection {
  central: boolean;
  members: FleetAccount[];
}

/** Which stacks a run touches. Throws RunnerInputError naming what is wrong. */
export function selectTargets(fleet: Fleet, only?: string[], shard?: string): Selection {
  let members = fleet.members;
  if (shard !== undefined) {
    try {
      members = selectShard(fleet.members, shard);
    } catch (err) {
      throw new RunnerInputError(err instanceof Error ? err.message : String(err));
    }
  }
  if (only === undefined) return { central: shard === undefined, members };
  const all = [fleet.central, ...fleet.members];
  const unknown = only.filter((o) => !all.some((a) => a.name === o || a.account === o));
  if (unknown.length > 0) {
    const known = all.map((a) => `${a.name} (${a.account})`).join(", ");
    throw new RunnerInputError(
      `--only: no account named ${unknown.map((u) => `"${u}"`).join(", ")} in ${fleet.file}; ` +
        `use account names or ids from the fleet file: ${known}`,
    );
  }
  const named = (a: FleetAccount) => only.includes(a.name) || only.includes(a.account);
  return { central: named(fleet.central), members: members.filter(named) };
}

/** The passphrase secrets provider needs its passphrase before any stack is created or opened. */
export function checkSecretsSetup(fleet: Fleet, backend: string, env: NodeJS.ProcessEnv): void {
  const serviceBackend = /^https?:\/\//.test(backend);
  if (fleet.secretsProvider || serviceBackend) return;
  if (
    env.PULUMI_CONFIG_PASSPHRASE === undefined &&
    env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined
  ) {
    throw new RunnerInputError(
      "stacks on a file:// or s3:// backend encrypt secrets with a passphrase: set " +
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or set `secretsProvider` " +
        "(e.g. awskms://alias/patchfleet) in the fleet file",
    );
  }
}

function cleanEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  // Keep the CLI from looking for updates on every call.
  out.PULUMI_SKIP_UPDATE_CHECK = "true";
  return out;
}

/**
 * Where the fleet lock lives: beside the state. For a file:// backend that is the backend's
 * directory, so two checkouts sharing one state directory exclude each other too. For s3:// and
 * Pulumi Cloud the lock sits in the local state directory and covers runs from this checkout on
 * this machine; runs elsewhere are stopped by the backend's own per-stack lock.
 */
export function fleetLockDir(fleet: Fleet, stateDir: string): string {
  const backend = resolveBackend(fleet, stateDir);
  return backend.startsWith("file://") ? backend.slice("file://".length) : stateDir;
}

/**
 * Runs `operation` over the selected stacks of the fleet, holding the fleet lock throughout (every
 * operation but the read-only `outputs`). A locked fleet throws FleetLockError before any stack is
 * touched.
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetRunResult> {
  const { fleet, operation } = options;
  if (operation === "outputs") return runFleetLocked(options);
  // Bad input and missing prerequisites first, whoever holds the lock, and before the lock's
  // directory is created: a run that cannot start leaves nothing behind.
  selectTargets(fleet, options.only, options.shard);
  const stateDir =
    options.stateDir ?? path.join(path.dirname(path.resolve(fleet.file)), ".patchfleet");
  const env = options.env ?? process.env;
  checkSecretsSetup(fleet, resolveBackend(fleet, stateDir), env);
  const pulumiCommand = options.pulumiCommand ?? (await resolvePulumiCli({ env }));
  const lock = acquireFleetLock(
    fleetLockDir(fleet, stateDir),
    { operation, fleet: path.resolve(fleet.file) },
    { breakLock: options.breakLock },
  );
  try {
    return await runFleetLocked({ ...options, stateDir, pulumiCommand });
  } finally {
    lock.release();
  }
}

async function runFleetLocked(options: RunFleetOptions): Promise<FleetRunResult> {
  const { fleet, operation, signal } = options;
  const env = options.env ?? process.env;
  const startedAt = Date.now();
  const selection = selectTargets(fleet, options.only, options.shard);
  const stateDir =
    options.stateDir ?? path.join(path.dirname(path.resolve(fleet.file)), ".patchfleet");
  const backend = resolveBackend(fleet, stateDir);
  checkSecretsSetup(fleet, backend, env);
  // Before any work: a missing CLI must not leave half a fleet deployed.
  const pulumiCommand = options.pulumiCommand ?? (await resolvePulumiCli({ env }));
  if (backend.startsWith("file://")) {
    await fs.promises.mkdir(backend.slice("file://".length), { recursive: true });
  }
  const driver = new StackDriver({
    pulumiCommand,
    backendUrl: backend,
    secretsProvider: fleet.secretsProvider,
    envVars: cleanEnv(env),
  });
  const program = options.program ?? topologyProgram;
  const emit = (e: FleetEvent) => options.onEvent?.(e);

  const toTarget = (account: FleetAccount, role: "central" | "member"): FleetTarget => {
    const name = stackName(account);
    return { id: name, account: account.account, stackName: name, name: account.name, role };
  };
  const centralTarget = toTarget(fleet.central, "central");
  const memberTargets = selection.members.map((m) => toTarget(m, "member"));
  const memberByStack = new Map(selection.members.map((m) => [stackName(m), m]));
  const extras = new Map<string, StackRunOutcome>();
  const results = new Map<string, FleetTargetResult>();
  let centralOutputs: CentralOutputs | undefined;

  const workDir = (t: FleetTarget) => path.join(stateDir, "workspaces", t.stackName);
  const specFor = (t: FleetTarget) => {
    if (t.role === "central") {
      return {
        stackName: t.stackName,
        projectName: fleet.project,
        workDir: workDir(t),
        program: program(centralAccountConfig(fleet)),
      };
    }
    let config = memberAccountConfig(fleet, memberByStack.get(t.stackName) as FleetAccount);
    let stackConfig: ConfigMap | undefined;
    if (centralOutputs) {
      config = applyCentralOutputs(config, centralOutputs);
      stackConfig = centralConfigMap(fleet.project, centralOutputs);
    }
    return {
      stackName: t.stackName,
      projectName: fleet.project,
      workDir: workDir(t),
      program: program(config),
      config: stackConfig,
    };
  };

  const worker = async (t: FleetTarget, workerSignal: AbortSignal) => {
    const outcome = await driver.run(specFor(t), operation, {
      signal: workerSignal,
      forwardAbort: options.interruptOperations ?? true,
      clearPendingCreates: operation === "refresh" && options.clearPendingCreates === true,
      onOutput: (line) => emit({ kind: "output", target: t, line }),
    });
    extras.set(t.id, outcome);
    if (outcome.state === "CANCELLED") throw new OperationAbortedError(outcome.reason);
    return { state: outcome.state, reason: outcome.reason };
  };

  const finish = (t: FleetTarget, r: TargetResult): FleetTargetResult => {
    const extra = extras.get(t.id);
    const result: FleetTargetResult = {
      ...r,
      name: t.name,
      stackName: t.stackName,
      role: t.role,
    };
    delete result.detail;
    if (extra?.outputs) result.outputs = maskOutputs(extra.outputs);
    if (extra?.changes) result.changes = extra.changes;
    results.set(t.id, result);
    return result;
  };

  const rollout = async (targets: FleetTarget[], prefs: RolloutPrefs) => {
    const byId = new Map(targets.map((t) => [t.id, t]));
    await runRollout(targets, prefs, worker, {
      signal,
      onEvent: (e) => {
        const target = byId.get(e.target.id) as FleetTarget;
        if (e.kind === "finished")
          emit({ kind: "finished", target, result: finish(target, e.result) });
        else emit({ kind: e.kind, target });
      },
    });
  };

  const notTried = (targets: FleetTarget[], reason: string, state: TargetState = "CANCELLED") => {
    for (const t of targets) {
      emit({ kind: "queued", target: t });
      emit({
        kind: "finished",
        target: t,
        result: finish(t, { id: t.id, account: t.account, state, reason }),
      });
    }
  };

  const memberPrefs: RolloutPrefs = {
    maxConcurrent: options.maxConcurrent ?? fleet.rollout.maxConcurrent,
    failureTolerance: options.failureTolerance ?? fleet.rollout.failureTolerance,
  };
  const single: RolloutPrefs = {
    maxConcurrent: { kind: "count", value: 1 },
    failureTolerance: { kind: "count", value: 0 },
  };

  if (operation === "destroy") {
    if (memberTargets.length > 0) await rollout(memberTargets, memberPrefs);
    if (selection.central) {
      const left = memberTargets.filter((t) => {
        const s = results.get(t.id)?.state;
        return s !== "SUCCEEDED" && s !== "SKIPPED";
      });
      if (signal?.aborted) {
        notTried([centralTarget], "the rollout was stopped");
      } else if (left.length > 0) {
        notTried(
          [centralTarget],
          `not tried: ${left.length} member stack(s) were not destroyed and still depend on ` +
            `the central roles and runbook`,
        );
      } else {
        await rollout([centralTarget], single);
      }
    }
  } else {
    if (selection.central) {
      await rollout([centralTarget], single);
      const central = results.get(centralTarget.id);
      // Members are deployed against the central stack's resources, so a failed central `up`
      // stops them. The other operations only look at each stack and go on regardless: a drifted
      // or unreadable central stack says nothing about the members.
      if (central?.state !== "SUCCEEDED" && (operation === "up" || signal?.aborted)) {
        notTried(
          memberTargets,
          `not tried: the central stack ${centralTarget.stackName} did not succeed ` +
            `(${central?.state ?? "not run"})`,
        );
        memberTargets.length = 0;
      } else {
        centralOutputs = centralOutputsFrom(extras.get(centralTarget.id)?.outputs);
      }
    }
    // Only the operations that run member programs need the central outputs.
    const needsCentral = operation === "up" || operation === "preview" || operation === "drift";
    if (needsCentral && memberTargets.length > 0 && !centralOutputs && !signal?.aborted) {
      // The central stack was not part of this run (or has no outputs yet): read them.
      const read = await driver
        .run(specFor(centralTarget), "outputs", { signal })
        .catch((err: unknown): StackRunOutcome => ({
          state: "CANCELLED",
          reason: err instanceof Error ? err.message : String(err),
        }));
      centralOutputs = centralOutputsFrom(read.outputs);
      if (centralOutputs === undefined && operation === "up") {
        // A stack that exists but lacks outputs was deployed by another version, or failed half way.
        const why =
          read.state === "SUCCEEDED" && read.outputs
            ? `lacks the outputs members need (${missingCentralOutputs(read.outputs).join(", ")})`
            : `has no outputs (${read.reason})`;
        notTried(
          memberTargets,
          `not tried: the central stack ${centralTarget.stackName} ${why}; ` +
            `run \`patchfleet up --only ${fleet.central.name}\` first`,
        );
        memberTargets.length = 0;
      }
    }
    if (memberTargets.length > 0) {
      if (signal?.aborted) notTried(memberTargets, "the rollout was stopped");
      else await rollout(memberTargets, memberPrefs);
    }
  }

  const finishedAt = Date.now();
  const ordered = [
    ...(results.has(centralTarget.id) ? [results.get(centralTarget.id) as FleetTargetResult] : []),
    ...selection.members
      .map((m) => results.get(stackName(m)))
      .filter((r): r is FleetTargetResult => r !== undefined),
  ];
  return {
    operation,
    fleetFile: fleet.file,
    project: fleet.project,
    backend: driver.redact(backend),
    selection: { only: options.only, shard: options.shard },
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    durationMs: finishedAt - startedAt,
    interrupted: signal?.aborted ?? false,
    targets: ordered,
  };
}
