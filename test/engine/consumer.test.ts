/**
 * The embedded runner as another project uses it: `require("patchfleet/automation")` through the
 * package's `exports`, from a separate project that depends on patchfleet by a file: dependency,
 * running `preview` and `up` on a fleet under the real Pulumi CLI, with an AbortSignal.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { CENTRAL, REPO, requireEngine, sandbox } from "./harness";
import type { Sandbox } from "./harness";

const CONSUMER = `"use strict";
const { loadFleet, runFleet } = require("patchfleet/automation");
async function main() {
  const [fleetFile, operation, abortOn] = process.argv.slice(2);
  const fleet = await loadFleet(fleetFile);
  const controller = new AbortController();
  const events = [];
  const result = await runFleet({
    fleet,
    operation,
    signal: controller.signal,
    onEvent: (e) => {
      if (e.kind !== "output") events.push(e.kind + " " + e.target.name);
      if (abortOn && e.kind === "started" && e.target.name === abortOn) controller.abort();
    },
  });
  console.log(JSON.stringify({
    interrupted: result.interrupted,
    targets: result.targets.map((t) => ({ name: t.name, state: t.state, changes: t.changes })),
    events,
  }));
}
main().catch((err) => { console.error(err); process.exitCode = 1; });
`;

describe("engine: patchfleet/automation embedded in another project", function () {
  let sb: Sandbox;
  let consumer: string;
  let fleetFile: string;

  before(function () {
    requireEngine(this);
    if (!fs.existsSync(path.join(REPO, "dist", "automation", "index.js"))) {
      const tsc = spawnSync(
        process.execPath,
        [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.json"],
        {
          cwd: REPO,
          stdio: "inherit",
        },
      );
      assert.equal(tsc.status, 0, "npm run build");
    }
    sb = sandbox("consumer");
    consumer = path.join(sb.dir, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      JSON.stringify({
        name: "consumer",
        private: true,
        dependencies: { patchfleet: `file:${REPO}` },
      }),
    );
    const npm = spawnSync(
      "npm",
      ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"],
      {
        cwd: consumer,
        encoding: "utf8",
      },
    );
    assert.equal(npm.status, 0, npm.stdout + npm.stderr);
    fs.writeFileSync(path.join(consumer, "index.js"), CONSUMER);
    fleetFile = path.join(sb.dir, "fleet.yaml");
    fs.writeFileSync(
      fleetFile,
      `project: patchfleet
central:
  account: "${CENTRAL}"
  name: central
  regions: [us-east-1]
members:
  - account: "222222222222"
    name: member
    regions: [us-east-1]
    deployRole: arn:aws:iam::222222222222:role/patchfleet-deploy
patchGroups:
  web:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [Security]
        approveAfterDays: 7
logBucket: patchfleet-consumer-logs-${CENTRAL}
backend: file://./state
`,
    );
  });

  function consume(operation: string, abortOn?: string) {
    const r = spawnSync(
      process.execPath,
      ["index.js", fleetFile, operation, ...(abortOn ? [abortOn] : [])],
      {
        cwd: consumer,
        env: sb.env,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
      interrupted: boolean;
      targets: { name: string; state: string; changes?: Record<string, number> }[];
      events: string[];
    };
  }

  it("resolves patchfleet/automation from the consumer's node_modules", function () {
    const r = spawnSync(process.execPath, ["-p", "require.resolve('patchfleet/automation')"], {
      cwd: consumer,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dist[\\/]automation[\\/]index\.js/);
  });

  it("aborting the signal when the member starts ends the run as interrupted", function () {
    const result = consume("up", "member");
    assert.equal(result.interrupted, true);
    assert.deepEqual(
      result.targets.map((t) => t.name),
      ["central", "member"],
    );
    assert.equal(result.targets[0]?.state, "SUCCEEDED");
    assert.notEqual(result.targets[1]?.state, "SUCCEEDED");
  });

  it("runs `up` to completion, then `preview` shows no changes", function () {
    const up = consume("up");
    assert.deepEqual(
      up.targets.map((t) => t.state),
      ["SUCCEEDED", "SUCCEEDED"],
      JSON.stringify(up),
    );
    const preview = consume("preview");
    for (const t of preview.targets)
      assert.deepEqual(Object.keys(t.changes ?? { same: 0 }), ["same"]);
  });
});
