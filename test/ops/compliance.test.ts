import { strict as assert } from "assert";
import { gatherCompliance } from "../../automation/ops/compliance";
import { FakeAws, useFakeEnv } from "./fake-aws";
import {
  CENTRAL_KEY,
  instanceId,
  makeFleet,
  makeInstances,
  member,
  registerRoles,
} from "./fixtures";

const NEW = instanceId("new", 1);
const OK = instanceId("ok", 1);

const A = "222222222222";
const B = "333333333333";
const C = "444444444444";

describe("compliance against the local SSM/STS endpoint", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
  });

  it("reads every page of every target once and reports exact counts", async () => {
    const fleet = makeFleet([
      member(A, ["us-east-1", "eu-west-1"], { externalId: "ext-A" }),
      member(B, ["us-east-1"]),
    ]);
    registerRoles(fake, fleet);
    fake.instances.set(`${A}/us-east-1`, makeInstances("a1", 120));
    fake.instances.set(`${A}/eu-west-1`, makeInstances("a2", 7));
    fake.instances.set(`${B}/us-east-1`, []);
    const report = await gatherCompliance({
      fleet,
      runId: "run1",
      aws: { endpoint: fake.url },
      concurrency: 4,
      detailLimit: 0,
    });
    // 120 instances: 3 pages of instance information + 3 pages of patch states.
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.totals.instances, t.apiCalls]),
      [
        [A, "us-east-1", "SUCCEEDED", 120, 6],
        [A, "eu-west-1", "SUCCEEDED", 7, 2],
        [B, "us-east-1", "SUCCEEDED", 0, 1],
      ],
    );
    // The server saw exactly those calls, from the right account and region.
    assert.equal(fake.callsOf("DescribeInstanceInformation", A, "us-east-1").length, 3);
    assert.equal(fake.callsOf("DescribeInstancePatchStates", A, "us-east-1").length, 3);
    assert.equal(fake.callsOf("DescribeInstanceInformation", A, "eu-west-1").length, 1);
    assert.equal(fake.callsOf("DescribeInstancePatchStates", B, "us-east-1").length, 0);
    assert.equal(fake.callsOf("DescribeInstancePatches").length, 0);
    // One AssumeRole per account (not per region), with session name, ExternalId and duration.
    const assumes = fake.callsOf("AssumeRole").map((c) => c.body);
    assert.deepEqual(
      assumes.map((b) => [b.RoleArn, b.RoleSessionName, b.ExternalId, b.DurationSeconds]).sort(),
      [
        [`arn:aws:iam::${A}:role/patchfleet-read`, `patchfleet-run1-${A}`, "ext-A", "3600"],
        [`arn:aws:iam::${B}:role/patchfleet-read`, `patchfleet-run1-${B}`, undefined, "3600"],
      ],
    );
    // makeInstances: every third instance misses 2 patches (critical 1, security 2); every sixth
    // also has 1 failed patch.
    const a1 = report.targets[0].totals;
    assert.deepEqual(a1, {
      instances: 120,
      compliant: 80,
      nonCompliant: 40,
      noData: 0,
      unknown: 0,
      installed: report.targets[0].instances.reduce((s, i) => s + i.installed, 0),
      missing: 80,
      failed: 20,
      criticalNonCompliant: 40,
      securityNonCompliant: 80,
    });
    assert.deepEqual(
      report.targets[0].patchGroups.map((g) => [
        g.patchGroup,
        g.instances,
        g.nonCompliant,
        g.failed,
      ]),
      [
        ["al2023-prod", 60, 20, 20],
        ["ubuntu-prod", 60, 20, 0],
      ],
    );
    assert.deepEqual(
      { ...report.totals },
      {
        instances: 127,
        compliant: 84,
        nonCompliant: 43,
        noData: 0,
        unknown: 0,
        installed: a1.installed + report.targets[1].totals.installed,
        missing: 86,
        failed: 22,
        criticalNonCompliant: 43,
        securityNonCompliant: 86,
        targets: 3,
        targetsRead: 3,
        targetsFailed: 0,
      },
    );
    assert.equal(report.targets[0].lastOperation, "Scan");
    assert.equal(report.targets[0].lastOperationTime, "2026-11-20T03:59:00.000Z");
  });

  it("throttling in the middle of pagination is retried: nothing dropped, nothing duplicated (S2)", async () => {
    const fleet = makeFleet([member(A, ["us-east-1"]), member(B, ["us-east-1"])]);
    registerRoles(fake, fleet);
    fake.instances.set(`${A}/us-east-1`, makeInstances("a", 230));
    fake.instances.set(`${B}/us-east-1`, makeInstances("b", 60));
    fake.throttles.push(
      { op: "DescribeInstanceInformation", account: A, atCall: 3, times: 2 },
      { op: "DescribeInstancePatchStates", account: A, atCall: 4 },
      { op: "DescribeInstancePatches", account: B, atCall: 2 },
    );
    const report = await gatherCompliance({
      fleet,
      runId: "run2",
      aws: { endpoint: fake.url },
      concurrency: 2,
      detailLimit: 5,
    });
    const a = report.targets[0];
    assert.equal(a.state, "SUCCEEDED");
    const ids = a.instances.map((i) => i.instanceId);
    assert.equal(ids.length, 230);
    assert.equal(new Set(ids).size, 230);
    assert.deepEqual(
      ids,
      makeInstances("a", 230)
        .map((i) => i.id)
        .sort(),
    );
    // 230 instances: 5 info pages + 5 state pages, and 77 non-compliant instances with one
    // DescribeInstancePatches page each. The library counts pages; the server also saw the retries.
    assert.equal(a.apiCalls, 5 + 5 + 77);
    assert.equal(fake.callsOf("DescribeInstanceInformation", A).length, 5 + 2);
    assert.equal(fake.callsOf("DescribeInstancePatchStates", A).length, 5 + 1);
    const infoTokens = fake
      .callsOf("DescribeInstanceInformation", A)
      .filter((c) => c.status === 200)
      .map((c) => c.body.NextToken ?? null);
    assert.deepEqual(infoTokens, [null, "50", "100", "150", "200"]);
    const b = report.targets[1];
    assert.equal(b.instances.length, 60);
    assert.equal(fake.callsOf("DescribeInstancePatches", B).length, 20 + 1);
    const i3 = b.instances.find((i) => i.instanceId === instanceId("b", 3))!;
    assert.deepEqual(i3.missingPatches, ["ALAS-3 openssl fix 3", "ALAS-K3 kernel fix 3"]);
    assert.deepEqual(i3.failedPatches, []);
    const i6 = b.instances.find((i) => i.instanceId === instanceId("b", 6))!;
    assert.deepEqual(i6.failedPatches, ["ALAS-G6 glibc fix 6"]);
    assert.equal(i6.compliant, false);
  });

  it("an unreadable target is reported with the reason, the others are read (S3)", async () => {
    const fleet = makeFleet([
      member(A, ["us-east-1", "eu-west-1"]),
      member(B, ["us-east-1"], { externalId: "right" }),
      member(C, ["us-east-1"], { readRole: undefined }),
    ]);
    registerRoles(fake, fleet);
    fake.roles.set(`arn:aws:iam::${B}:role/patchfleet-read`, { account: B, externalId: "other" });
    fake.instances.set(`${A}/us-east-1`, makeInstances("a", 3));
    fake.instances.set(`${A}/eu-west-1`, makeInstances("e", 2));
    const report = await gatherCompliance({ fleet, runId: "run3", aws: { endpoint: fake.url } });
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.reason, t.totals.instances]),
      [
        [A, "us-east-1", "SUCCEEDED", "3 managed node(s) read", 3],
        [A, "eu-west-1", "SUCCEEDED", "2 managed node(s) read", 2],
        [
          B,
          "us-east-1",
          "FAILED",
          `could not read ${B}/us-east-1: TargetAccessError: cannot assume ` +
            `arn:aws:iam::${B}:role/patchfleet-read for account ${B}: AccessDenied: User is not ` +
            `authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${B}:role/patchfleet-read. ` +
            "Fix: let your credentials assume this role (its trust policy and sts:AssumeRole " +
            "permission), with the configured externalId, or correct the role ARN in the fleet file.",
          0,
        ],
        [
          C,
          "us-east-1",
          "SKIPPED",
          `no readRole for account ${C}; add members[].readRole to the fleet file`,
          0,
        ],
      ],
    );
    assert.equal(report.totals.targetsFailed, 1);
    assert.equal(report.totals.targetsRead, 2);
    assert.equal(fake.callsOf("DescribeInstanceInformation", B).length, 0);
    assert.equal(fake.callsOf("AssumeRole").length, 2);
  });

  it("a managed node that never reported a patch state is 'no data', not non-compliant", async () => {
    const fleet = makeFleet([member(A, ["us-east-1"])]);
    registerRoles(fake, fleet);
    fake.instances.set(`${A}/us-east-1`, [
      { id: NEW, name: "fresh", noState: true },
      { id: OK, patchGroup: "web", installed: 4 },
    ]);
    const report = await gatherCompliance({ fleet, runId: "run4", aws: { endpoint: fake.url } });
    assert.deepEqual(
      report.targets[0].instances.map((i) => [i.instanceId, i.patchGroup, i.state, i.installed]),
      [
        [NEW, "(no patch group)", "NO_DATA", 0],
        [OK, "web", "COMPLIANT", 4],
      ],
    );
    const t = report.totals;
    assert.deepEqual([t.instances, t.compliant, t.nonCompliant, t.noData], [2, 1, 0, 1]);
  });

  it("counts OtherNonCompliantCount and AvailableSecurityUpdateCount as Patch Manager does", async () => {
    const fleet = makeFleet([member(A, ["us-east-1"])]);
    registerRoles(fake, fleet);
    const [other, availNc, availC, availUnknown] = [1, 2, 3, 4].map((n) => instanceId("win", n));
    fake.instances.set(`${A}/us-east-1`, [
      // "OtherNonCompliantCount ... The status of these managed nodes is NON_COMPLIANT."
      // (InstancePatchState, SSM API reference)
      { id: other, installed: 3, otherNonCompliant: 2 },
      // AvailableSecurityUpdateCount counts as the baseline's
      // AvailableSecurityUpdatesComplianceStatus says (CreatePatchBaseline / GetPatchBaseline,
      // SSM API reference: COMPLIANT or NON_COMPLIANT; Windows Server only).
      {
        id: availNc,
        installed: 3,
        availableSecurityUpdates: 1,
        baselineId: "pb-0aaaaaaaaaaaaaaa1",
      },
      { id: availC, installed: 3, availableSecurityUpdates: 1, baselineId: "pb-0bbbbbbbbbbbbbbb2" },
      {
        id: availUnknown,
        installed: 3,
        availableSecurityUpdates: 1,
        baselineId: "pb-0ccccccccccccccc3",
      },
    ]);
    fake.baselines.set(`${A}/us-east-1/pb-0aaaaaaaaaaaaaaa1`, "NON_COMPLIANT");
    fake.baselines.set(`${A}/us-east-1/pb-0bbbbbbbbbbbbbbb2`, "COMPLIANT");
    const report = await gatherCompliance({ fleet, runId: "run5", aws: { endpoint: fake.url } });
    assert.deepEqual(
      report.targets[0].instances.map((i) => [i.instanceId, i.state]).sort(),
      [
        [other, "NON_COMPLIANT"],
        [availNc, "NON_COMPLIANT"],
        [availC, "COMPLIANT"],
        [availUnknown, "UNKNOWN"],
      ].sort(),
    );
    // One GetPatchBaseline per baseline that matters, none for nodes decided without it.
    assert.equal(fake.callsOf("GetPatchBaseline").length, 3);
  });

  it("an interrupt before targets start reports them CANCELLED, not dropped", async () => {
    const fleet = makeFleet([member(A, ["us-east-1", "eu-west-1"]), member(B, ["us-east-1"])]);
    registerRoles(fake, fleet);
    const controller = new AbortController();
    controller.abort();
    const report = await gatherCompliance({
      fleet,
      runId: "run6",
      aws: { endpoint: fake.url },
      signal: controller.signal,
    });
    assert.equal(report.interrupted, true);
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.reason]),
      [
        [A, "us-east-1", "CANCELLED", "not read: interrupted before this target started"],
        [A, "eu-west-1", "CANCELLED", "not read: interrupted before this target started"],
        [B, "us-east-1", "CANCELLED", "not read: interrupted before this target started"],
      ],
    );
    assert.equal(fake.calls.length, 0);
  });

  it("bounds concurrency across targets", async () => {
    const accounts = Array.from({ length: 12 }, (_, i) => `6${String(i).padStart(11, "0")}`);
    const fleet = makeFleet(accounts.map((a) => member(a, ["us-east-1"])));
    registerRoles(fake, fleet);
    for (const a of accounts) fake.instances.set(`${a}/us-east-1`, makeInstances(a.slice(-2), 3));
    fake.latencyMs = 15;
    const report = await gatherCompliance({
      fleet,
      runId: "run5",
      aws: { endpoint: fake.url },
      concurrency: 3,
    });
    assert.equal(report.targets.length, 12);
    assert.equal(report.totals.instances, 36);
    assert.equal(fake.maxInFlight, 3);
  });
});
