/**
 * Fleet operations against the local endpoint, for what AWS documents about credentials,
 * endpoints, regions, roles and unresponsive services (issue 10 items 2, 4, 8, 13; issue 16 items
 * 5, 6). Each expected value cites its source.
 */
import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli/main";
import { gatherCompliance } from "../../automation/ops/compliance";
import { PatchOptions, runPatch } from "../../automation/ops/patch";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeFleet, makeInstances, member, registerRoles } from "./fixtures";

const A = "222222222222";

describe("AWS conventions of fleet operations", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let stateDir: string;
  const fleet = makeFleet([member(A, ["us-east-1"])]);

  function options(extra: Partial<PatchOptions> = {}): PatchOptions {
    return {
      fleet,
      operation: "Scan",
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
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A],
    });
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-conv-"));
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    for (const k of [
      "AWS_ENDPOINT_URL_SSM",
      "AWS_ENDPOINT_URL_STS",
      "AWS_ENDPOINT_URL_RESOURCE_GROUPS",
    ])
      delete process.env[k];
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it("a run outlives assumed-role credentials that expire within seconds (refreshing provider)", async function () {
    this.timeout(30_000);
    // The local STS issues sessions that last 1.5 s; SSM refuses an expired session token with
    // ExpiredTokenException ("The security token included in the request is expired", SSM API
    // reference, Common Errors). Cached keys would fail every call after the first 1.5 s.
    fake.credentialLifetimeMs = 1500;
    fake.plan = {
      parentStatuses: [...Array(12).fill("InProgress"), "Success"],
      defaultTargetStatus: "Success",
    };
    const report = await runPatch(options({ poll: { initialMs: 300, maxMs: 300 } }));
    assert.equal(report.summary.SUCCEEDED, 2);
    const expired = fake.calls.filter((c) => c.status === 400 && c.service === "ssm");
    assert.deepEqual(expired, []);
    // More than one session of the operations role: the SDK asked STS again before expiry.
    const sessions = fake
      .callsOf("AssumeRole")
      .filter((c) => c.body.RoleArn === fleet.central.operationsRole);
    assert.ok(sessions.length > 1, `AssumeRole calls: ${sessions.length}`);
  });

  it("the local endpoint refuses an expired session token as AWS does", async () => {
    fake.credentialLifetimeMs = 200;
    const { SSMClient, DescribeDocumentCommand } = await import("@aws-sdk/client-ssm");
    const { STSClient, AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = new STSClient({ region: "us-east-1", endpoint: fake.url });
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: fleet.central.operationsRole, RoleSessionName: "s1" }),
    );
    const c = out.Credentials!;
    const ssm = new SSMClient({
      region: "us-east-1",
      endpoint: fake.url,
      maxAttempts: 1,
      credentials: {
        accessKeyId: c.AccessKeyId!,
        secretAccessKey: c.SecretAccessKey!,
        sessionToken: c.SessionToken,
      },
    });
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(ssm.send(new DescribeDocumentCommand({ Name: "patchfleet-patch" })), {
      name: "ExpiredTokenException",
    });
    sts.destroy();
    ssm.destroy();
  });

  it("AWS_ENDPOINT_URL_<SERVICE> sends SSM, STS and Resource Groups to the local endpoint", async () => {
    // Service-specific endpoints: AWS_ENDPOINT_URL_<SERVICE>, the service id in upper case with
    // spaces as underscores (AWS SDKs and Tools reference guide, "Service-specific endpoints";
    // serviceId "SSM", "STS", "Resource Groups" in the botocore models).
    process.env.AWS_ENDPOINT_URL_SSM = fake.url;
    process.env.AWS_ENDPOINT_URL_STS = fake.url;
    process.env.AWS_ENDPOINT_URL_RESOURCE_GROUPS = fake.url;
    const report = await runPatch(options({ aws: { requestTimeoutMs: 5000 } }));
    assert.deepEqual(report.preflight, []);
    assert.equal(report.summary.SUCCEEDED, 2);
    assert.ok(fake.callsOf("GetGroup").length > 0);
    assert.ok(fake.callsOf("AssumeRole").length > 0);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 1);
  });

  it("refuses an opt-in home region that targets a region enabled by default, before any start", async () => {
    // "If you start an automation from new Regions launched after March 20, 2019, and target a
    // Region that is enabled by default, the automation fails." (Systems Manager user guide,
    // Running automations in multiple AWS Regions and accounts.) af-south-1 (Cape Town) is an
    // opt-in region; us-east-1 is enabled by default (AWS Account Management reference, "Enable or
    // disable AWS Regions in your account").
    const optIn = makeFleet([member(A, ["us-east-1"])]);
    optIn.central = { ...optIn.central, regions: ["af-south-1", "us-east-1"] };
    registerRoles(fake, optIn);
    const report = await runPatch(options({ fleet: optIn }));
    const problem = report.preflight.find((p) => p.message.includes("af-south-1"));
    assert.ok(problem, JSON.stringify(report.preflight));
    assert.match(problem.message, /opt-in region launched after March 20, 2019/);
    assert.match(problem.fix, /region enabled by default first in central\.regions/);
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });

  it("refuses one name for the administration and execution roles", async () => {
    // Both roles live in the central account, and IAM role names are unique within an account and
    // "not distinguished by case" (IAM API reference, CreateRole RoleName).
    const same = makeFleet([member(A, ["us-east-1"])], {
      administrationRoleName: "patchfleet-automation",
      executionRoleName: "PatchFleet-Automation",
    });
    const report = await runPatch(options({ fleet: same }));
    assert.ok(
      report.preflight.some((p) => /both "PatchFleet-Automation"/.test(p.message)),
      JSON.stringify(report.preflight),
    );
    assert.equal(fake.callsOf("StartAutomationExecution").length, 0);
  });

  it("an endpoint that accepts connections but never answers: bounded, with progress, no record", async function () {
    this.timeout(30_000);
    fake.silent = true;
    const lines: string[] = [];
    const started = Date.now();
    const report = await runPatch(
      options({
        aws: {
          endpoint: fake.url,
          requestTimeoutMs: 300,
          callTimeoutMs: 1200,
          progressMs: 400,
        },
        log: (l) => lines.push(l),
      }),
    );
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.ok(report.preflight.length > 0);
    assert.ok(
      report.preflight.every((p) => /\((timed-out|denied)\)/.test(p.message)),
      JSON.stringify(report.preflight),
    );
    assert.ok(!report.preflight.some((p) => /not found/.test(p.message)));
    assert.ok(
      lines.some((l) => /^still waiting for \w+ \(/.test(l)),
      lines.join("\n"),
    );
    // Nothing started, so nothing is recorded: the next run is not a "resume".
    assert.deepEqual(await fs.readdir(stateDir), []);
  });

  it("compliance of unreadable account-regions is not '100% compliant'", async () => {
    fake.unassumable.add(`arn:aws:iam::${A}:role/patchfleet-read`);
    fake.instances.set(`${A}/us-east-1`, makeInstances("a", 3));
    const report = await gatherCompliance({ fleet, runId: "c1", aws: { endpoint: fake.url } });
    assert.equal(report.totals.targetsRead, 0);
    const { renderComplianceReport } = await import("../../automation/cli/compliance-command");
    const text = renderComplianceReport(report);
    assert.match(
      text,
      /^Fleet: only 0\/1 account-regions read \(1 unreadable\); of what was read: no data/m,
    );
    assert.doesNotMatch(text, /100%/);
  });

  it("with no credentials at all, patch and compliance exit 2 and say how to provide them, before any call", async () => {
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) delete process.env[k];
    await fs.writeFile(
      path.join(stateDir, "fleet.yaml"),
      `central:\n  account: "${CENTRAL}"\n  regions: [us-east-1]\nmembers: []\n` +
        "patchGroups:\n  web:\n    operatingSystem: AMAZON_LINUX_2023\n    approvalRules:\n" +
        "      - patchFilters:\n          - key: CLASSIFICATION\n            values: [Security]\n" +
        "        approveAfterDays: 7\n",
    );
    for (const argv of [
      ["compliance", "--fleet", "fleet.yaml"],
      ["patch", "--fleet", "fleet.yaml", "--operation", "Scan"],
    ]) {
      let out = "";
      let err = "";
      const code = await main(argv, {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        isTTY: false,
        env: { ...process.env, PATCHFLEET_AWS_ENDPOINT: fake.url },
        cwd: stateDir,
        signal: new AbortController().signal,
      });
      assert.equal(code, 2, `${argv[0]}: ${out}${err}`);
      assert.match(err, /no AWS credentials found/);
      assert.match(err, /AWS_PROFILE/);
    }
    assert.equal(fake.calls.length, 0);
  });
});
