/**
 * Test helpers around the stand-in `pulumi` executable in test/fake-pulumi/bin: a scratch
 * directory, a scenario file, the invocation log, and an environment with the fake first on PATH.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { inProcessPulumi } from "./in-process";
import { repoPath } from "../helpers/repo-paths";

export const FAKE_BIN = repoPath("test", "fake-pulumi", "bin");
export const FAKE_PULUMI = path.join(FAKE_BIN, "pulumi");

export interface StackScenario {
  up?: "ok" | "fail" | "locked" | "slow";
  preview?: "ok" | "fail" | "locked" | "slow";
  refresh?: "ok" | "fail" | "locked" | "slow";
  destroy?: "ok" | "fail" | "locked" | "slow";
  drift?: "ok" | "fail" | "locked" | "slow";
  delayMs?: number;
  slowMs?: number;
  /** Wait before finishing until this many operations of stacks that set it have begun. */
  rendezvous?: number;
  changes?: number;
  pendingOperations?: number;
  leak?: string;
  outputs?: Record<string, unknown>;
  secretOutputs?: string[];
}

export interface Scenario {
  version?: string;
  /** Play the engine for inline programs (ResourceMonitor over gRPC, Run via --client). */
  engine?: boolean;
  defaultDelayMs?: number;
  stacks?: Record<string, StackScenario>;
}

export interface Invocation {
  t: number;
  start: number;
  pid: number;
  argv: string[];
  cwd: string;
  env: {
    passphraseSet: boolean;
    passphraseFile?: string;
    automationApi?: string;
    skipUpdateCheck?: string;
  };
  exit?: number;
  signal?: string;
  again?: boolean;
}

export class FakePulumi {
  readonly dir: string;
  readonly logFile: string;
  readonly scenarioFile: string;

  constructor(scenario: Scenario = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-fake-"));
    this.logFile = path.join(this.dir, "invocations.jsonl");
    this.scenarioFile = path.join(this.dir, "scenario.json");
    this.setScenario(scenario);
  }

  setScenario(scenario: Scenario): void {
    fs.writeFileSync(this.scenarioFile, JSON.stringify(scenario));
  }

  /** Environment for the code under test: the fake first on PATH, its log and scenario. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: `${FAKE_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: this.dir,
      FAKE_PULUMI_LOG: this.logFile,
      FAKE_PULUMI_SCENARIO: this.scenarioFile,
      PULUMI_CONFIG_PASSPHRASE: "correct-horse-battery",
      ...extra,
    };
  }

  /**
   * The stand-in run inside this process, as the PulumiCommand runFleet and StackDriver take: the
   * same code, scenario and invocation log as the executable, without a process per call (an
   * invocation's `pid` is then a counter). For tests of the runner's logic; tests about processes
   * (PATH, signals, the environment a child gets) resolve the executable instead.
   */
  command(): Promise<PulumiCommand> {
    return inProcessPulumi(FAKE_PULUMI);
  }

  /** Whether a "slow" operation of `stack` is under way (the fake marks it when it starts). */
  slowStarted(stack: string): boolean {
    return fs.existsSync(`${this.logFile}.slow-${stack}`);
  }

  /** Every invocation so far, in the order they finished. */
  invocations(): Invocation[] {
    if (!fs.existsSync(this.logFile)) return [];
    return fs
      .readFileSync(this.logFile, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Invocation);
  }

  /** Invocations of one command word (e.g. "up"), without the ones of other commands. */
  calls(command: string): Invocation[] {
    return this.invocations().filter((i) => i.argv[0] === command && i.signal === undefined);
  }

  clearLog(): void {
    fs.rmSync(this.logFile, { force: true });
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The value following `flag` in argv. */
export function argAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i === -1 ? undefined : argv[i + 1];
}

/** Replaces the per-run parts of an operation's argv (ports, temp log paths) with placeholders. */
export function normalizeArgv(argv: string[]): string[] {
  return argv.map((a) =>
    a.startsWith("--client=127.0.0.1:")
      ? "--client=<port>"
      : /automation-logs-[a-z-]+[A-Za-z0-9]+\/eventlog\.txt$/.test(a)
        ? "<event-log>"
        : a,
  );
}

/** Highest number of operations (of the given commands) whose [start, end] intervals overlap. */
export function maxOverlap(calls: Invocation[]): number {
  const edges: [number, number][] = [];
  for (const c of calls) {
    edges.push([c.start, 1], [c.t, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) {
    now += d;
    max = Math.max(max, now);
  }
  return max;
}
