import { strict as assert } from "assert";
import { stringify } from "yaml";
import { parseFleet } from "../../automation/fleet/parse-fleet";
import type { FleetAccount } from "../../automation/fleet/types";
import {
  centralAccountConfig,
  memberAccountConfig,
  stackName,
} from "../../automation/stacks/topology-config";
import { parseAccountConfig } from "../../components/config";
import { baseFleet } from "./fixtures";

function fleetWithOptions() {
  const doc = baseFleet();
  doc.members[0].deployRole = "arn:aws:iam::222222222222:role/deploy";
  doc.runbookMaxConcurrency = "3";
  doc.logRetentionDays = 90;
  doc.tags = { owner: "ops" };
  doc.maintenanceWindows = { scan: { schedule: "rate(1 day)", durationHours: 2 } };
  return parseFleet(stringify(doc), "fleet.yaml");
}

describe("topology config of each fleet stack", () => {
  it("central: role central, every member id, fleet-wide names and defaults", () => {
    const fleet = fleetWithOptions();
    const c = centralAccountConfig(fleet);
    assert.equal(c.role, "central");
    assert.equal(c.accountId, "111111111111");
    assert.equal(c.centralAccountId, "111111111111");
    assert.deepEqual(c.memberAccountIds, ["222222222222", "333333333333"]);
    assert.deepEqual(c.regions, ["us-east-1", "eu-west-1"]);
    assert.equal(c.deployRoleArn, undefined);
    assert.deepEqual(Object.keys(c.patchGroups), ["web"]);
    assert.equal(c.runbookName, "patchfleet-RunPatchBaseline");
    assert.equal(c.runbookMaxConcurrency, "3");
    assert.equal(c.runbookMaxErrors, "5%");
    assert.equal(c.logBucketName, "patchfleet-patch-logs-111111111111");
    assert.equal(c.logRetentionDays, 90);
    assert.equal(c.maintenanceWindows.scan?.schedule, "rate(1 day)");
    assert.deepEqual(c.tags, { owner: "ops" });
  });

  it("member: role member, the central id, its own regions and deploy role", () => {
    const fleet = fleetWithOptions();
    const m = memberAccountConfig(fleet, fleet.members[0]);
    assert.equal(m.role, "member");
    assert.equal(m.accountId, "222222222222");
    assert.equal(m.centralAccountId, "111111111111");
    assert.deepEqual(m.memberAccountIds, []);
    assert.deepEqual(m.regions, ["us-east-1", "eu-west-1"]);
    assert.equal(m.deployRoleArn, "arn:aws:iam::222222222222:role/deploy");
    assert.equal(m.logBucketName, "patchfleet-patch-logs-111111111111");
  });

  it("produces configs the stack config validator accepts unchanged", () => {
    const fleet = fleetWithOptions();
    for (const config of [
      centralAccountConfig(fleet),
      ...fleet.members.map((m) => memberAccountConfig(fleet, m)),
    ]) {
      // Round-trip through the single-account config parser: same model, both ways in.
      const raw = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
      // A member's stack config leaves memberAccountIds out; the parser defaults it to [].
      if (config.role === "member") delete raw.memberAccountIds;
      assert.deepEqual(parseAccountConfig(raw), config);
    }
  });

  it("stack names: the account name, made safe, or the account id", () => {
    const a = (name: string): FleetAccount => ({
      account: "222222222222",
      name,
      regions: ["us-east-1"],
      patchGroups: {},
    });
    assert.equal(stackName(a("prod-a")), "prod-a");
    assert.equal(stackName(a("Prod A/eu")), "Prod-A-eu");
    assert.equal(stackName(a("--x")), "x");
    assert.equal(stackName(a("***")), "222222222222");
    assert.equal(stackName(a("")), "222222222222");
    assert.equal(stackName(a("n".repeat(150))), "n".repeat(100));
    const fleet = fleetWithOptions();
    assert.equal(stackName(fleet.central), "111111111111");
  });
});
