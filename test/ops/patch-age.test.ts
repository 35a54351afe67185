import { strict as assert } from "assert";
import { gatherCompliance } from "../../automation/ops/compliance";
import { parseLinuxTitle } from "../../automation/ops/patch-catalog";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL_KEY, makeFleet, member, registerRoles } from "./fixtures";
import { A, B, NODES, NOW, REGION, daysAgo, expected, loadFixture, settings } from "./sla-fixture";

describe("patch age against the SLA, on the local SSM endpoint", function () {
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

  async function run(meanTimeToPatch = false) {
    const fleet = makeFleet([member(A, [REGION]), member(B, [REGION])], {
      compliance: settings(),
    });
    registerRoles(fake, fleet);
    loadFixture(fake);
    return gatherCompliance({
      fleet,
      runId: "sla1",
      aws: { endpoint: fake.url },
      now: () => NOW,
      meanTimeToPatch,
    });
  }

  it("dates every missing and failed patch, and counts breaches, unknown ages, stale and offline nodes as the fixture says", async () => {
    const report = await run();
    const want = expected();
    const sla = report.sla!;
    assert.equal(sla.summary.findings, want.findings);
    assert.equal(sla.summary.breaches, want.breaches);
    assert.deepEqual(sla.summary.breachesBySeverity, want.bySeverity);
    assert.equal(sla.summary.unknownAge, want.unknownAge);
    assert.deepEqual(
      sla.summary.oldestBreach && [
        sla.summary.oldestBreach.instanceId,
        sla.summary.oldestBreach.title,
        sla.summary.oldestBreach.ageDays,
      ],
      [want.oldest.id, want.oldest.title, want.oldest.age],
    );
    const all = report.targets.flatMap((t) => t.sla?.findings ?? []);
    assert.deepEqual(
      all
        .filter((f) => f.breach)
        .map((f) => [f.instanceId, f.kbId])
        .sort(),
      want.breachList,
    );
    const nodes = report.targets.flatMap((t) => t.sla?.nodes ?? []);
    assert.deepEqual(
      nodes
        .filter((n) => n.stale)
        .map((n) => n.instanceId)
        .sort(),
      want.staleNodes,
    );
    assert.deepEqual(
      nodes
        .filter((n) => !n.agentOnline)
        .map((n) => n.instanceId)
        .sort(),
      want.offlineNodes,
    );
    assert.equal(sla.summary.nodes, NODES.length);
    // CVE ids: the API's CVEIds is one string (botocore ssm.json, PatchComplianceData.CVEIds →
    // shape PatchCVEIds, type string); the report lists them one by one.
    const kb1 = all.find((f) => f.kbId === "KB5000001" && f.instanceId.endsWith("win1"))!;
    assert.deepEqual(kb1.cveIds, ["CVE-2026-0001", "CVE-2026-0002"]);
    assert.equal(kb1.severity, "Critical");
    assert.equal(kb1.classification, "SecurityUpdates");
    assert.equal(kb1.releaseDate, daysAgo(20).toISOString());
    // Due 14 days (the Critical SLA) after release.
    assert.equal(kb1.dueDate, daysAgo(20 - 14).toISOString());
    // Without --mean-time-to-patch no installed patch is read.
    assert.equal(sla.summary.meanTimeToPatchSamples, 0);
    assert.equal(sla.summary.meanTimeToPatchDays, undefined);
    // Per account-region and per patch group.
    const a = report.targets.find((t) => t.account === A)!.sla!.summary;
    assert.equal(
      a.breaches,
      want.breachList.filter(([id]) => id.includes("win1") || id.includes("al2")).length,
    );
    const win = sla.patchGroups.find((g) => g.patchGroup === "win-prod")!;
    assert.equal(win.breaches, want.breachList.filter(([id]) => id.includes("win")).length);
    // A node that never reported a patch state has no patch group in SSM's answer.
    assert.equal(
      win.nodes,
      NODES.filter((n) => n.patchGroup === "win-prod" && n.scannedDaysAgo !== undefined).length,
    );
  });

  it("asks the catalog once per patch per run, with the filters the API reference documents", async () => {
    await run();
    const calls = fake.callsOf("DescribeAvailablePatches");
    // Windows: PATCH_ID with the KB number; Amazon Linux 2: PRODUCT plus NAME (the reference says
    // Linux filters without PRODUCT fail).
    const filters = calls.map((c) => JSON.stringify(c.body.Filters)).sort();
    assert.deepEqual(
      filters,
      [
        JSON.stringify([{ Key: "PATCH_ID", Values: ["KB5000001"] }]),
        JSON.stringify([{ Key: "PATCH_ID", Values: ["KB5000002"] }]),
        JSON.stringify([{ Key: "PATCH_ID", Values: ["KB5000003"] }]),
        JSON.stringify([
          { Key: "PRODUCT", Values: ["AmazonLinux2.0"] },
          { Key: "NAME", Values: ["openssl"] },
        ]),
        JSON.stringify([
          { Key: "PRODUCT", Values: ["AmazonLinux2.0"] },
          { Key: "NAME", Values: ["zlib"] },
        ]),
      ].sort(),
    );
    // Every request the endpoint saw was valid against botocore's model (it answers 400 if not).
    for (const op of ["DescribeAvailablePatches", "DescribeInstancePatches"]) {
      for (const c of fake.callsOf(op))
        assert.equal(c.status, 200, `${op} ${JSON.stringify(c.body)}`);
    }
    // DescribeInstancePatches is read once per node with missing or failed patches (4 of 5).
    assert.equal(fake.callsOf("DescribeInstancePatches").length, 4);
  });

  it("measures mean time to patch from installed patches when asked", async () => {
    const report = await run(true);
    const want = expected();
    assert.equal(report.sla!.summary.meanTimeToPatchSamples, want.samples);
    assert.equal(report.sla!.summary.meanTimeToPatchDays, want.meanTimeToPatch);
  });

  it("the local endpoint refuses a Linux catalog query without PRODUCT, as the reference documents", async () => {
    const fleet = makeFleet([member(A, [REGION])]);
    registerRoles(fake, fleet);
    const { SSMClient, DescribeAvailablePatchesCommand } = await import("@aws-sdk/client-ssm");
    const ssm = new SSMClient({ region: REGION, endpoint: fake.url });
    await assert.rejects(
      ssm.send(
        new DescribeAvailablePatchesCommand({
          Filters: [{ Key: "CVE_ID", Values: ["CVE-2018-3615"] }],
        }),
      ),
      /PRODUCT/,
    );
    // MaxResults above 100 breaks PatchBaselineMaxResults (botocore ssm.json).
    await assert.rejects(
      ssm.send(new DescribeAvailablePatchesCommand({ MaxResults: 101 })),
      /MaxResults/,
    );
    ssm.destroy();
  });

  it("splits Amazon Linux patch titles into name, arch, epoch, version and release", () => {
    assert.deepEqual(parseLinuxTitle("openssl.x86_64:1:1.0.2k-24.amzn2.0.7"), {
      name: "openssl",
      arch: "x86_64",
      epoch: "1",
      version: "1.0.2k",
      release: "24.amzn2.0.7",
    });
    assert.equal(parseLinuxTitle("libc6"), undefined);
  });
});
