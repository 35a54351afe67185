/**
 * compliance.history.logBucket: the run's snapshot goes to the central log bucket with PutObject,
 * through the local endpoint (path-style, checked against botocore 1.44.8's s3 model, shape
 * PutObjectRequest: Bucket and Key required), written by central.operationsRole.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { recordHistory } from "../../automation/cli/compliance-sla";
import type { ComplianceReport } from "../../automation/ops/compliance";
import { historyKey } from "../../automation/ops/history-upload";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeFleet, registerRoles } from "./fixtures";

function report(runId: string, generatedAt: string): ComplianceReport {
  const totals = {
    instances: 4,
    compliant: 3,
    nonCompliant: 1,
    noData: 0,
    unknown: 0,
    installed: 10,
    missing: 2,
    failed: 0,
    criticalNonCompliant: 1,
    securityNonCompliant: 1,
    targets: 1,
    targetsRead: 1,
    targetsFailed: 0,
  };
  return {
    kind: "compliance",
    runId,
    generatedAt,
    interrupted: false,
    totals,
    targets: [],
  } as unknown as ComplianceReport;
}

describe("compliance history in the central log bucket", function () {
  this.timeout(30_000);
  let fake: FakeAws;
  let restoreEnv: () => void;
  let dir: string;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "pf-history-"));
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function fleet(logBucket: boolean) {
    const f = makeFleet([]);
    f.file = path.join(dir, "fleet.yaml");
    f.compliance = {
      slaDays: {},
      maxScanAgeDays: 7,
      history: { enabled: true, file: "history.sqlite", logBucket },
    };
    return f;
  }

  it("writes the snapshot under its documented key with the operations role", async () => {
    const f = fleet(true);
    registerRoles(fake, f);
    const notes = await recordHistory(f, report("0a1b2c3d", "2026-11-30T07:00:00.000Z"), dir, {
      endpoint: fake.url,
    });
    const key = "patchfleet-compliance-history/date=2026-11-30/0a1b2c3d.json";
    assert.equal(historyKey({ runId: "0a1b2c3d", generatedAt: "2026-11-30T07:00:00.000Z" }), key);
    assert.deepEqual(notes, [
      "history recorded in history.sqlite",
      `history written to s3://${f.logBucketName}/${key}`,
    ]);
    const object = fake.s3Objects.get(`${f.logBucketName}/${key}`);
    assert.ok(object, [...fake.s3Objects.keys()].join(", "));
    // Written by a session of the central account's operations role (STS AssumeRole first).
    assert.equal(object.account, CENTRAL);
    assert.ok(
      fake.calls.some(
        (c) =>
          c.service === "sts" &&
          (c.body as { RoleArn?: string }).RoleArn === f.central.operationsRole,
      ),
    );
    assert.equal(object.contentType, "application/json");
    assert.deepEqual(JSON.parse(object.body), {
      runId: "0a1b2c3d",
      generatedAt: "2026-11-30T07:00:00.000Z",
      instances: 4,
      compliant: 3,
      compliancePercent: 75,
      missing: 2,
      failed: 0,
      targets: 1,
      targetsRead: 1,
    });
  });

  it("a refused write is a note naming the permission, and the local record stays", async () => {
    const f = fleet(true);
    // No role registered: STS refuses the operations role, so nothing reaches S3.
    fake.baseKeys.set(CENTRAL_KEY, CENTRAL);
    const notes = await recordHistory(f, report("0a1b2c3e", "2026-11-30T08:00:00.000Z"), dir, {
      endpoint: fake.url,
    });
    assert.equal(notes[0], "history recorded in history.sqlite");
    assert.match(
      notes[1] ?? "",
      /^compliance\.history\.logBucket: the snapshot was not written to the log bucket \(.+\); recorded locally only\. The central credentials \(central\.operationsRole\) need s3:PutObject on arn:aws:s3:::.+\/patchfleet-compliance-history\/\*$/,
    );
    assert.equal(fake.s3Objects.size, 0);
    await fs.access(path.join(dir, "history.sqlite"));
  });

  it("off by default: nothing is sent", async () => {
    const notes = await recordHistory(
      fleet(false),
      report("0a1b2c3f", "2026-11-30T09:00:00.000Z"),
      dir,
      {
        endpoint: fake.url,
      },
    );
    assert.deepEqual(notes, ["history recorded in history.sqlite"]);
    assert.equal(fake.calls.length, 0);
  });
});
