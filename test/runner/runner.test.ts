import { strict as assert } from "assert";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { AccountConfig } from "../../components/types";
import type { Fleet } from "../../automation/fleet/types";
import { resolvePulumiCli } from "../../automation/stacks/pulumi-cli";
import {
  FleetEvent,
  RunFleetOptions,
  RunnerInputError,
  runFleet,
  resolveBackend,
} from "../../automation/stacks/run-fleet";
import { stackName } from "../../automation/stacks/topology-config";
import { FakePulumi, Invocation, Scenario, argAfter, maxOverlap } from "../fake-pulumi/harness";
import { CENTRAL_OUTPUTS, testFleet } from "./fixtures";

describe("fleet runner against the stand-in pulumi CLI", function () {
  this.timeout(40000);
  let fake: FakePulumi;
  let cli: PulumiCommand;
  let fleet: Fleet;
  let configs: Map<string, AccountConfig>;

  const names = () => ({
    central: stackName(fleet.central),
    members: fleet.members.map((m) => stackName(m)),
  });

  /**
   * A fleet of `members` and the stand-in CLI run in this process; `form: "process"` resolves the
   * executable on PATH instead, for tests about what a real process gets (a SIGINT, its environment).
   */
  async function setup(
    scenario: (n: ReturnType<typeof names>) => Scenario,
    members = 3,
    form: "in-process" | "process" = "in-process",
  ) {
    fake = new FakePulumi();
    fleet = testFleet(path.join(fake.dir, "fleet.yaml"), members);
    fake.setScenario(scenario(names()));
    cli = form === "process" ? await resolvePulumiCli({ env: fake.env() }) : await fake.command();
    configs = new Map();
  }

  function run(operation: RunFleetOptions["operation"], extra: Partial<RunFleetOptions> = {}) {
    return runFleet({
      fleet,
      operation,
      env: fake.env(),
      pulumiCommand: cli,
      program: (config) => {
        configs.set(config.accountId, config);
        return async () => ({});
      },
      ...extra,
    });
  }

  const stackOf = (c: Invocation) => argAfter(c.argv, "--stack");
  // Deploying the fleet as a test's starting point: all members at once.
  const allAtOnce: Partial<RunFleetOptions> = {
    maxConcurrent: { kind: "percent", value: 100 },
    failureTolerance: { kind: "percent", value: 100 },
  };

  afterEach(() => fake?.cleanup());

  it("up: central first and alone, its outputs configure members, at most maxConcurrent in flight", async () => {
    await setup(
      (n) => ({
        defaultDelayMs: 700,
        stacks: {
          [n.central]: { outputs: CENTRAL_OUTPUTS },
          // The first two members meet before finishing, so they overlap however slowly
          // processes start; a third at once would show as an overlap of 3.
          ...Object.fromEntries(n.members.map((m) => [m, { rendezvous: 2 }])),
        },
      }),
      4,
    );
    const events: FleetEvent[] = [];
    // Strict tolerance runs min(maxConcurrent, tolerance + 1) at once (R2): allow 2.
    const result = await run("up", {
      maxConcurrent: { kind: "count", value: 2 },
      failureTolerance: { kind: "count", value: 3 },
      onEvent: (e) => events.push(e),
    });
    const n = names();
    assert.deepEqual(
      result.targets.map((t) => [t.stackName, t.role, t.state, t.reason]),
      [
        [n.central, "central", "SUCCEEDED", "deployed"],
        ...n.members.map((m) => [m, "member", "SUCCEEDED", "deployed"]),
      ],
    );
    assert.deepEqual(result.targets[0].outputs, CENTRAL_OUTPUTS);
    assert.equal(result.interrupted, false);
    assert.equal(result.backend, `file://${path.join(fake.dir, ".patchfleet", "state")}`);

    const ups = fake.calls("up");
    assert.equal(ups.length, 5);
    const centralUp = ups.find((c) => stackOf(c) === n.central) as Invocation;
    const memberUps = ups.filter((c) => stackOf(c) !== n.central);
    for (const m of memberUps) assert.ok(m.start >= centralUp.t, "members start after central");
    assert.equal(maxOverlap(memberUps), 2);
    for (const c of ups) {
      assert.equal(c.cwd, path.join(fake.dir, ".patchfleet", "workspaces", stackOf(c) as string));
      assert.ok(c.argv.includes("--yes") && c.argv.includes("--skip-preview"));
    }

    // Central outputs become config of every member stack, and of its program.
    for (const m of n.members) {
      const set = fake
        .invocations()
        .filter((c) => c.argv[0] === "config" && c.argv[1] === "set-all" && stackOf(c) === m);
      assert.equal(set.length, 1);
      assert.deepEqual(set[0].argv, [
        "config",
        "set-all",
        "--stack",
        m,
        "--plaintext",
        `patchfleet:centralAdministrationRoleArn=${CENTRAL_OUTPUTS.administrationRoleArn}`,
        "--plaintext",
        "patchfleet:centralRunbookName=patchfleet-RunPatchBaseline",
        "--plaintext",
        "patchfleet:centralLogBucketName=patchfleet-logs-111111111111",
        "--non-interactive",
      ]);
    }
    assert.equal(
      fake.invocations().filter((c) => c.argv[1] === "set-all" && stackOf(c) === n.central).length,
      0,
    );
    const member = configs.get(fleet.members[0].account) as AccountConfig;
    assert.equal(member.role, "member");
    assert.equal(member.administrationRoleName, "AWS-SystemsManager-AutomationAdministrationRole");
    assert.equal(member.runbookName, "patchfleet-RunPatchBaseline");
    assert.equal(member.logBucketName, "patchfleet-logs-111111111111");
    assert.equal((configs.get("111111111111") as AccountConfig).role, "central");

    // Events: every target queued, started, finished, in that order, exactly once each.
    for (const id of [n.central, ...n.members]) {
      const kinds = events
        .filter((e) => e.target.id === id && e.kind !== "output")
        .map((e) => e.kind);
      assert.deepEqual(kinds, ["queued", "started", "finished"]);
      assert.ok(
        events.some(
          (e) => e.target.id === id && e.kind === "output" && e.line === `Updating (${id}):`,
        ),
      );
    }
  });

  it("destroy: members first, central last", async () => {
    await setup((n) => ({ stacks: { [n.central]: { outputs: CENTRAL_OUTPUTS } } }), 2);
    assert.equal(
      (await run("up", allAtOnce)).targets.every((t) => t.state === "SUCCEEDED"),
      true,
    );
    fake.clearLog();
    const result = await run("destroy", { maxConcurrent: { kind: "count", value: 2 } });
    const n = names();
    assert.deepEqual(
      result.targets.map((t) => [t.stackName, t.state, t.reason]),
      [
        [n.central, "SUCCEEDED", "destroyed"],
        ...n.members.map((m) => [m, "SUCCEEDED", "destroyed"]),
      ],
    );
    const destroys = fake.calls("destroy");
    assert.deepEqual(destroys.map(stackOf).slice(-1), [n.central]);
    const central = destroys[destroys.length - 1];
    for (const d of destroys.slice(0, -1)) assert.ok(d.t <= central.start);
    assert.ok(destroys.every((d) => d.argv.includes("--yes") && d.argv.includes("--skip-preview")));
  });

  it("destroy leaves the central stack when a member could not be destroyed", async () => {
    await setup((n) => ({
      stacks: { [n.central]: { outputs: CENTRAL_OUTPUTS }, [n.members[1]]: { destroy: "fail" } },
    }));
    assert.equal(
      (await run("up", allAtOnce)).targets.every((t) => t.state === "SUCCEEDED"),
      true,
    );
    fake.clearLog();
    const result = await run("destroy", { failureTolerance: { kind: "count", value: 5 } });
    const n = names();
    assert.deepEqual(
      result.targets.map((t) => t.state),
      ["CANCELLED", "SUCCEEDED", "FAILED", "SUCCEEDED"],
    );
    assert.equal(
      result.targets[0].reason,
      "not tried: 1 member stack(s) were not destroyed and still depend on the central roles and runbook",
    );
    assert.deepEqual(fake.calls("destroy").map(stackOf).sort(), [...n.members].sort());
  });

  it("a failed central stack cancels every member without touching them", async () => {
    await setup((n) => ({ stacks: { [n.central]: { up: "fail" } } }));
    const result = await run("up");
    const n = names();
    assert.equal(result.targets[0].state, "FAILED");
    assert.match(result.targets[0].reason, /^up failed: Running program failed: /);
    for (const t of result.targets.slice(1)) {
      assert.equal(t.state, "CANCELLED");
      assert.equal(t.reason, `not tried: the central stack ${n.central} did not succeed (FAILED)`);
    }
    assert.deepEqual(fake.calls("up").map(stackOf), [n.central]);
  });

  it("drift checks every member even when the central stack drifted", async () => {
    await setup((n) => ({ stacks: { [n.central]: { outputs: CENTRAL_OUTPUTS, changes: 2 } } }));
    assert.equal(
      (await run("up", allAtOnce)).targets.every((t) => t.state === "SUCCEEDED"),
      true,
    );
    fake.clearLog();
    const result = await run("drift", allAtOnce);
    const n = names();
    assert.deepEqual(
      result.targets.map((t) => [t.stackName, t.state, t.reason]),
      [
        [n.central, "FAILED", "drift: 2 changes (2 to update)"],
        ...n.members.map((m) => [m, "SUCCEEDED", "no drift"]),
      ],
    );
    const previews = fake.calls("preview");
    assert.equal(stackOf(previews[0]), n.central);
    assert.deepEqual(previews.map(stackOf).sort(), [n.central, ...n.members].sort());
    assert.ok(previews.every((c) => c.argv.includes("--expect-no-changes")));
  });

  it("a locked member is FAILED with the lock reason; tolerance 0 cancels the members after it", async () => {
    await setup((n) => ({
      stacks: { [n.central]: { outputs: CENTRAL_OUTPUTS }, [n.members[0]]: { up: "locked" } },
    }));
    const result = await run("up");
    const n = names();
    assert.deepEqual(
      result.targets.map((t) => t.state),
      ["SUCCEEDED", "FAILED", "CANCELLED", "CANCELLED"],
    );
    assert.match(result.targets[1].reason, /^locked: the stack is currently locked by 1 lock\(s\)/);
    assert.equal(
      result.targets[2].reason,
      "not tried: the targets without a region exceeded its failure tolerance (1 failed, tolerance 0)",
    );
    assert.deepEqual(fake.calls("up").map(stackOf), [n.central, n.members[0]]);
    assert.equal(fake.calls("cancel").length, 0);
  });

  it("interrupt: one SIGINT to the running member, nothing new starts, result still complete", async () => {
    await setup(
      (n) => ({
        stacks: {
          [n.central]: { outputs: CENTRAL_OUTPUTS },
          [n.members[0]]: { up: "slow", slowMs: 20000 },
        },
      }),
      3,
      "process",
    );
    const controller = new AbortController();
    const n = names();
    const started = Date.now();
    const result = await run("up", {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === "output" && e.target.id === n.members[0]) {
          setTimeout(() => controller.abort(), 200);
        }
      },
    });
    assert.ok(Date.now() - started < 15000);
    assert.equal(result.interrupted, true);
    assert.deepEqual(
      result.targets.map((t) => t.state),
      ["SUCCEEDED", "FAILED", "CANCELLED", "CANCELLED"],
    );
    assert.match(result.targets[1].reason, /^interrupted: up was cancelled while running; /);
    assert.equal(result.targets[2].reason, "not tried: the rollout was stopped");
    assert.equal(fake.invocations().filter((c) => c.signal === "SIGINT").length, 1);
    assert.deepEqual(fake.calls("up").map(stackOf), [n.central, n.members[0]]);
    assert.equal(fake.calls("cancel").length, 0);
  });

  it("--only runs the named members and reads the central outputs without touching it", async () => {
    await setup((n) => ({ stacks: { [n.central]: { outputs: CENTRAL_OUTPUTS } } }));
    await run("up", { only: ["central"] });
    fake.clearLog();
    const n = names();
    const result = await run("up", { only: ["m2", fleet.members[2].account] });
    assert.deepEqual(
      result.targets.map((t) => [t.stackName, t.state]),
      [
        [n.members[1], "SUCCEEDED"],
        [n.members[2], "SUCCEEDED"],
      ],
    );
    assert.deepEqual(result.selection, {
      only: ["m2", fleet.members[2].account],
      shard: undefined,
    });
    assert.deepEqual(fake.calls("up").map(stackOf).sort(), [n.members[1], n.members[2]].sort());
    const centralCalls = fake.invocations().filter((c) => stackOf(c) === n.central);
    assert.deepEqual(
      centralCalls.map((c) => c.argv.slice(0, 2).join(" ")),
      ["stack select", "stack output", "stack output"],
    );
  });

  it("members are not deployed before the central stack exists", async () => {
    await setup(() => ({}));
    const result = await run("up", { shard: "1/1" });
    const n = names();
    assert.equal(result.targets.length, 3);
    for (const t of result.targets) {
      assert.equal(t.state, "CANCELLED");
      assert.equal(
        t.reason,
        `not tried: the central stack ${n.central} has no outputs (stack ${n.central} does not ` +
          "exist yet; run `patchfleet up` first); run `patchfleet up --only central` first",
      );
    }
    assert.equal(fake.calls("up").length, 0);
  });

  it("names the outputs a deployed central stack lacks instead of deploying members", async () => {
    await setup((n) => ({
      stacks: { [n.central]: { outputs: { runbookName: CENTRAL_OUTPUTS.runbookName } } },
    }));
    await run("up", { only: ["central"] });
    fake.clearLog();
    const n = names();
    const result = await run("up", { shard: "1/1" });
    for (const t of result.targets) {
      assert.equal(t.state, "CANCELLED");
      assert.equal(
        t.reason,
        `not tried: the central stack ${n.central} lacks the outputs members need ` +
          "(administrationRoleArn, logBucketName); run `patchfleet up --only central` first",
      );
    }
    assert.equal(fake.calls("up").length, 0);
  });

  it("rejects unknown --only names and a missing passphrase before running anything", async () => {
    await setup(() => ({}));
    await assert.rejects(run("up", { only: ["m1", "nobody"] }), (err: unknown) => {
      assert.ok(err instanceof RunnerInputError);
      assert.equal(
        err.message,
        `--only: no account named "nobody" in ${fleet.file}; use account names or ids from the ` +
          "fleet file: central (111111111111), m1 (200000000001), m2 (200000000002), m3 (200000000003)",
      );
      return true;
    });
    const env = fake.env();
    delete env.PULUMI_CONFIG_PASSPHRASE;
    await assert.rejects(run("up", { env }), {
      name: "RunnerInputError",
      message:
        "stacks on a file:// or s3:// backend encrypt secrets with a passphrase: set " +
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, or set `secretsProvider` " +
        "(e.g. awskms://alias/patchfleet) in the fleet file",
    });
    assert.equal(fake.invocations().length, 0);
  });
  it("passes PULUMI_CONFIG_PASSPHRASE_FILE through to every CLI call", async () => {
    await setup(() => ({}), 1, "process");
    const env = fake.env({ PULUMI_CONFIG_PASSPHRASE_FILE: path.join(fake.dir, "passphrase") });
    delete env.PULUMI_CONFIG_PASSPHRASE;
    const result = await run("preview", { env });
    assert.deepEqual(
      result.targets.map((t) => t.state),
      ["SUCCEEDED", "SUCCEEDED"],
    );
    const calls = fake.invocations();
    assert.ok(calls.length > 0);
    for (const c of calls) {
      assert.equal(c.env.passphraseSet, false);
      assert.equal(c.env.passphraseFile, path.join(fake.dir, "passphrase"));
    }
  });
});

describe("runner helpers", () => {
  it("resolves relative file:// backends against the fleet file, leaves others alone", () => {
    const f = testFleet("/srv/fleets/prod.yaml", 1);
    assert.equal(
      resolveBackend(f, "/srv/fleets/.patchfleet"),
      "file:///srv/fleets/.patchfleet/state",
    );
    assert.equal(resolveBackend({ ...f, backend: "file://../state" }, "/x"), "file:///srv/state");
    assert.equal(resolveBackend({ ...f, backend: "s3://bucket/p" }, "/x"), "s3://bucket/p");
    assert.equal(resolveBackend({ ...f, backend: "file:///abs/dir" }, "/x"), "file:///abs/dir");
  });
});
