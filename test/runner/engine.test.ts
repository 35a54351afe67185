/**
 * The real topology program, run as an inline Automation API program: the stand-in CLI plays the
 * engine (ResourceMonitor + Engine over gRPC) and calls the program's language host at --client.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import type { Fleet } from "../../automation/fleet/types";
import { resolvePulumiCli } from "../../automation/stacks/pulumi-cli";
import { runFleet } from "../../automation/stacks/run-fleet";
import { topologyProgram } from "../../automation/stacks/stack-program";
import { stackName } from "../../automation/stacks/topology-config";
import { FakePulumi } from "../fake-pulumi/harness";
import { account, testFleet } from "./fixtures";

interface Registered {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

describe("the topology program under the stand-in engine", function () {
  this.timeout(60000);
  let fake: FakePulumi;
  let inProcess: PulumiCommand;
  let spawned: PulumiCommand;
  let fleet: Fleet;

  before(async () => {
    fake = new FakePulumi({ engine: true });
    // The stand-in mostly runs in process; the second test keeps the executable, so that engine
    // mode is also proven across a process boundary (the language host is this test process).
    inProcess = await fake.command();
    spawned = await resolvePulumiCli({ env: fake.env() });
    fleet = testFleet(path.join(fake.dir, "fleet.yaml"), 0, {
      members: [account("222222222222", "prod-a")],
    });
  });
  after(() => fake.cleanup());

  const registered = (stack: string): Registered[] =>
    JSON.parse(
      fs.readFileSync(
        path.join(
          fake.dir,
          ".patchfleet",
          "state",
          ".pulumi",
          "stacks",
          "patchfleet",
          `${stack}.resources.json`,
        ),
        "utf8",
      ),
    ) as Registered[];

  it("deploys central then member; the member's execution role trusts the central output ARN", async () => {
    const result = await runFleet({
      fleet,
      operation: "up",
      env: fake.env(),
      pulumiCommand: inProcess,
      program: topologyProgram,
    });
    assert.deepEqual(
      result.targets.map((t) => [t.role, t.state, t.reason]),
      [
        ["central", "SUCCEEDED", "deployed"],
        ["member", "SUCCEEDED", "deployed"],
      ],
    );
    const adminArn =
      "arn:aws:iam::111111111111:role/AWS-SystemsManager-AutomationAdministrationRole";
    const central = result.targets[0].outputs as Record<string, unknown>;
    assert.equal(central.accountId, "111111111111");
    assert.equal(central.role, "central");
    assert.equal(central.administrationRoleArn, adminArn);
    assert.equal(central.logBucketName, "patchfleet-logs-111111111111");
    const regions = central.regions as Record<
      string,
      { baselineIds: Record<string, string>; runbookName: string }
    >;
    assert.deepEqual(Object.keys(regions), ["us-east-1"]);
    assert.match(regions["us-east-1"].baselineIds.web, /^pb-[0-9a-f]{16}$/);
    assert.equal(regions["us-east-1"].runbookName, "patchfleet-RunPatchBaseline");

    const centralResources = registered(stackName(fleet.central));
    const root = centralResources.filter((r) => r.type === "patchfleet:index:AccountPatchTopology");
    assert.deepEqual(
      root.map((r) => r.name),
      ["patchfleet"],
    );
    const provider = centralResources.find((r) => r.type === "pulumi:providers:aws");
    assert.equal(provider?.name, "patchfleet-us-east-1");
    assert.equal(provider?.inputs.region, "us-east-1");

    const memberResources = registered(stackName(fleet.members[0]));
    const roles = memberResources.filter((r) => r.type === "aws:iam/role:Role");
    const execution = roles.find(
      (r) => r.inputs.name === "AWS-SystemsManager-AutomationExecutionRole",
    );
    assert.ok(execution, `execution role among ${roles.map((r) => r.name).join(", ")}`);
    const trust = JSON.parse(execution.inputs.assumeRolePolicy as string) as {
      Statement: { Principal?: { AWS?: string | string[] } }[];
    };
    const principals = trust.Statement.flatMap((s) => [s.Principal?.AWS ?? []].flat());
    assert.deepEqual(principals, [adminArn]);
    assert.equal(memberResources.filter((r) => r.type === "aws:s3/bucket:Bucket").length, 0);
    assert.equal(centralResources.filter((r) => r.type === "aws:s3/bucket:Bucket").length, 1);
  });

  it("a topology the components reject is FAILED with the component's message", async () => {
    const result = await runFleet({
      fleet,
      operation: "preview",
      only: ["prod-a"],
      env: fake.env(),
      pulumiCommand: spawned,
      program: (config) => topologyProgram({ ...config, centralAccountId: "12345" }),
    });
    assert.equal(result.targets.length, 1);
    assert.equal(result.targets[0].state, "FAILED");
    assert.equal(
      result.targets[0].reason,
      "preview failed: invalid account config: centralAccountId must be a 12-digit account id " +
        'string, got "12345"; run the config through parseAccountConfig',
    );
  });
});
