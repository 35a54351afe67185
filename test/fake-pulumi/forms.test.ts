/**
 * The stand-in `pulumi` has two forms: the executable (bin/pulumi, found on PATH and spawned by
 * the SDK) and the in-process PulumiCommand (fake.command()) most runner tests use. This suite
 * sends both the same calls and asserts that the SDK gets the same answer from each: the
 * CommandResult, or the CommandError's class, code and message; the output its callbacks saw; the
 * files written (state, event log); the invocation log. So the in-process form cannot drift from
 * the executable, whose own claims test/engine/cli-claims.test.ts checks against the real CLI.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { resolvePulumiCli } from "../../automation/stacks/pulumi-cli";
import { FAKE_PULUMI, FakePulumi, Scenario } from "./harness";

/** PulumiCommand.run, which the SDK's typings keep internal. */
type Run = (
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onOutput?: (data: string) => void,
  onError?: (data: string) => void,
  signal?: AbortSignal,
) => Promise<{ stdout: string; stderr: string; code: number }>;

/** The execa error a CommandError's result carries. */
interface ExecaError {
  exitCode?: number;
  signal?: string;
  killed: boolean;
  stdout: string;
  stderr: string;
}

interface Form {
  name: string;
  fake: FakePulumi;
  cli: PulumiCommand;
  work: string;
}

const SCENARIO: Scenario = {
  stacks: {
    s1: { pendingOperations: 1, changes: 2, outputs: { a: "x", t: "tok" }, secretOutputs: ["t"] },
    locked: { up: "locked" },
    failing: { up: "fail", leak: "error: leaked text" },
    slow: { up: "slow", slowMs: 10000 },
    killed: { up: "ok", delayMs: 10000 },
  },
};

describe("the stand-in pulumi in process answers as its executable does", function () {
  this.timeout(60000);
  const forms: Form[] = [];

  before(async () => {
    for (const name of ["process", "in-process"]) {
      const fake = new FakePulumi(SCENARIO);
      const work = path.join(fake.dir, "ws");
      fs.mkdirSync(work);
      fs.writeFileSync(
        path.join(work, "Pulumi.yaml"),
        `name: pf\nruntime: nodejs\nbackend:\n  url: file://${path.join(fake.dir, "state")}\n`,
      );
      const cli =
        name === "process" ? await resolvePulumiCli({ env: fake.env() }) : await fake.command();
      forms.push({ name, fake, cli, work });
    }
  });
  after(() => forms.forEach((f) => f.fake.cleanup()));

  /**
   * One call in one form: what the SDK gets back, with the form's directory as <dir>.
   * `interrupt` is called with the first output and may abort the call's signal.
   */
  async function call(
    form: Form,
    args: string[],
    interrupt?: (form: Form, abort: () => void, output: string) => void,
  ): Promise<unknown> {
    const controller = new AbortController();
    let output = "";
    let errors = "";
    const run = (form.cli as unknown as { run: Run }).run.bind(form.cli);
    // The SDK tails an --event-log file while the command runs; hold it open as its tail does.
    const i = args.indexOf("--event-log");
    const log = i === -1 ? undefined : path.join(form.fake.dir, args[i + 1]);
    const argv = log ? args.map((a, j) => (j === i + 1 ? log : a)) : [...args];
    const fd = log ? fs.openSync(log, "w+") : undefined;
    let outcome: Record<string, unknown>;
    try {
      const result = await run(
        argv,
        form.work,
        form.fake.env() as Record<string, string>,
        (d) => {
          if (output === "") interrupt?.(form, () => controller.abort(), d);
          output += d;
        },
        (d) => (errors += d),
        controller.signal,
      );
      outcome = { result: { ...result } };
    } catch (err) {
      const e = err as Error & {
        commandResult: { code: number; stdout: string; stderr: string; err?: ExecaError };
      };
      const cause = e.commandResult.err;
      outcome = {
        error: e.name,
        code: e.commandResult.code,
        stdout: e.commandResult.stdout,
        stderr: e.commandResult.stderr,
        message: e.message,
        // The process's end as execa reported it.
        cause: cause && {
          exitCode: cause.exitCode,
          signal: cause.signal,
          killed: cause.killed,
          stdout: cause.stdout,
          stderr: cause.stderr,
        },
      };
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
    outcome.output = output;
    outcome.errors = errors;
    if (log) outcome.events = fs.readFileSync(log, "utf8").replace(/"timestamp":\d+/g, "");
    return JSON.parse(JSON.stringify(outcome).split(form.fake.dir).join("<dir>"));
  }

  /** The same call in both forms; returns what both got. */
  async function same(
    args: string[],
    interrupt?: (form: Form, abort: () => void, output: string) => void,
  ): Promise<Record<string, unknown>> {
    const [spawned, inProcess] = [
      await call(forms[0], args, interrupt),
      await call(forms[1], args, interrupt),
    ];
    assert.deepEqual(inProcess, spawned, `pulumi ${args.join(" ")}`);
    return spawned as Record<string, unknown>;
  }

  /** Both invocation logs, without times and pids, with <dir> for each form's directory. */
  function logs(): unknown[] {
    return forms.map((f) =>
      f.fake.invocations().map((c) => {
        const { t: _t, start: _s, pid: _p, ...rest } = c;
        return JSON.parse(JSON.stringify(rest).split(f.fake.dir).join("<dir>")) as unknown;
      }),
    );
  }

  it("resolves to the same path and version", () => {
    assert.equal(forms[1].cli.command, forms[0].cli.command);
    assert.equal(forms[0].cli.command, FAKE_PULUMI);
    assert.equal(forms[1].cli.version?.version, forms[0].cli.version?.version);
  });

  it("answers the stack and config commands alike, failures included", async () => {
    assert.equal((await same(["version"])).output, "v3.200.0\n");
    assert.equal((await same(["stack", "select", "--stack", "s1"])).error, "StackNotFoundError");
    await same(["stack", "init", "s1"]);
    assert.equal((await same(["stack", "init", "s1"])).error, "StackAlreadyExistsError");
    await same([
      "config",
      "set-all",
      "--stack",
      "s1",
      "--plaintext",
      "pf:a=1",
      "--secret",
      "pf:b=2",
    ]);
    await same(["stack", "export", "--show-secrets", "--stack", "s1"]);
    await same(["stack", "select", "--stack", "s1"]);
    assert.equal((await same(["whoami"])).error, "CommandError");
    const [spawned, inProcess] = logs();
    assert.deepEqual(inProcess, spawned);
  });

  it("answers operations alike: success, drift, a lock, a failing program", async () => {
    for (const stack of ["locked", "failing"]) await same(["stack", "init", stack]);
    const up = await same(["up", "--yes", "--skip-preview", "--stack", "s1", "--event-log", "e1"]);
    assert.match(up.events as string, /summaryEvent/);
    await same(["stack", "output", "--json", "--stack", "s1"]);
    await same(["stack", "output", "--json", "--show-secrets", "--stack", "s1"]);
    const drift = await same(["preview", "--expect-no-changes", "--stack", "s1"]);
    assert.equal(drift.code, -2);
    assert.match(drift.message as string, /Command failed with exit code 7/);
    const locked = await same(["up", "--yes", "--stack", "locked"]);
    assert.equal(locked.error, "ConcurrentUpdateError");
    const failing = await same(["up", "--yes", "--stack", "failing"]);
    assert.equal(failing.errors, "error: leaked text\n");
    // History entries carry the times of the run; the rest must agree.
    const history = forms.map(async (f) => {
      const r = (await call(f, ["stack", "history", "--json", "--stack", "s1"])) as {
        result: { stdout: string };
      };
      return (JSON.parse(r.result.stdout) as Record<string, unknown>[]).map(
        ({ startTime: _s, endTime: _e, ...rest }) => rest,
      );
    });
    const [h0, h1] = await Promise.all(history);
    assert.deepEqual(h1, h0);
    const [spawned, inProcess] = logs();
    assert.deepEqual(inProcess, spawned);
  });

  it("a SIGINT reaches both alike: a slow update cancels, one not listening is killed", async () => {
    for (const stack of ["slow", "killed"]) await same(["stack", "init", stack]);
    for (const f of forms) f.fake.clearLog();
    const slow = await same(["up", "--yes", "--stack", "slow"], (form, abort) => {
      // The executable listens for SIGINT only once the update is under way.
      const wait = setInterval(() => {
        if (form.fake.slowStarted("slow")) {
          clearInterval(wait);
          abort();
        }
      }, 20);
    });
    assert.match(slow.output as string, /\^C received; cancelling/);
    assert.match(slow.message as string, /Command failed with exit code 1/);
    const killed = await same(["up", "--yes", "--stack", "killed"], (_form, abort, output) => {
      if (output.startsWith("Updating")) setTimeout(abort, 100);
    });
    assert.match(killed.message as string, /Command was killed with SIGINT/);
    const [spawned, inProcess] = logs();
    assert.deepEqual(inProcess, spawned);
    assert.deepEqual(
      (spawned as { signal?: string; exit?: number }[]).map((c) => [c.signal, c.exit]),
      [
        ["SIGINT", undefined],
        [undefined, 1],
      ],
    );
  });
});
