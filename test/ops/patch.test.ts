import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { AUTOMATION_STATUSES } from "../../domain";
import { statusMeaning } from "../../automation/ops/automation-values";
import { PatchOptions, PatchRunError, runPatch } from "../../automation/ops/patch";
import { RunRecord } from "../../automation/ops/run-store";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeFleet, member, registerRoles } from "./fixtures";

const A = "222222222222";
const B = "333333333333";
const C = "444444444444";
const UNKNOWN_REASON = (parent: string) =>
  `unknown (not documented): the execution ended (${parent}) but no step execution names this ` +
  "account-region alone, and its child executions could not be read in its account (set " +
  "members[].readRole)";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("patch against the local SSM/STS endpoint", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let stateDir: string;
  const fleet = makeFleet([
    member(A, ["us-east-1", "eu-west-1"]),
    member(B, ["eu-west-1", "us-east-1"]),
    member(C, ["ap-southeast-2"]),
  ]);

  function options(extra: Partial<PatchOptions> = {}): PatchOptions {
    return {
      fleet,
      operation: "Install",
      reboot: "NoReboot",
      stateDir,
      aws: { endpoint: fake.url, requestTimeoutMs: 5000 },
      poll: { initialMs: 5, maxMs: 20 },
      ...extra,
    };
  }

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    registerRoles(fake, fleet);
    for (const r of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
      fake.documents.set(`${CENTRAL}/${r}/patchfleet-patch`, {
        type: "Automation",
        sharedWith: [A, B, C],
      });
    }
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-runs-"));
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it("starts one automation per region, one after another, with R6 rate values, and follows each to the end", async () => {
    fake.plan = {
      parentStatuses: ["Pending", "InProgress", "InProgress", "Success"],
      defaultTargetStatus: "Success",
    };
    const report = await runPatch(
      options({
        fleet: {
          ...fleet,
          rollout: {
            maxConcurrent: { kind: "percent", value: 25 },
            failureTolerance: { kind: "count", value: 0 },
          },
        },
      }),
    );
    // One automation per region, one after another, in the order regions first appear.
    const starts = fake.callsOf("StartAutomationExecution");
    assert.deepEqual(
      report.executions.map((e) => [e.region, e.targets, e.failed, e.tolerance, e.executionStatus]),
      [
        ["us-east-1", 3, 0, 0, "Success"],
        ["eu-west-1", 2, 0, 0, "Success"],
        ["ap-southeast-2", 1, 0, 0, "Success"],
      ],
    );
    assert.match(report.snapshotId, UUID);
    const tokens = report.executions.map((e) => e.clientToken);
    for (const t of tokens) assert.match(t, UUID);
    assert.equal(new Set(tokens).size, 3);
    const location = (accounts: string[], region: string) => ({
      Accounts: accounts,
      Regions: [region],
      TargetLocationMaxConcurrency: "25%",
      TargetLocationMaxErrors: "0",
      ExecutionRoleName: "AWS-SystemsManager-AutomationExecutionRole",
    });
    assert.deepEqual(
      starts.map((c) => [c.account, c.region, c.body]),
      [
        ["us-east-1", [CENTRAL, A, B]],
        ["eu-west-1", [A, B]],
        ["ap-southeast-2", [C]],
      ].map(([region, accounts], i) => [
        CENTRAL,
        "us-east-1",
        {
          DocumentName: "patchfleet-patch",
          Parameters: {
            // The central account's administration role: "--parameters
            // AutomationAssumeRole=arn:aws:iam::management account ID:role/
            // AWS-SystemsManager-AutomationAdministrationRole" (Systems Manager user guide,
            // Running automations in multiple AWS Regions and accounts).
            AutomationAssumeRole: [
              `arn:aws:iam::${CENTRAL}:role/AWS-SystemsManager-AutomationAdministrationRole`,
            ],
            Operation: ["Install"],
            RebootOption: ["NoReboot"],
            SnapshotId: [report.snapshotId],
          },
          TargetLocations: [location(accounts as string[], region as string)],
          ClientToken: tokens[i],
          Tags: [
            { Key: "patchfleet:run", Value: report.runId },
            { Key: "patchfleet:region", Value: region },
          ],
        },
      ]),
    );
    // Each region starts only after the one before it ended.
    const gets = fake.calls.filter(
      (c) => c.op === "GetAutomationExecution" || c.op === "StartAutomationExecution",
    );
    assert.deepEqual(
      gets.map((c) =>
        c.op === "StartAutomationExecution" ? "start" : String(c.body.AutomationExecutionId),
      ),
      report.executions.flatMap((e) => ["start", ...Array(4).fill(e.executionId)]),
    );
    // Central calls run with the operations role, assumed once with the run's session name.
    // Member read roles are assumed for the resource group preflight, once per account.
    assert.deepEqual(
      fake
        .callsOf("AssumeRole")
        .map((c) => [c.body.RoleArn, c.body.RoleSessionName, c.body.DurationSeconds])
        .sort(),
      [
        [
          `arn:aws:iam::${CENTRAL}:role/patchfleet-operations`,
          `patchfleet-${report.runId}-${CENTRAL}`,
          "3600",
        ],
        [`arn:aws:iam::${A}:role/patchfleet-read`, `patchfleet-${report.runId}-${A}`, "3600"],
        [`arn:aws:iam::${B}:role/patchfleet-read`, `patchfleet-${report.runId}-${B}`, "3600"],
        [`arn:aws:iam::${C}:role/patchfleet-read`, `patchfleet-${report.runId}-${C}`, "3600"],
      ],
    );
    assert.deepEqual(
      fake
        .callsOf("GetGroup")
        .map((c) => `${c.account}/${c.region}/${String(c.body.Group)}`)
        .sort(),
      [
        // The central account's own instances are patched too (central read with its operations role).
        `${CENTRAL}/us-east-1/patchfleet-patch-targets`,
        `${A}/eu-west-1/patchfleet-patch-targets`,
        `${A}/us-east-1/patchfleet-patch-targets`,
        `${B}/eu-west-1/patchfleet-patch-targets`,
        `${B}/us-east-1/patchfleet-patch-targets`,
        `${C}/ap-southeast-2/patchfleet-patch-targets`,
      ],
    );
    assert.deepEqual(report.notes, []);
    assert.equal(fake.callsOf("GetAutomationExecution").length, 12);
    assert.equal(report.interrupted, false);
    assert.equal(report.stopCommand, undefined);
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.status, t.logLocation]),
      [
        [
          CENTRAL,
          "us-east-1",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${CENTRAL}/region=us-east-1/automation/`,
        ],
        [
          A,
          "us-east-1",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${A}/region=us-east-1/automation/`,
        ],
        [
          A,
          "eu-west-1",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${A}/region=eu-west-1/automation/`,
        ],
        [
          B,
          "eu-west-1",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${B}/region=eu-west-1/automation/`,
        ],
        [
          B,
          "us-east-1",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${B}/region=us-east-1/automation/`,
        ],
        [
          C,
          "ap-southeast-2",
          "SUCCEEDED",
          "Success",
          `s3://patchfleet-logs-111111111111/accountid=${C}/region=ap-southeast-2/automation/`,
        ],
      ],
    );
    assert.deepEqual(report.summary, {
      SUCCEEDED: 6,
      FAILED: 0,
      CANCELLED: 0,
      SKIPPED: 0,
      IN_PROGRESS: 0,
      UNKNOWN: 0,
    });
    const saved = JSON.parse(
      await fs.readFile(path.join(stateDir, `patch-run-${report.runId}.json`), "utf8"),
    ) as RunRecord;
    assert.deepEqual(
      saved.regions,
      Object.fromEntries(
        report.executions.map((e) => [
          e.region,
          { clientToken: e.clientToken, executionId: e.executionId, finalStatus: "Success" },
        ]),
      ),
    );
    assert.equal(saved.finalStatus, "Done");
    assert.equal(typeof saved.finishedAt, "string");
  });

  it("a timed-out StartAutomationExecution is retried with the same ClientToken and starts once (R7)", async () => {
    // The held response outlives the client's timeout by far; the retry has ample time.
    fake.holdFirstStartMs = 3000;
    const report = await runPatch(options({ aws: { endpoint: fake.url, requestTimeoutMs: 1000 } }));
    const starts = fake.callsOf("StartAutomationExecution");
    // The first region's start is sent twice with one token; the other regions once each.
    assert.deepEqual(
      starts.map((c) => c.body.ClientToken),
      [0, 0, 1, 2].map((i) => report.executions[i].clientToken),
    );
    assert.equal(fake.executions.size, 3);
    assert.deepEqual(
      report.executions.map((e) => e.executionId),
      [...fake.executions.keys()],
    );
    assert.equal(report.summary.SUCCEEDED, 6);
  });

  it("a run whose start never got an answer is found by its tags on resume, never started twice", async () => {
    fake.holdFirstStartMs = 1500;
    await assert.rejects(
      runPatch(
        options({ aws: { endpoint: fake.url, requestTimeoutMs: 300, writeMaxAttempts: 1 } }),
      ),
      (err: Error) => {
        assert.ok(err instanceof PatchRunError);
        assert.match(
          err.message,
          new RegExp(
            `^run ${err.runId} stopped \\(timed out\\): TimeoutError: .*requestTimeout\\. Run the ` +
              `same patch command again: it looks for the executions run ${err.runId} already ` +
              "started \\(tag patchfleet:run\\) before starting any, so SSM runs at most one per " +
              "region\\.$",
          ),
        );
        return true;
      },
    );
    assert.equal(fake.executions.size, 1);
    // SSM documents that a ClientToken "can't be reused" (StartAutomationExecutionRequest in the
    // botocore ssm model) and not how long it remembers one: here it has forgotten it, so only
    // the tag lookup keeps the run from starting a second execution in us-east-1.
    fake.forgetClientTokens = true;
    const again = await runPatch(options());
    assert.equal(again.resumed, true);
    const starts = fake.callsOf("StartAutomationExecution");
    assert.deepEqual(
      starts.map((c) => (c.body.TargetLocations as { Regions: string[] }[])[0].Regions[0]),
      ["us-east-1", "eu-west-1", "ap-southeast-2"],
    );
    assert.equal(fake.executions.size, 3);
    assert.equal(again.executions[0].executionId, [...fake.executions.keys()][0]);
    // DescribeAutomationExecutions filtered by the documented TagKey filter
    // (AutomationExecutionFilterKey), then ListTagsForResource for the run and region tags.
    assert.deepEqual(
      (
        fake.callsOf("DescribeAutomationExecutions", CENTRAL)[0].body.Filters as { Key: string }[]
      ).map((f) => f.Key),
      ["TagKey", "DocumentNamePrefix", "StartTimeAfter"],
    );
    assert.equal(again.summary.SUCCEEDED, 6);
    // Finished now: the next patch is a new run with new tokens.
    const third = await runPatch(options());
    assert.equal(third.resumed, false);
    assert.notEqual(third.executions[0].clientToken, again.executions[0].clientToken);
    assert.equal(fake.executions.size, 6);
  });

  it("SSM's token mismatch blames the fleet file only when it changed", async () => {
    fake.holdFirstStartMs = 1500;
    // The execution exists but is not listed yet (how soon DescribeAutomationExecutions lists a
    // new execution is not documented), so the resumed start reaches SSM with the same token.
    fake.unlisted = true;
    const first = () =>
      runPatch(
        options({ aws: { endpoint: fake.url, requestTimeoutMs: 300, writeMaxAttempts: 1 } }),
      );
    await assert.rejects(first(), PatchRunError);
    const changed = { ...fleet, executionRoleName: "patchfleet-other-execution" };
    let caught: unknown;
    try {
      await runPatch(options({ fleet: changed }));
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof PatchRunError);
    const record = path.join(stateDir, `patch-run-${caught.runId}.json`);
    assert.equal(
      caught.message,
      `run ${caught.runId} stopped: IdempotentParameterMismatch: ClientToken reused with other ` +
        "parameters. The fleet file changed since this run first tried to start: restore it and " +
        "run again; or check in the SSM console that no execution started for this run (tag " +
        `patchfleet:run=${caught.runId}), then delete ${record} to start a new run.`,
    );
    assert.equal(fake.executions.size, 1);
    // The same fleet file: SSM treats the retry as the same request (IdempotentParameterMismatch
    // is for "parameters [that] don't match the original call"), one execution.
    const again = await runPatch(options());
    assert.equal(again.executions[0].executionId, [...fake.executions.keys()][0]);
  });

  it("maps every automation status of a target to a report state (R8)", async () => {
    const many = AUTOMATION_STATUSES.map((_, i) => `5${String(i).padStart(11, "0")}`);
    const big = makeFleet(many.map((a) => member(a, ["us-east-1"])));
    registerRoles(fake, big);
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: many,
    });
    fake.plan = {
      parentStatuses: ["InProgress", "CompletedWithFailure"],
      targetStatuses: Object.fromEntries(
        AUTOMATION_STATUSES.map((s, i) => [`${many[i]}/us-east-1`, s]),
      ),
      failureMessages: {
        [`${many[AUTOMATION_STATUSES.indexOf("Failed")]}/us-east-1`]: "Step fails",
      },
    };
    fake.pageSize = 7; // step executions come in several pages
    const report = await runPatch(options({ fleet: big }));
    assert.equal(report.targets.length, AUTOMATION_STATUSES.length + 1);
    assert.deepEqual([report.targets[0].account, report.targets[0].state], [CENTRAL, "SUCCEEDED"]);
    const got = Object.fromEntries(
      report.targets.slice(1).map((t) => [t.status, [t.state, t.reason]]),
    );
    assert.deepEqual(got, {
      Pending: ["FAILED", "still Pending when the execution ended (completed with failure)"],
      InProgress: ["FAILED", "still InProgress when the execution ended (completed with failure)"],
      Waiting: ["FAILED", "still Waiting when the execution ended (completed with failure)"],
      Success: ["SUCCEEDED", "automation succeeded"],
      TimedOut: ["FAILED", "automation timed out"],
      Cancelling: ["FAILED", "still Cancelling when the execution ended (completed with failure)"],
      Cancelled: ["CANCELLED", "automation cancelled"],
      Failed: ["FAILED", "automation failed: Step fails"],
      PendingApproval: [
        "FAILED",
        "still PendingApproval when the execution ended (completed with failure)",
      ],
      Approved: ["FAILED", "still Approved when the execution ended (completed with failure)"],
      Rejected: ["FAILED", "approval rejected"],
      Scheduled: ["FAILED", "still Scheduled when the execution ended (completed with failure)"],
      RunbookInProgress: [
        "FAILED",
        "still RunbookInProgress when the execution ended (completed with failure)",
      ],
      PendingChangeCalendarOverride: [
        "FAILED",
        "still PendingChangeCalendarOverride when the execution ended (completed with failure)",
      ],
      ChangeCalendarOverrideApproved: [
        "FAILED",
        "still ChangeCalendarOverrideApproved when the execution ended (completed with failure)",
      ],
      ChangeCalendarOverrideRejected: [
        "FAILED",
        "change calendar closed and the override was rejected",
      ],
      CompletedWithSuccess: ["SUCCEEDED", "completed with success"],
      CompletedWithFailure: ["FAILED", "completed with failure"],
      Exited: ["SKIPPED", "runbook exited early without patching"],
    });
    // The parent's step executions, one per target account ("The automation in the primary
    // account contains aws:executeAutomation steps for each of the target accounts", user guide),
    // come in several pages; every target has its own, so no child execution is read.
    const pages = Math.ceil((AUTOMATION_STATUSES.length + 1) / 7);
    assert.equal(fake.callsOf("DescribeAutomationStepExecutions").length, pages);
    assert.deepEqual(fake.callsOf("DescribeAutomationStepExecutions")[0].body, {
      AutomationExecutionId: report.executions[0].executionId,
      MaxResults: 50,
    });
    assert.equal(fake.callsOf("DescribeAutomationExecutions").length, 0);
  });

  it("every parent status either ends the wait or keeps it; none is unknown", () => {
    const finals = AUTOMATION_STATUSES.filter((s) => statusMeaning(s).state !== undefined);
    assert.deepEqual(finals, [
      "Success",
      "TimedOut",
      "Cancelled",
      "Failed",
      "Rejected",
      "ChangeCalendarOverrideRejected",
      "CompletedWithSuccess",
      "CompletedWithFailure",
      "Exited",
    ]);
    assert.deepEqual(statusMeaning("Sleeping"), {
      state: "FAILED",
      reason: 'automation status "Sleeping" is not one patchfleet knows',
    });
  });

  it("targets SSM never reached are CANCELLED; a region over tolerance stops later regions (R3)", async () => {
    fake.plan = {
      parentStatuses: ["Failed"],
      targetStatuses: { [`${A}/us-east-1`]: "Failed" },
      omit: [`${B}/us-east-1`],
    };
    const report = await runPatch(options());
    const stop =
      "not started: region us-east-1 went over its failure tolerance (1 of 3 failed, tolerance 0)";
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.reason]),
      [
        [CENTRAL, "us-east-1", "SUCCEEDED", "automation succeeded"],
        [A, "us-east-1", "FAILED", "automation failed"],
        [A, "eu-west-1", "CANCELLED", stop],
        [B, "eu-west-1", "CANCELLED", stop],
        // Neither a step execution nor a child execution in B's account reports this target: AWS
        // documents no other source, so its result is unknown, not guessed.
        [B, "us-east-1", "UNKNOWN", UNKNOWN_REASON("automation failed")],
        [C, "ap-southeast-2", "CANCELLED", stop],
      ],
    );
    assert.equal(fake.callsOf("StartAutomationExecution").length, 1);
    assert.deepEqual(
      report.executions.map((e) => [e.region, e.executionStatus, e.notStarted]),
      [
        ["us-east-1", "Failed", undefined],
        ["eu-west-1", undefined, stop.slice("not started: ".length)],
        ["ap-southeast-2", undefined, stop.slice("not started: ".length)],
      ],
    );
    assert.equal(report.stoppedBy, stop.slice("not started: ".length));
  });

  it("runs regions in rollout.regionOrder, then the rest in fleet-file order; tolerance is per region", async () => {
    // Tolerance 1 per region: one failure in each of two regions does not stop the run.
    fake.plan = {
      parentStatuses: ["CompletedWithFailure"],
      targetStatuses: { [`${A}/eu-west-1`]: "Failed", [`${B}/us-east-1`]: "TimedOut" },
    };
    const report = await runPatch(
      options({
        fleet: {
          ...fleet,
          rollout: {
            ...fleet.rollout,
            failureTolerance: { kind: "count", value: 1 },
            regionOrder: ["ap-southeast-2", "eu-west-1"],
          },
        },
      }),
    );
    assert.deepEqual(
      fake.callsOf("StartAutomationExecution").map((c) => c.body.TargetLocations),
      [
        ["ap-southeast-2", [C]],
        ["eu-west-1", [A, B]],
        ["us-east-1", [CENTRAL, A, B]],
      ].map(([r, accounts]) => [
        {
          Accounts: accounts,
          Regions: [r],
          TargetLocationMaxConcurrency: "2",
          TargetLocationMaxErrors: "1",
          ExecutionRoleName: "AWS-SystemsManager-AutomationExecutionRole",
        },
      ]),
    );
    assert.deepEqual(
      report.executions.map((e) => [e.region, e.failed, e.tolerance]),
      [
        ["ap-southeast-2", 0, 1],
        ["eu-west-1", 1, 1],
        ["us-east-1", 1, 1],
      ],
    );
    assert.equal(report.stoppedBy, undefined);
    assert.deepEqual(report.summary, {
      SUCCEEDED: 4,
      FAILED: 2,
      CANCELLED: 0,
      SKIPPED: 0,
      IN_PROGRESS: 0,
      UNKNOWN: 0,
    });
  });

  it("preflight lists every problem per target with its fix and starts nothing", async () => {
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [B],
    });
    const report = await runPatch(options());
    assert.deepEqual(report.preflight, [
      {
        target: `${A}/us-east-1`,
        message: `runbook patchfleet-patch in us-east-1 is not shared with member account ${A} (acct-222)`,
        fix:
          "share it from the central stack (patchfleet up), or run: aws ssm modify-document-permission " +
          `--name patchfleet-patch --permission-type Share --account-ids-to-add ${A} --region us-east-1`,
      },
    ]);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
    assert.deepEqual(report.summary, {
      SUCCEEDED: 0,
      FAILED: 0,
      CANCELLED: 0,
      SKIPPED: 6,
      IN_PROGRESS: 0,
      UNKNOWN: 0,
    });
    assert.equal(report.targets[0].reason, "not started: preflight found 1 problem(s)");
  });

  it("preflight reports a missing runbook and an unassumable operations role", async () => {
    fake.documents.clear();
    const missing = await runPatch(options());
    assert.deepEqual(
      missing.preflight.map((p) => [p.target, p.message, p.fix]),
      ["us-east-1", "eu-west-1", "ap-southeast-2"].map((r) => [
        `central ${CENTRAL}/${r}`,
        `runbook patchfleet-patch not found in the central account in ${r}: InvalidDocument: ` +
          "The specified document does not exist.",
        `deploy the central stack with ${r} among central.regions (\`patchfleet up\`), or ` +
          "correct runbookName",
      ]),
    );

    fake.unassumable.add(`arn:aws:iam::${CENTRAL}:role/patchfleet-operations`);
    const denied = await runPatch(options());
    // Three regions' runbook checks and the central resource group check.
    assert.equal(denied.preflight.length, 4);
    assert.equal(
      denied.preflight[0].message,
      "cannot read runbook patchfleet-patch in us-east-1 (denied): " +
        `TargetAccessError: cannot assume arn:aws:iam::${CENTRAL}:role/patchfleet-operations for account ` +
        `${CENTRAL}: AccessDenied: User is not authorized to perform: sts:AssumeRole on resource: ` +
        `arn:aws:iam::${CENTRAL}:role/patchfleet-operations. Fix: let your credentials assume this ` +
        "role (its trust policy and sts:AssumeRole permission), or correct the role ARN in the fleet file.",
    );
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });

  it("preflight checks the resource group in every member account-region with a read role", async () => {
    const mixed = makeFleet([
      member(A, ["us-east-1", "eu-west-1"]),
      member(B, ["us-east-1"]),
      member(C, ["ap-southeast-2"], { readRole: undefined }),
      member("555555555555", ["us-east-1"]),
    ]);
    registerRoles(fake, mixed);
    for (const r of ["us-east-1", "eu-west-1", "ap-southeast-2"]) {
      fake.documents.set(`${CENTRAL}/${r}/patchfleet-patch`, {
        type: "Automation",
        sharedWith: [A, B, C, "555555555555"],
      });
    }
    fake.resourceGroups.delete(`${A}/eu-west-1/patchfleet-patch-targets`);
    fake.resourceGroupsDenied.add(B);
    fake.unassumable.add("arn:aws:iam::555555555555:role/patchfleet-read");
    const report = await runPatch(options({ fleet: mixed }));
    assert.deepEqual(report.preflight, [
      {
        target: `${A}/eu-west-1`,
        message: `resource group patchfleet-patch-targets does not exist in ${A}/eu-west-1`,
        fix: "deploy the member stack of acct-222 (`patchfleet up`), or correct resourceGroup.name",
      },
      {
        target: `${B}/us-east-1`,
        message:
          "cannot check resource group patchfleet-patch-targets (denied): ForbiddenException: " +
          "not authorized to perform: resource-groups:GetGroup",
        fix: `allow resource-groups:GetGroup to members[].readRole of ${B} (acct-333)`,
      },
      {
        target: "555555555555/us-east-1",
        message:
          "cannot check resource group patchfleet-patch-targets (denied): TargetAccessError: " +
          "cannot assume " +
          "arn:aws:iam::555555555555:role/patchfleet-read for account 555555555555: AccessDenied: " +
          "User is not authorized to perform: sts:AssumeRole on resource: " +
          "arn:aws:iam::555555555555:role/patchfleet-read. Fix: let your credentials assume this " +
          "role (its trust policy and sts:AssumeRole permission), or correct the role ARN in the " +
          "fleet file.",
        fix: "fix members[].readRole of 555555555555 (acct-555): let your credentials assume it",
      },
    ]);
    assert.deepEqual(report.notes, [
      `resource group patchfleet-patch-targets: not checked in ${C} (no readRole); an ` +
        "account-region without it fails its own target",
    ]);
    assert.equal(fake.callsOf("GetGroup", C).length, 0);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });

  it("an interrupt stops waiting, leaves the automation running and says how to stop it", async () => {
    fake.plan = { parentStatuses: ["InProgress"] };
    const controller = new AbortController();
    const report = await runPatch(
      options({
        signal: controller.signal,
        poll: { initialMs: 10_000, maxMs: 10_000 },
        log: (line) => {
          if (line.includes("next check")) controller.abort();
        },
      }),
    );
    assert.equal(report.interrupted, true);
    const first = report.executions[0].executionId;
    assert.equal(
      report.stopCommand,
      `aws ssm stop-automation-execution --automation-execution-id ${first} --region us-east-1`,
    );
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.reason]),
      [
        [CENTRAL, "us-east-1", "IN_PROGRESS", "running"],
        [A, "us-east-1", "IN_PROGRESS", "running"],
        [A, "eu-west-1", "CANCELLED", "not started: patchfleet stopped waiting before this region"],
        [B, "eu-west-1", "CANCELLED", "not started: patchfleet stopped waiting before this region"],
        [B, "us-east-1", "IN_PROGRESS", "running"],
        [
          C,
          "ap-southeast-2",
          "CANCELLED",
          "not started: patchfleet stopped waiting before this region",
        ],
      ],
    );
    assert.equal(fake.callsOf("StopAutomationExecution").length, 0);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 1);
    assert.equal(fake.callsOf("GetAutomationExecution").length, 1);
    const saved = JSON.parse(
      await fs.readFile(path.join(stateDir, `patch-run-${report.runId}.json`), "utf8"),
    ) as RunRecord;
    assert.equal(saved.finishedAt, undefined);
    // Running patch again follows the same execution, then starts the regions not started yet.
    fake.plan = { parentStatuses: ["Success"], defaultTargetStatus: "Success" };
    const resumed = await runPatch(options());
    assert.equal(resumed.executions[0].executionId, first);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 3);
    assert.equal(fake.executions.size, 3);
    assert.equal(resumed.summary.SUCCEEDED, 6);
  });

  it("a run recorded with one execution for all regions is not restarted per region", async () => {
    const legacy: RunRecord = {
      runId: "0badc0de",
      key: [path.resolve(fleet.file), fleet.runbookName, "Install", "NoReboot"].join("|"),
      operation: "Install",
      reboot: "NoReboot",
      clientToken: "11111111-2222-4333-8444-555555555555",
      snapshotId: "66666666-7777-4888-9999-000000000000",
      createdAt: "2026-11-01T00:00:00.000Z",
      executionId: "exec-legacy",
    };
    const file = path.join(stateDir, "patch-run-0badc0de.json");
    await fs.writeFile(file, JSON.stringify(legacy));
    await assert.rejects(runPatch(options()), (err: Error) => {
      assert.ok(err instanceof PatchRunError);
      assert.equal(
        err.message,
        "run 0badc0de stopped: run 0badc0de started execution exec-legacy for all regions " +
          "at once; wait for it to end (or stop it: aws ssm stop-automation-execution " +
          `--automation-execution-id exec-legacy --region us-east-1), then delete ${file} to start ` +
          "a new run.",
      );
      return true;
    });
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });
});
