import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { PatchOptions, PatchReport, runPatch } from "../../automation/ops/patch";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeFleet, member, registerRoles } from "./fixtures";

// AWS documents no call that gives a target's result when neither a step execution nor a child
// execution reports it: the report says so instead of guessing FAILED.
const UNKNOWN_REASON =
  "unknown (not documented): the execution ended (automation succeeded) but no step execution " +
  "names this account-region alone, and its child executions could not be read in its account " +
  "(set members[].readRole)";
const A = "222222222222";
const B = "333333333333";

/** The member targets (the central account is a target too, first; other tests cover it). */
function members(report: PatchReport) {
  assert.equal(report.targets[0].account, CENTRAL);
  return report.targets.filter((t) => t.account !== CENTRAL);
}

describe("patch follows child executions", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let stateDir: string;
  const fleet = makeFleet([member(A, ["us-east-1"]), member(B, ["us-east-1"])]);

  function options(extra: Partial<PatchOptions> = {}): PatchOptions {
    return {
      fleet,
      operation: "Scan",
      reboot: "NoReboot",
      stateDir,
      aws: { endpoint: fake.url, requestTimeoutMs: 5000 },
      poll: { initialMs: 1, maxMs: 1 },
      ...extra,
    };
  }

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    registerRoles(fake, fleet);
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A, B],
    });
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-follow-"));
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it("maps children to targets when step executions cover several accounts at once", async () => {
    fake.plan = {
      parentStatuses: ["InProgress", "CompletedWithFailure"],
      targetStatuses: { [`${B}/us-east-1`]: "Failed" },
      failureMessages: { [`${B}/us-east-1`]: "Step timed out" },
      steps: "perLocation",
    };
    const report = await runPatch(options());
    assert.deepEqual(
      members(report).map((t) => [t.account, t.state, t.status, t.reason, t.counts]),
      [
        [
          A,
          "SUCCEEDED",
          "Success",
          "automation succeeded",
          { steps: 1, succeeded: 1, failed: 0, running: 0 },
        ],
        [
          B,
          "FAILED",
          "Failed",
          "automation failed: Step timed out",
          { steps: 1, succeeded: 0, failed: 1, running: 0 },
        ],
      ],
    );
  });

  it("falls back to single-target step executions when SSM lists no children", async () => {
    fake.plan = {
      parentStatuses: ["Success"],
      targetStatuses: { [`${A}/us-east-1`]: "TimedOut" },
      children: "none",
    };
    const report = await runPatch(options());
    assert.deepEqual(
      members(report).map((t) => [t.account, t.state, t.reason]),
      [
        [A, "FAILED", "automation timed out"],
        [B, "SUCCEEDED", "automation succeeded"],
      ],
    );
    assert.equal(fake.callsOf("DescribeAutomationStepExecutions").length, 1);
  });

  it("the newest attempt of a target wins over an older one, whatever the listing order", async () => {
    fake.plan = {
      parentStatuses: ["Success"],
      olderAttempts: { [`${A}/us-east-1`]: "Failed", [`${B}/us-east-1`]: "Success" },
      targetStatuses: { [`${B}/us-east-1`]: "Cancelled" },
      // No step names one target alone: the children in each target account decide.
      steps: "perLocation",
    };
    const report = await runPatch(options());
    assert.deepEqual(
      members(report).map((t) => [t.account, t.state, t.status, t.counts]),
      [
        [A, "SUCCEEDED", "Success", { steps: 2, succeeded: 1, failed: 1, running: 0 }],
        [B, "CANCELLED", "Cancelled", { steps: 2, succeeded: 1, failed: 0, running: 0 }],
      ],
    );
  });

  it("a parent that succeeded with no children and no steps leaves every target unknown, saying so", async () => {
    fake.plan = {
      parentStatuses: ["Success"],
      omit: [`${CENTRAL}/us-east-1`, `${A}/us-east-1`, `${B}/us-east-1`],
    };
    const report = await runPatch(options());
    assert.equal(report.executions[0].executionStatus, "Success");
    assert.deepEqual(
      members(report).map((t) => [t.account, t.state, t.reason, t.counts.steps]),
      [
        [A, "UNKNOWN", UNKNOWN_REASON, 0],
        [B, "UNKNOWN", UNKNOWN_REASON, 0],
      ],
    );
    // One listing of child executions in each target account-region (central, A, B).
    assert.equal(fake.callsOf("DescribeAutomationExecutions").length, 3);
    assert.equal(fake.callsOf("DescribeAutomationStepExecutions").length, 1);
  });

  it("waits between status checks grow by the factor up to the cap", async () => {
    fake.plan = {
      parentStatuses: [
        "Pending",
        "InProgress",
        "InProgress",
        "InProgress",
        "InProgress",
        "Waiting",
        "InProgress",
        "Success",
      ],
    };
    const waits: number[] = [];
    const report = await runPatch(
      options({
        poll: { initialMs: 100, maxMs: 400, factor: 1.5 },
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );
    assert.deepEqual(waits, [100, 150, 225, 338, 400, 400, 400]);
    assert.equal(fake.callsOf("GetAutomationExecution").length, 8);
    assert.equal(report.summary.SUCCEEDED, 3);
  });

  it("the default wait starts at 5 s and grows 1.5x to 60 s", async () => {
    fake.plan = { parentStatuses: [...Array(9).fill("InProgress"), "Success"] };
    const waits: number[] = [];
    await runPatch(
      options({
        poll: undefined,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );
    assert.deepEqual(waits, [5000, 7500, 11250, 16875, 25313, 37970, 56955, 60000, 60000]);
  });

  it("an interrupt before the first region started starts nothing and cancels every target", async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await runPatch(options({ signal: controller.signal }));
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
    assert.equal(report.interrupted, true);
    assert.equal(report.stopCommand, undefined);
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.state, t.reason]),
      [CENTRAL, A, B].map((a) => [
        a,
        "CANCELLED",
        "not started: patchfleet stopped waiting before this region",
      ]),
    );
  });
});
