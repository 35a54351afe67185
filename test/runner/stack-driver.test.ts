import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import {
  PULUMI_INSTALL_HINT,
  PulumiCliError,
  compareVersions,
  resolvePulumiCli,
} from "../../automation/stacks/pulumi-cli";
import {
  StackDriver,
  StackSpec,
  countChanges,
  maskOutputs,
  redact,
} from "../../automation/stacks/stack-driver";
import {
  FAKE_PULUMI,
  FakePulumi,
  Scenario,
  maxOverlap,
  normalizeArgv,
} from "../fake-pulumi/harness";

const PASSPHRASE = "correct-horse-battery";

describe("stack driver against the stand-in pulumi CLI", function () {
  this.timeout(30000);
  let fake: FakePulumi;
  let cli: PulumiCommand;
  let backend: string;

  /**
   * A driver on the stand-in CLI run in this process; `form: "process"` resolves the executable on
   * PATH instead, for tests about the process itself (its path, environment, a SIGINT to it) and
   * ones kept on it so the two forms cannot drift apart (see test/fake-pulumi/forms.test.ts).
   */
  async function setup(
    scenario: Scenario,
    form: "in-process" | "process" = "in-process",
  ): Promise<StackDriver> {
    fake = new FakePulumi(scenario);
    cli = form === "process" ? await resolvePulumiCli({ env: fake.env() }) : await fake.command();
    backend = `file://${path.join(fake.dir, "state")}`;
    fs.mkdirSync(path.join(fake.dir, "state"));
    return new StackDriver({
      pulumiCommand: cli,
      backendUrl: backend,
      envVars: fake.env() as Record<string, string>,
    });
  }

  function spec(stackName: string, extra: Partial<StackSpec> = {}): StackSpec {
    return {
      stackName,
      projectName: "pf",
      workDir: path.join(fake.dir, "ws", stackName),
      program: async () => ({}),
      ...extra,
    };
  }

  afterEach(() => fake?.cleanup());

  it("resolves the CLI once to the executable on PATH and reads its version", async () => {
    await setup({}, "process");
    assert.equal(cli.command, FAKE_PULUMI);
    assert.equal(cli.version?.version, "3.200.0");
  });

  it("creates a new stack, sets config, checks for pending operations, then runs up", async () => {
    const driver = await setup(
      {
        stacks: {
          s1: {
            outputs: { roleArn: "arn:aws:iam::1:role/r", token: "tok-12345" },
            secretOutputs: ["token"],
          },
        },
      },
      "process",
    );
    const lines: string[] = [];
    const outcome = await driver.run(
      spec("s1", {
        config: {
          "pf:plain": { value: "v1" },
          "pf:hidden": { value: "s3cret-value", secret: true },
        },
      }),
      "up",
      { onOutput: (l) => lines.push(l) },
    );
    assert.equal(outcome.state, "SUCCEEDED");
    assert.equal(outcome.reason, "deployed");
    assert.deepEqual(maskOutputs(outcome.outputs ?? {}), {
      roleArn: "arn:aws:iam::1:role/r",
      token: "[secret]",
    });
    assert.deepEqual(outcome.changes, { same: 3 });
    assert.deepEqual(lines, ["Updating (s1):", "Resources:", "    3 unchanged", "Duration: 1s"]);
    const calls = fake.invocations();
    assert.deepEqual(
      calls.map((c) => normalizeArgv(c.argv)),
      [
        ["stack", "select", "--stack", "s1", "--non-interactive"],
        ["stack", "init", "s1", "--non-interactive"],
        [
          "config",
          "set-all",
          "--stack",
          "s1",
          "--plaintext",
          "pf:plain=v1",
          "--secret",
          "pf:hidden=s3cret-value",
          "--non-interactive",
        ],
        ["stack", "export", "--show-secrets", "--stack", "s1", "--non-interactive"],
        [
          "up",
          "--yes",
          "--skip-preview",
          "--color",
          "never",
          "--client=<port>",
          "--exec-kind",
          "auto.inline",
          "--event-log",
          "<event-log>",
          "--stack",
          "s1",
          "--non-interactive",
        ],
        ["stack", "output", "--json", "--stack", "s1", "--non-interactive"],
        ["stack", "output", "--json", "--show-secrets", "--stack", "s1", "--non-interactive"],
        [
          "stack",
          "history",
          "--json",
          "--show-secrets",
          "--page-size",
          "1",
          "--page",
          "1",
          "--stack",
          "s1",
          "--non-interactive",
        ],
      ],
    );
    // `stack select` of a missing stack exits 6 ("Stack not found",
    // https://www.pulumi.com/docs/iac/cli/exit-codes/; test/engine/cli-claims.test.ts).
    assert.deepEqual(
      calls.map((c) => c.exit),
      [6, 0, 0, 0, 0, 0, 0, 0],
    );
    for (const c of calls) {
      assert.equal(c.cwd, path.join(fake.dir, "ws", "s1"));
      assert.equal(c.env.passphraseSet, true);
      assert.equal(c.env.automationApi, "true");
      assert.equal(c.env.skipUpdateCheck, undefined);
      assert.ok(!c.argv.some((a) => a.includes(PASSPHRASE)), "passphrase never in argv");
    }
    const project = fs.readFileSync(path.join(fake.dir, "ws", "s1", "Pulumi.yaml"), "utf8");
    assert.match(project, /^name: pf$/m);
    assert.match(project, new RegExp(`^  url: ${backend.replace(/[/.]/g, "\\$&")}$`, "m"));
  });

  it("selects an existing stack without creating it", async () => {
    const driver = await setup({});
    assert.equal((await driver.run(spec("s1"), "up")).state, "SUCCEEDED");
    fake.clearLog();
    const outcome = await driver.run(spec("s1"), "refresh");
    assert.deepEqual(
      { state: outcome.state, reason: outcome.reason },
      { state: "SUCCEEDED", reason: "refreshed" },
    );
    assert.deepEqual(
      fake.invocations().map((c) => c.argv.slice(0, 2).join(" ")),
      ["stack select", "refresh --skip-preview", "stack history"],
    );
    assert.ok(fake.invocations()[1].argv.includes("--yes"));
    assert.ok(!fake.invocations()[1].argv.includes("--clear-pending-creates"));
  });

  it("reports drift as FAILED with the number of changes, using --expect-no-changes", async () => {
    const driver = await setup({ stacks: { s1: { changes: 2 } } });
    await driver.run(spec("s1"), "up");
    fake.clearLog();
    const outcome = await driver.run(spec("s1"), "drift");
    assert.equal(outcome.state, "FAILED");
    assert.equal(outcome.reason, "drift: 2 changes (2 to update)");
    const preview = fake.calls("preview");
    assert.equal(preview.length, 1);
    assert.deepEqual(normalizeArgv(preview[0].argv), [
      "preview",
      "--expect-no-changes",
      "--color",
      "never",
      "--client=<port>",
      "--exec-kind",
      "auto.inline",
      "--event-log",
      "<event-log>",
      "--stack",
      "s1",
      "--non-interactive",
    ]);
  });

  it("a plain preview with changes succeeds and counts them", async () => {
    const driver = await setup({ stacks: { s1: { changes: 1 } } });
    const outcome = await driver.run(spec("s1"), "preview");
    assert.equal(outcome.state, "SUCCEEDED");
    assert.equal(outcome.reason, "1 change(s): 1 to update");
    assert.equal(fake.calls("preview")[0].argv.includes("--expect-no-changes"), false);
  });

  it("a locked stack fails once with the lock holder's message, never cancels or retries", async () => {
    const driver = await setup({ stacks: { s1: { up: "locked" } } });
    const outcome = await driver.run(spec("s1"), "up");
    assert.equal(outcome.state, "FAILED");
    assert.match(
      outcome.reason,
      /^locked: the stack is currently locked by 1 lock\(s\)\. Either wait .* patchfleet does not cancel other updates: wait for that one to finish, then run up again$/,
    );
    assert.equal(fake.calls("up").length, 1);
    assert.equal(fake.calls("cancel").length, 0);
    assert.ok(fake.invocations().every((c) => !c.argv.includes("--continue-on-error")));
  });

  it("a failing program is FAILED with the CLI's error and no secret in the reason", async () => {
    const driver = await setup({
      stacks: { s1: { up: "fail", leak: `error: could not decrypt with ${PASSPHRASE}` } },
    });
    const lines: string[] = [];
    const outcome = await driver.run(spec("s1"), "up", { onOutput: (l) => lines.push(l) });
    assert.equal(outcome.state, "FAILED");
    assert.equal(
      outcome.reason,
      "up failed: could not decrypt with [secret]; Running program failed: config " +
        "patchGroups.web: unknown operating system",
    );
    assert.ok(!JSON.stringify(outcome).includes(PASSPHRASE));
    assert.ok(!lines.join("\n").includes(PASSPHRASE));
  });

  it("stops a stack with pending operations before up and says to refresh", async () => {
    const driver = await setup({ stacks: { s1: { pendingOperations: 2 } } });
    const outcome = await driver.run(spec("s1"), "up");
    assert.equal(outcome.state, "FAILED");
    assert.equal(
      outcome.reason,
      "stack s1 has 2 pending operation(s) left by an interrupted update; check those resources " +
        "in AWS, then run `patchfleet refresh` for this stack (it runs `pulumi refresh`, which " +
        "clears pending operations; add --clear-pending-creates to drop creates that never " +
        "finished, after deleting or importing anything they left behind) before trying again",
    );
    assert.equal(fake.calls("up").length, 0);
    const refreshed = await driver.run(spec("s1"), "refresh", { clearPendingCreates: true });
    assert.equal(refreshed.state, "SUCCEEDED");
    const refresh = fake.calls("refresh");
    assert.equal(refresh.length, 1);
    assert.deepEqual(refresh[0].argv.slice(0, 4), [
      "refresh",
      "--skip-preview",
      "--yes",
      "--clear-pending-creates",
    ]);
    assert.equal((await driver.run(spec("s1"), "up")).state, "SUCCEEDED");
  });

  it("never runs two operations on one stack at once: the second is 'already running'", async () => {
    const driver = await setup({ stacks: { s1: { delayMs: 400 } } });
    const [a, b] = await Promise.all([
      driver.run(spec("s1"), "up"),
      driver.run(spec("s1"), "preview"),
    ]);
    assert.equal(a.state, "SUCCEEDED");
    assert.deepEqual(
      { state: b.state, reason: b.reason },
      {
        state: "FAILED",
        reason:
          "already running: up of stack s1 is in progress in this patchfleet process; wait for it to finish",
      },
    );
    assert.equal(fake.calls("preview").length, 0);
    assert.equal(fake.calls("up").length, 1);
  });

  it("serializes stack selection but runs operations of different stacks in parallel", async () => {
    // Each stack's selection (select, init) runs the CLI twice, one stack after another; the
    // ups wait for each other (rendezvous) before finishing, so they overlap only if they run at
    // once, however slowly processes start.
    const driver = await setup({ defaultDelayMs: 100, stacks: { "*": { rendezvous: 3 } } });
    await Promise.all(["a", "b", "c"].map((s) => driver.run(spec(s), "up")));
    const selects = fake
      .invocations()
      .filter((c) => c.argv[0] === "stack" && /select|init/.test(c.argv[1]));
    // select(fail)+init per stack, never interleaved between stacks.
    const order = selects.map((c) => (c.argv.includes("init") ? c.argv[2] : c.argv[3]));
    assert.deepEqual(order, ["a", "a", "b", "b", "c", "c"]);
    const ups = fake.calls("up");
    assert.equal(ups.length, 3);
    assert.equal(maxOverlap(ups), 3);
  });

  it("interrupting a slow up sends the CLI one SIGINT and reports FAILED with a refresh hint", async () => {
    const driver = await setup({ stacks: { s1: { up: "slow", slowMs: 15000 } } }, "process");
    const controller = new AbortController();
    const started = Date.now();
    const running = driver.run(spec("s1"), "up", {
      signal: controller.signal,
      onOutput: (line) => {
        if (line.startsWith("Updating")) setTimeout(() => controller.abort(), 200);
      },
    });
    const outcome = await running;
    assert.ok(Date.now() - started < 10000, "returned well before the slow up would end");
    assert.equal(outcome.state, "FAILED");
    assert.equal(outcome.interrupted, true);
    assert.match(
      outcome.reason,
      /^interrupted: up was cancelled while running; the stack may hold pending operations: check those resources/,
    );
    const signals = fake.invocations().filter((c) => c.signal === "SIGINT");
    assert.equal(signals.length, 1);
    assert.equal(signals[0].again, undefined);
    assert.equal(fake.calls("cancel").length, 0);
  });

  it("with forwardAbort off, an abort sends nothing to the CLI and waits for it to end", async () => {
    const driver = await setup({ stacks: { s1: { up: "slow", slowMs: 1500 } } }, "process");
    const controller = new AbortController();
    const started = Date.now();
    const outcome = await driver.run(spec("s1"), "up", {
      signal: controller.signal,
      forwardAbort: false,
      onOutput: () => controller.abort(),
    });
    assert.ok(Date.now() - started >= 1500, "waited for the CLI");
    assert.equal(outcome.state, "FAILED");
    assert.equal(outcome.interrupted, true);
    assert.equal(fake.invocations().filter((c) => c.signal === "SIGINT").length, 0);
  });

  it("an operation whose signal is already aborted is not started", async () => {
    const driver = await setup({});
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(driver.run(spec("s1"), "up", { signal: controller.signal }), {
      name: "AbortError",
      message: "up was not started",
    });
    assert.equal(fake.invocations().length, 0);
  });

  it("outputs and destroy of a stack that does not exist are SKIPPED, never created", async () => {
    const driver = await setup({});
    for (const op of ["outputs", "destroy"] as const) {
      const outcome = await driver.run(spec("nope"), op);
      assert.deepEqual(
        { state: outcome.state, reason: outcome.reason },
        { state: "SKIPPED", reason: "stack nope does not exist yet; run `patchfleet up` first" },
      );
    }
    assert.equal(fake.invocations().filter((c) => c.argv.includes("init")).length, 0);
  });

  it("secret outputs are redacted from later output lines", async () => {
    const driver = await setup({
      stacks: { s1: { outputs: { token: "Updating" }, secretOutputs: ["token"] } },
    });
    await driver.run(spec("s1"), "up");
    const lines: string[] = [];
    await driver.run(spec("s1"), "up", { onOutput: (l) => lines.push(l) });
    assert.equal(lines[0], "[secret] (s1):");
  });
});

describe("pulumi CLI resolution", () => {
  it("fails with the install hint when pulumi is not on PATH", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "no-pulumi-"));
    try {
      await assert.rejects(resolvePulumiCli({ env: { PATH: empty } }), (err: unknown) => {
        assert.ok(err instanceof PulumiCliError);
        assert.equal(
          err.message,
          `the Pulumi CLI (\`pulumi\`) was not found on PATH. ${PULUMI_INSTALL_HINT}`,
        );
        return true;
      });
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });

  it("rejects a CLI older than 3.181.0", async function () {
    this.timeout(10000);
    const fake = new FakePulumi({ version: "3.100.0" });
    const before = process.env.FAKE_PULUMI_SCENARIO;
    process.env.FAKE_PULUMI_SCENARIO = fake.scenarioFile;
    try {
      await assert.rejects(resolvePulumiCli({ env: fake.env() }), {
        name: "PulumiCliError",
        message: `the Pulumi CLI at ${FAKE_PULUMI} is version 3.100.0; patchfleet needs 3.181.0 or newer. ${PULUMI_INSTALL_HINT}`,
      });
    } finally {
      if (before === undefined) delete process.env.FAKE_PULUMI_SCENARIO;
      else process.env.FAKE_PULUMI_SCENARIO = before;
      fake.cleanup();
    }
  });

  it("compares versions numerically", () => {
    assert.equal(compareVersions("3.200.0", "3.181.0") > 0, true);
    assert.equal(compareVersions("v3.181.0", "3.181.0"), 0);
    assert.equal(compareVersions("3.99.9", "3.181.0") < 0, true);
    assert.equal(compareVersions("3.181.0-alpha.1", "3.181.0"), 0);
  });
});

describe("stack driver helpers", () => {
  it("redact replaces every occurrence of secrets of 4+ characters", () => {
    assert.equal(
      redact("a pw=hunter2 and hunter2", ["hunter2", "abc"]),
      "a pw=[secret] and [secret]",
    );
    assert.equal(redact("abc", ["abc"]), "abc");
  });
  it("countChanges ignores unchanged resources", () => {
    assert.equal(countChanges({ same: 10, update: 2, create: 1 }), 3);
    assert.equal(countChanges(undefined), 0);
  });
});
