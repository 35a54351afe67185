/**
 * What test/fake-pulumi (the stand-in `pulumi` of the fast suite) claims about the CLI, checked
 * against the real CLI: each `it` takes its expected text and exit code from
 * test/fake-pulumi/cli-text.json, the file the fake prints from, so the fake cannot drift from
 * what the real CLI was seen to do. The commands are the ones the Automation API sends
 * (@pulumi/pulumi/automation/stack.js: `up --yes --skip-preview`, `--event-log`, ...).
 * Exit codes: https://www.pulumi.com/docs/iac/cli/exit-codes/ (the CLI's mapping since v3.226.1).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import TEXT from "../fake-pulumi/cli-text.json";
import {
  PULUMI,
  REPO,
  gate,
  pulumi,
  pulumiOk,
  requireEngine,
  sandbox,
  start,
  waitFor,
} from "./harness";
import type { Result, Sandbox } from "./harness";

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const config = new pulumi.Config();
if (config.getBoolean("fail")) throw new pulumi.RunError("claims: the program failed on purpose");
new aws.ssm.PatchBaseline("claims", {
  name: config.get("name") || "claims",
  operatingSystem: "AMAZON_LINUX_2023",
  approvedPatches: ["kernel"],
});
exports.plain = "visible";
exports.token = pulumi.secret("claims-secret-value");
`;

/** A cli-text.json template with the {name}s given filled in, the others left as they are. */
function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) =>
    k in values ? String(values[k]) : all,
  );
}

/**
 * The fake's `diagnostics` block: its two header lines, then its error line among the stack's
 * diagnostics (the real CLI may list warnings, such as the one about an ambient plugin, first).
 */
function assertDiagnostic(stdout: string, message: string): void {
  const [head, stackLine, errorLine] = fill(TEXT.diagnostics, {
    project: "claims",
    stack: "dev",
    message,
  }).split("\n");
  const at = stdout.indexOf(`${head}\n${stackLine}\n`);
  assert.ok(at >= 0, stdout);
  const block = stdout.slice(at).split("\n").slice(2);
  const end = block.findIndex((l) => !l.startsWith("    "));
  assert.ok(block.slice(0, end === -1 ? undefined : end).includes(errorLine), stdout);
}

/** A cli-text.json template as a regular expression, each {name} matching one word. */
function pattern(template: string): RegExp {
  const parts = template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(parts.join("\\S+?"));
}

interface EngineEvent {
  summaryEvent?: { resourceChanges: Record<string, number> } & Record<string, unknown>;
}

function summaryOf(file: string): NonNullable<EngineEvent["summaryEvent"]> {
  const events = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as EngineEvent);
  const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
  assert.ok(summary, `no summaryEvent in ${file}`);
  return summary;
}

describe("engine: the fake pulumi's claims about the CLI hold for the real CLI", function () {
  let sb: Sandbox;
  let dir: string;
  // The Automation API sets PULUMI_DEBUG_COMMANDS, which turns on the --event-log flag.
  const run = (args: string[]) => pulumi(sb, args, dir, { PULUMI_DEBUG_COMMANDS: "true" });
  const ok = (args: string[]) => {
    const r = run(args);
    assert.equal(r.status, 0, `pulumi ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const setName = (name: string) => pulumiOk(sb, ["config", "set", "name", name], dir);

  // Runs shared by several claims, each run once.
  let firstUp: Result;
  let firstUpEvents: string;
  let drift: Result | undefined;
  let driftEvents = "";

  before(function () {
    requireEngine(this);
    sb = sandbox("claims");
    dir = path.join(sb.dir, "claims");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      "name: claims\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    );
    fs.writeFileSync(path.join(dir, "index.js"), PROGRAM);
    fs.writeFileSync(path.join(dir, "package.json"), '{"name":"claims","main":"index.js"}\n');
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
    pulumiOk(sb, ["stack", "init", "dev"], dir);
    pulumiOk(sb, ["config", "set", "aws:region", "us-east-1"], dir);
  });

  it("`version` prints v<major>.<minor>.<patch> (the fake: v3.200.0)", function () {
    assert.match(ok(["version"]).stdout.trim(), /^v3\.\d+\.\d+$/);
  });

  it("a missing stack: `noStack` on stderr, exit `stackNotFound`, for select and for up", function () {
    for (const args of [
      ["stack", "select", "--stack", "nope"],
      ["up", "--yes", "--skip-preview", "--stack", "nope"],
    ]) {
      const r = run(args);
      assert.equal(r.status, TEXT.exit.stackNotFound, r.stderr);
      assert.equal(r.stderr, `${fill(TEXT.noStack, { stack: "nope" })}\n`);
    }
  });

  it("`stack init` of a new stack: `created` on stderr, nothing on stdout", function () {
    const r = ok(["stack", "init", "other"]);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, `${fill(TEXT.created, { stack: "other" })}\n`);
    ok(["stack", "select", "dev"]);
  });

  it("a second init: `alreadyExists` (the fully qualified name) on stderr, exit `alreadyExists`", function () {
    const r = run(["stack", "init", "dev"]);
    assert.equal(r.status, TEXT.exit.alreadyExists, r.stderr);
    assert.equal(r.stderr, `${fill(TEXT.alreadyExists, { project: "claims", stack: "dev" })}\n`);
  });

  it("`up` prints the `up` header; its summaryEvent has the keys `summaryEventKeys`", function () {
    firstUpEvents = path.join(sb.dir, "up-events.jsonl");
    firstUp = ok(["up", "--yes", "--skip-preview", "--event-log", firstUpEvents]);
    assert.ok(firstUp.stdout.startsWith(`${fill(TEXT.header.up, { stack: "dev" })}\n`));
    const summary = summaryOf(firstUpEvents);
    assert.deepEqual(Object.keys(summary), TEXT.summaryEventKeys);
    // The stack and the baseline: both created.
    assert.deepEqual(summary.resourceChanges, { create: 2 });
    assert.equal(summary.isPreview, false);
    assert.equal(summary.result, "succeeded");
  });

  it("`stack output --json` shows secrets as `secretOutput`, their values with --show-secrets", function () {
    assert.ok(firstUp, "needs the first up");
    const hidden = JSON.parse(ok(["stack", "output", "--json"]).stdout) as Record<string, string>;
    assert.deepEqual(hidden, { plain: "visible", token: TEXT.secretOutput });
    const shown = JSON.parse(ok(["stack", "output", "--json", "--show-secrets"]).stdout) as Record<
      string,
      string
    >;
    assert.deepEqual(shown, { plain: "visible", token: "claims-secret-value" });
  });

  it("`stack history --json`: entries with the keys `historyKeys`, version 0 on a file backend", function () {
    assert.ok(firstUp, "needs the first up");
    const args = [
      "stack",
      "history",
      "--json",
      "--show-secrets",
      "--page-size",
      "1",
      "--page",
      "1",
    ];
    const [last] = JSON.parse(ok(args).stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(last), TEXT.historyKeys);
    assert.equal(last.version, 0);
    assert.equal(last.kind, "update");
    assert.equal(last.result, "succeeded");
    assert.deepEqual(last.config, { "aws:region": { value: "us-east-1", secret: false } });
  });

  it("`refresh` with nothing changed: the `refresh` header and `unchanged`", function () {
    assert.ok(firstUp, "needs the first up");
    const r = ok(["refresh", "--yes", "--skip-preview"]);
    assert.ok(r.stdout.startsWith(`${fill(TEXT.header.refresh, { stack: "dev" })}\n`), r.stdout);
    assert.match(r.stdout, pattern(TEXT.unchanged));
  });

  // `preview --expect-no-changes` when a change is proposed (the fake's drift): run once, by the
  // first of the three claims below that needs it (mocha runs a nested describe's tests after
  // all of its parent's, so these stay flat to keep their place before `destroy`).
  function driftRun(): { drift: Result; driftEvents: string } {
    if (!drift) {
      assert.ok(firstUp, "needs the first up");
      setName("claims-renamed");
      driftEvents = path.join(sb.dir, "drift-events.jsonl");
      drift = run(["preview", "--expect-no-changes", "--event-log", driftEvents]);
      pulumiOk(sb, ["config", "rm", "name"], dir);
    }
    return { drift, driftEvents };
  }

  it("drift: exit `noChangesExpected` with `noChangesExpected` on stderr", function () {
    const { drift } = driftRun();
    assert.equal(drift.status, TEXT.exit.noChangesExpected, drift.stdout + drift.stderr);
    assert.equal(drift.stderr, `${TEXT.noChangesExpected}\n`);
  });

  it("drift: stdout has the `preview` header and `toUpdate`", function () {
    const { drift } = driftRun();
    assert.ok(drift.stdout.startsWith(`${fill(TEXT.header.preview, { stack: "dev" })}\n`));
    assert.ok(drift.stdout.includes(fill(TEXT.toUpdate, { update: 1, same: 1 })), drift.stdout);
  });

  it("drift: the summaryEvent counts the change as `update` beside `same`", function () {
    const summary = summaryOf(driftRun().driftEvents);
    assert.deepEqual(Object.keys(summary), TEXT.summaryEventKeys);
    assert.deepEqual(summary.resourceChanges, { same: 1, update: 1 });
    assert.equal(summary.isPreview, true);
  });

  it("a failing program: exit `programFailed`, `diagnostics` on stdout, nothing on stderr", function () {
    pulumiOk(sb, ["config", "set", "fail", "true"], dir);
    const r = run(["up", "--yes", "--skip-preview"]);
    pulumiOk(sb, ["config", "rm", "fail"], dir);
    assert.equal(r.status, TEXT.exit.programFailed, r.stdout + r.stderr);
    assert.equal(r.stderr, "");
    assertDiagnostic(r.stdout, "claims: the program failed on purpose");
  });

  it("a locked stack: `locked` and `lockedBy` on stderr, exit `locked`", async function () {
    setName("claims-locked");
    const held = gate(sb, "locked");
    const holder = start(
      PULUMI,
      ["up", "--yes", "--skip-preview", "--non-interactive"],
      dir,
      held.env,
    );
    let r: Result;
    try {
      await waitFor("the holder's update to reach the cloud", held.reached);
      r = run(["up", "--yes", "--skip-preview"]);
    } finally {
      held.open();
    }
    assert.equal((await holder.done).code, 0, holder.output());
    assert.equal(r.status, TEXT.exit.locked, r.stdout + r.stderr);
    const [first, second] = r.stderr.split("\n");
    assert.equal(first, TEXT.locked);
    assert.match(
      second,
      new RegExp(
        `^${pattern(fill(TEXT.lockedBy, { backend: sb.backend, project: "claims", stack: "dev" })).source}$`,
      ),
    );
  });

  it("one SIGINT: `interrupted`, the step in flight finishes, `canceled` in the diagnostics, exit `canceled`, no pending operation", async function () {
    setName("claims-interrupted");
    const held = gate(sb, "interrupted");
    const victim = start(
      PULUMI,
      ["up", "--yes", "--skip-preview", "--non-interactive"],
      dir,
      held.env,
    );
    try {
      await waitFor("the update to reach the cloud", held.reached);
      victim.child.kill("SIGINT");
      await waitFor("the CLI to take the interrupt", () =>
        victim.stdout().includes(TEXT.interrupted),
      );
    } finally {
      held.open();
    }
    const { code } = await victim.done;
    assert.equal(code, TEXT.exit.canceled, victim.output());
    assertDiagnostic(victim.stdout(), TEXT.canceled);
    const exported = JSON.parse(ok(["stack", "export"]).stdout) as {
      deployment: { pending_operations?: unknown[] };
    };
    assert.deepEqual(exported.deployment.pending_operations ?? [], []);
  });

  it("a killed update leaves a pending operation (`resource.urn`, `type`); the next `up` prints `pendingWarning`", async function () {
    setName("claims-killed");
    const held = gate(sb, "killed");
    const victim = start(
      PULUMI,
      ["up", "--yes", "--skip-preview", "--non-interactive"],
      dir,
      held.env,
    );
    try {
      await waitFor("the update to reach the cloud", held.reached);
      // The CLI, its language host, the program and the provider at once, as a lost machine would.
      victim.killTree("SIGKILL");
      await victim.done;
    } finally {
      held.open();
    }
    const exported = JSON.parse(ok(["stack", "export"]).stdout) as {
      deployment: { pending_operations?: { resource: { urn: string }; type: string }[] };
    };
    const pending = exported.deployment.pending_operations ?? [];
    assert.equal(pending.length, 1, JSON.stringify(exported));
    assert.equal(
      pending[0].resource.urn,
      "urn:pulumi:dev::claims::aws:ssm/patchBaseline:PatchBaseline::claims",
    );
    assert.equal(pending[0].type, "updating");
    // The lock of a killed process stays behind in the file backend; `pulumi cancel` is the
    // documented way out (patchfleet never sends it).
    ok(["cancel", "--yes"]);
    const r = ok(["up", "--yes", "--skip-preview"]);
    assert.ok(r.stdout.includes(fill(TEXT.pendingWarning, { count: 1 })), r.stdout);
  });

  it("`destroy` prints the `destroy` header", function () {
    const r = ok(["destroy", "--yes", "--skip-preview"]);
    assert.ok(r.stdout.startsWith(`${fill(TEXT.header.destroy, { stack: "dev" })}\n`), r.stdout);
  });
});
