/**
 * Patch rings under the real Pulumi CLI (issue #12, "prove it under the real engine too, where
 * the windows change"): a ringed fleet is deployed with `patchfleet up`; then a ring's install
 * schedule changes, and then a freeze moves the ring's install window's StartDate. Each change is
 * an in-place update of the one maintenance window (same id in the stand-in cloud, the new value
 * stored), and the `up` after it changes nothing.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { snapshot } from "../../engine/provider/cloud";
import { member } from "../aws-models";
import { CENTRAL, REPO, requireEngine, sandbox } from "./harness";
import type { Sandbox } from "./harness";

const MEMBER = "222222222222";
const CLI = path.join(REPO, "bin", "patchfleet.js");
const WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";

function fleetYaml(prodInstall: string, freezes = ""): string {
  return `project: patchfleet
central:
  account: "${CENTRAL}"
  name: central
  regions: [us-east-1]
members:
  - account: "${MEMBER}"
    name: prod-a
    regions: [us-east-1]
    deployRole: arn:aws:iam::${MEMBER}:role/patchfleet-deploy
patchGroups:
  web-linux:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [Security, Bugfix]
        approveAfterDays: 7
        complianceLevel: CRITICAL
maintenanceWindows:
  install:
    schedule: "cron(0 2 ? * TUE#2 *)"
    durationHours: 3
    cutoffHours: 1
    maxConcurrency: "25%"
    maxErrors: "10%"
rings:
  - name: canary
    accounts: [central]
  - name: prod
    accounts: [prod-a]
    soakHours: 24
    maintenanceWindows:
      install:
        schedule: "${prodInstall}"
        durationHours: 3
        cutoffHours: 1
        maxConcurrency: "25%"
        maxErrors: "10%"
${freezes}logBucket: patchfleet-engine-logs-${CENTRAL}
backend: file://./state
`;
}

interface Report {
  targets: { name: string; state: string; changes?: Record<string, number> }[];
}

describe("engine: ring windows change in place under the real Pulumi CLI", function () {
  let sb: Sandbox;
  let fleetFile: string;

  function up(): Report {
    const reportFile = path.join(sb.dir, "up-report.json");
    const r = spawnSync(
      process.execPath,
      [CLI, "up", "--fleet", fleetFile, "--report", reportFile],
      { cwd: sb.dir, env: sb.env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
    );
    if (r.status !== 0)
      throw new Error(`patchfleet up exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report;
  }

  /** The prod account's install window in the stand-in cloud: its id and stored properties. */
  function prodInstallWindow(): [string, Record<string, unknown>] {
    const byId = snapshot(sb.cloud)[`${MEMBER}-us-east-1.json`]?.[WINDOW] ?? {};
    const found = Object.entries(byId).filter(([, p]) => p.name === "patchfleet-install");
    assert.equal(found.length, 1, JSON.stringify(byId));
    return found[0];
  }

  /** Pulumi's change summary per target: only prod-a changes, by one update. */
  function assertOneUpdate(report: Report): void {
    const changes = Object.fromEntries(report.targets.map((t) => [t.name, t.changes ?? {}]));
    for (const t of report.targets) assert.equal(t.state, "SUCCEEDED", JSON.stringify(t));
    assert.deepEqual(Object.keys(changes.central), ["same"], JSON.stringify(changes));
    const { same, ...rest } = changes["prod-a"];
    assert.ok(same > 0);
    assert.deepEqual(rest, { update: 1 }, JSON.stringify(changes));
  }

  function assertNoChange(report: Report): void {
    for (const t of report.targets) {
      assert.equal(t.state, "SUCCEEDED", JSON.stringify(t));
      assert.deepEqual(Object.keys(t.changes ?? { same: 1 }), ["same"], JSON.stringify(t));
    }
  }

  before(function () {
    requireEngine(this);
    sb = sandbox("rings");
    fleetFile = path.join(sb.dir, "fleet.yaml");
    fs.writeFileSync(fleetFile, fleetYaml("cron(0 2 ? * THU#2 *)"));
  });

  it("deploys the ringed fleet with the ring's own install window and ring tags", function () {
    const report = up();
    assert.deepEqual(
      report.targets.map((t) => [t.name, t.state]),
      [
        ["central", "SUCCEEDED"],
        ["prod-a", "SUCCEEDED"],
      ],
    );
    const [, window] = prodInstallWindow();
    assert.equal(window.schedule, "cron(0 2 ? * THU#2 *)");
    assert.deepEqual(
      [
        (window.tags as Record<string, string>)["patchfleet:ring"],
        (window.tags as Record<string, string>)["patchfleet:ring-order"],
        (window.tags as Record<string, string>)["patchfleet:ring-soak-hours"],
      ],
      ["prod", "2", "24"],
    );
    assert.equal(window.startDate, undefined);
  });

  it("a new ring schedule updates the window in place; the next `up` changes nothing", function () {
    // UpdateMaintenanceWindow takes Schedule and StartDate for an existing WindowId, so a schedule
    // change is an update, not a replacement (botocore ssm UpdateMaintenanceWindowRequest; API
    // reference https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateMaintenanceWindow.html).
    assert.equal(member("ssm", "UpdateMaintenanceWindowRequest", "Schedule").type, "string");
    const [idBefore] = prodInstallWindow();
    fs.writeFileSync(fleetFile, fleetYaml("cron(0 2 ? * FRI#2 *)"));
    assertOneUpdate(up());
    const [id, window] = prodInstallWindow();
    assert.equal(id, idBefore, "updated in place, same WindowId");
    assert.equal(window.schedule, "cron(0 2 ? * FRI#2 *)");
    assertNoChange(up());
  });

  it("a freeze in force moves the ring's StartDate in place; the next `up` changes nothing", function () {
    assert.equal(member("ssm", "UpdateMaintenanceWindowRequest", "StartDate").type, "string");
    const [idBefore] = prodInstallWindow();
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const freezes = `freezes:
  - start: "${day(-1)}"
    end: "${day(30)}"
    reason: year-end change freeze
    rings: [prod]
`;
    fs.writeFileSync(fleetFile, fleetYaml("cron(0 2 ? * FRI#2 *)", freezes));
    assertOneUpdate(up());
    const [id, window] = prodInstallWindow();
    assert.equal(id, idBefore, "updated in place, same WindowId");
    // docs/fleet-file.md "Freezes": the second after the freeze's last day (23:59:59Z).
    assert.equal(window.startDate, `${day(31)}T00:00:00Z`);
    assertNoChange(up());
  });
});
