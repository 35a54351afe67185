/**
 * What test/fake-pulumi (the stand-in `pulumi` of the fast suite) claims about the CLI, checked
 * against the real CLI: each `it` names the claim and where the fake makes it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PULUMI, REPO, pulumi, pulumiOk, requireEngine, sandbox, start } from "./harness";
import type { Sandbox } from "./harness";

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
`;

function locksHeld(sb: Sandbox): boolean {
  const locks = path.join(sb.backend, ".pulumi", "locks");
  return (
    fs.existsSync(locks) &&
    fs.readdirSync(locks, { recursive: true }).some((f) => String(f).endsWith(".json"))
  );
}

describe("engine: the fake pulumi's claims about the CLI hold for the real CLI", function () {
  let sb: Sandbox;
  let dir: string;

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

  it("`pulumi version` prints v<major>.<minor>.<patch> (fake: `version` → v3.200.0)", function () {
    assert.match(pulumiOk(sb, ["version"], dir).stdout.trim(), /^v3\.\d+\.\d+$/);
  });

  it("an unknown stack: `error: no stack named '<name>' found` (fake: stack select)", function () {
    const r = pulumi(sb, ["stack", "select", "nope"], dir);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /error: no stack named 'nope' found/);
  });

  it("a second init: `error: stack '<org>/<project>/<name>' already exists` (fake: stack init)", function () {
    const r = pulumi(sb, ["stack", "init", "dev"], dir);
    assert.notEqual(r.status, 0);
    // Pulumi v3.248.0 with a file:// backend names the stack fully qualified; the fake says
    // `stack 'dev'`, which no patchfleet code parses.
    assert.match(r.stderr, /error: stack 'organization\/claims\/dev' already exists/);
  });

  it("a failing program: a non-zero exit and the program's error under Diagnostics (fake: mode fail)", function () {
    pulumiOk(sb, ["config", "set", "fail", "true"], dir);
    const r = pulumi(sb, ["up", "--yes"], dir);
    pulumiOk(sb, ["config", "rm", "fail"], dir);
    // Pulumi v3.248.0 exits 1 here (the fake exits 255), and the failure comes from the preview
    // that `up` runs first, so no `update failed` line: patchfleet's stack driver reports the
    // Diagnostics lines and drops a bare `update failed` (automation/stacks/stack-driver.ts).
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /Diagnostics:\n\s+pulumi:pulumi:Stack \(claims-dev\):\n\s+error: claims: the program failed on purpose/,
    );
  });

  it("`preview --expect-no-changes` with changes: `error: no changes were expected for preview but changes were proposed`", function () {
    pulumiOk(sb, ["up", "--yes"], dir);
    pulumiOk(sb, ["preview", "--expect-no-changes"], dir);
    pulumiOk(sb, ["config", "set", "name", "claims-renamed"], dir);
    const r = pulumi(sb, ["preview", "--expect-no-changes"], dir);
    pulumiOk(sb, ["config", "rm", "name"], dir);
    assert.notEqual(r.status, 0);
    // Pulumi v3.248.0 says "for preview" (the fake omits it).
    assert.match(
      r.stdout + r.stderr,
      /error: no changes were expected for preview but changes were proposed/,
    );
  });

  it("a locked stack: `the stack is currently locked by 1 lock(s)` with `pulumi cancel` as the way out", async function () {
    pulumiOk(sb, ["config", "set", "name", "claims-slow"], dir);
    const holder = start(PULUMI, ["up", "--yes", "--non-interactive"], dir, {
      ...sb.env,
      PATCHFLEET_STANDIN_DELAY_MS: "4000",
    });
    const deadline = Date.now() + 60_000;
    while (!locksHeld(sb) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const r = pulumi(sb, ["up", "--yes"], dir);
    await holder.done;
    pulumiOk(sb, ["config", "rm", "name"], dir);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./,
    );
  });

  it("a killed update leaves a pending operation; the next `up` warns about it", async function () {
    pulumiOk(sb, ["config", "set", "name", "claims-killed"], dir);
    const victim = start(PULUMI, ["up", "--yes", "--non-interactive"], dir, {
      ...sb.env,
      PATCHFLEET_STANDIN_DELAY_MS: "20000",
    });
    const deadline = Date.now() + 60_000;
    // The resource's own step line, not the `Updating (dev):` header, which comes before the
    // engine has recorded anything.
    while (!/PatchBaseline claims updating/.test(victim.output()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    victim.child.kill("SIGKILL");
    await victim.done;
    const exported = JSON.parse(pulumiOk(sb, ["stack", "export"], dir).stdout) as {
      deployment: { pending_operations?: unknown[] };
    };
    assert.ok((exported.deployment.pending_operations ?? []).length > 0, JSON.stringify(exported));
    // The lock of a killed process stays behind in the file backend; `pulumi cancel` is the
    // documented way out.
    pulumi(sb, ["cancel", "--yes"], dir);
    const r = pulumi(sb, ["up", "--yes"], dir);
    assert.match(r.stdout + r.stderr, /pending operations? from previous/i, r.stdout + r.stderr);
  });
});
