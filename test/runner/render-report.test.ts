import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgressRenderer } from "../../automation/cli/render";
import { parseCountOrPercent, parseList } from "../../automation/cli/fleet-options";
import {
  APPROVED_BASELINE_POLICY,
  policyConfigFromOutputs,
} from "../../automation/stacks/app-policy-config";
import { UsageError } from "../../automation/cli/io";
import { buildReport, exitCodeFor, writeReport } from "../../automation/stacks/run-report";
import type {
  FleetRunResult,
  FleetTarget,
  FleetTargetResult,
} from "../../automation/stacks/run-fleet";
import {
  applyCentralOutputs,
  centralConfigMap,
  centralOutputsFrom,
} from "../../automation/stacks/stack-program";
import { memberAccountConfig } from "../../automation/stacks/topology-config";
import { instanceApprovedBaseline } from "../../policy-pack/policies/instance-approved-baseline";
import { testFleet } from "./fixtures";

const central: FleetTarget = {
  id: "central",
  account: "111111111111",
  stackName: "central",
  name: "central",
  role: "central",
};
const prod: FleetTarget = {
  id: "prod-a",
  account: "222222222222",
  stackName: "prod-a",
  name: "prod-a",
  role: "member",
};

function result(
  t: FleetTarget,
  state: FleetTargetResult["state"],
  reason: string,
): FleetTargetResult {
  return {
    id: t.id,
    account: t.account,
    name: t.name,
    stackName: t.stackName,
    role: t.role,
    state,
    reason,
    durationMs: 1500,
  };
}

function runResult(targets: FleetTargetResult[], interrupted = false): FleetRunResult {
  return {
    operation: "up",
    fleetFile: "/f/fleet.yaml",
    project: "patchfleet",
    backend: "file:///f/.patchfleet/state",
    selection: {},
    startedAt: "2026-11-25T10:00:00.000Z",
    finishedAt: "2026-11-25T10:00:03.000Z",
    durationMs: 3000,
    interrupted,
    targets,
  };
}

describe("progress rendering", () => {
  const clock = () => new Date("2026-11-25T10:11:12Z");

  it("plain output: one line per start and finish, no engine output, never rewritten", () => {
    let out = "";
    const r = new ProgressRenderer({ write: (t) => (out += t), isTTY: false }, "up", clock);
    r.onEvent({ kind: "queued", target: central });
    r.onEvent({ kind: "started", target: central });
    r.onEvent({ kind: "output", target: central, line: "Updating (central):" });
    r.onEvent({
      kind: "finished",
      target: central,
      result: result(central, "SUCCEEDED", "deployed"),
    });
    assert.equal(
      out,
      "[10:11:12] central (111111111111): started up\n" +
        "[10:11:12] central (111111111111): SUCCEEDED: deployed (1.5s)\n",
    );
  });

  it("TTY output: one live line per target, redrawn in place", () => {
    const writes: string[] = [];
    const r = new ProgressRenderer({ write: (t) => writes.push(t), isTTY: true }, "up", clock);
    r.onEvent({ kind: "queued", target: central });
    r.onEvent({ kind: "queued", target: prod });
    r.onEvent({ kind: "started", target: central });
    assert.equal(writes[0], "\x1b[2Kcentral (111111111111)  queued\n");
    assert.equal(
      writes[1],
      "\x1b[1A\r\x1b[2Kcentral (111111111111)  queued\n\x1b[2Kprod-a (222222222222)   queued\n",
    );
    assert.equal(
      writes[2],
      "\x1b[2A\r\x1b[2Kcentral (111111111111)  running up\n\x1b[2Kprod-a (222222222222)   queued\n",
    );
    r.onEvent({
      kind: "finished",
      target: central,
      result: result(central, "FAILED", "x".repeat(200)),
    });
    const last = writes[writes.length - 1].split("\n")[0];
    assert.equal(last.length, "\x1b[2A\r\x1b[2K".length + 120);
    assert.ok(last.endsWith("…"));
  });

  it("summary counts every state and lists what did not succeed", () => {
    const r = new ProgressRenderer({ write: () => undefined, isTTY: false }, "up");
    const report = buildReport(
      runResult(
        [result(central, "SUCCEEDED", "deployed"), result(prod, "FAILED", "up failed: boom")],
        true,
      ),
    );
    assert.equal(
      r.summary(report),
      "up: 1 succeeded, 1 failed, 0 cancelled, 0 skipped (3.0s) (interrupted)\n" +
        "  FAILED prod-a (222222222222): up failed: boom\n",
    );
  });
});

describe("run report", () => {
  it("counts each state, keeps every target, and maps to exit codes", () => {
    const ok = buildReport(
      runResult([result(central, "SUCCEEDED", "deployed"), result(prod, "SKIPPED", "s")]),
    );
    assert.deepEqual(ok.counts, { SUCCEEDED: 1, FAILED: 0, CANCELLED: 0, SKIPPED: 1 });
    assert.equal(ok.schemaVersion, 1);
    assert.equal(ok.targets.length, 2);
    assert.equal(exitCodeFor(ok), 0);
    const cancelled = buildReport(runResult([result(prod, "CANCELLED", "not tried")]));
    assert.equal(exitCodeFor(cancelled), 1);
    const failed = buildReport(runResult([result(prod, "FAILED", "x")]));
    assert.equal(exitCodeFor(failed), 1);
    assert.equal(exitCodeFor(buildReport(runResult([result(prod, "FAILED", "x")], true))), 130);
  });

  it("writes the report atomically as JSON, creating the directory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-report-"));
    try {
      const file = path.join(dir, "sub", "report.json");
      const report = buildReport(runResult([result(central, "SUCCEEDED", "deployed")]));
      await writeReport(file, report);
      assert.deepEqual(
        JSON.parse(fs.readFileSync(file, "utf8")),
        JSON.parse(JSON.stringify(report)),
      );
      assert.deepEqual(fs.readdirSync(path.join(dir, "sub")), ["report.json"]);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe("stack command options", () => {
  it("parses counts and percentages, rejecting out-of-range values with the fix", () => {
    assert.deepEqual(parseCountOrPercent("--max-concurrent", "5", 1), { kind: "count", value: 5 });
    assert.deepEqual(parseCountOrPercent("--max-concurrent", "25%", 1), {
      kind: "percent",
      value: 25,
    });
    assert.deepEqual(parseCountOrPercent("--failure-tolerance", "0", 0), {
      kind: "count",
      value: 0,
    });
    assert.deepEqual(parseCountOrPercent("--failure-tolerance", "0%", 0), {
      kind: "percent",
      value: 0,
    });
    assert.throws(() => parseCountOrPercent("--max-concurrent", "0", 1), {
      name: "UsageError",
      message:
        '--max-concurrent must be a whole number >= 1 or a percentage 1%-100% (e.g. --max-concurrent 5 or --max-concurrent 25%), got "0"',
    });
    for (const bad of ["101%", "0%", "1.5", "-1", "x"]) {
      assert.throws(() => parseCountOrPercent("--max-concurrent", bad, 1), UsageError);
    }
    assert.throws(() => parseCountOrPercent("--failure-tolerance", "-1", 0), {
      message:
        '--failure-tolerance must be a whole number >= 0 or a percentage 0%-100% (e.g. --failure-tolerance 0 or --failure-tolerance 25%), got "-1"',
    });
  });

  it("parses --only lists", () => {
    assert.deepEqual(parseList("--only", "a, b,c"), ["a", "b", "c"]);
    assert.throws(() => parseList("--only", "a,,b"), {
      message: '--only takes a comma-separated list of account names or ids, got "a,,b"',
    });
  });
});

describe("policy config from topology outputs", () => {
  const outputs = {
    regions: {
      "us-east-1": { baselineIds: { web: "pb-1", db: "pb-2", api: "pb-1" }, runbookName: "r" },
      "eu-west-1": { baselineIds: { web: "pb-9" }, runbookName: "r" },
    },
  };

  it("maps each patch group to its baseline in the region and approves those baselines", () => {
    assert.deepEqual(policyConfigFromOutputs(outputs, "us-east-1", "prod-a"), {
      "patchfleet-instance-approved-baseline": {
        patchGroups: { web: "pb-1", db: "pb-2", api: "pb-1" },
        approvedBaselines: ["pb-1", "pb-2"],
      },
    });
    assert.deepEqual(policyConfigFromOutputs(outputs, "eu-west-1", "prod-a"), {
      "patchfleet-instance-approved-baseline": {
        patchGroups: { web: "pb-9" },
        approvedBaselines: ["pb-9"],
      },
    });
  });

  it("names the policy exactly as the policy pack does", () => {
    assert.equal(APPROVED_BASELINE_POLICY, instanceApprovedBaseline.name);
  });

  it("a region missing from the outputs is an error naming the regions it has", () => {
    assert.throws(() => policyConfigFromOutputs(outputs, "ap-south-1", "prod-a"), {
      name: "PolicyConfigOutputsError",
      message:
        "stack prod-a has no baseline ids for region ap-south-1 (regions in its outputs: us-east-1, " +
        "eu-west-1); run `patchfleet up` for that account first, or pass --region with one of its regions",
    });
  });
});

describe("central outputs to member config", () => {
  const out = (v: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(v).map(([k, value]) => [k, { value, secret: false }]));

  it("reads the runbook name from the first region when there is no top-level output", () => {
    assert.deepEqual(
      centralOutputsFrom(
        out({
          administrationRoleArn: "arn:aws:iam::111111111111:role/path/Admin",
          logBucketName: "logs",
          regions: { "us-east-1": { runbookName: "rb" } },
        }),
      ),
      {
        administrationRoleArn: "arn:aws:iam::111111111111:role/path/Admin",
        runbookName: "rb",
        logBucketName: "logs",
      },
    );
    assert.equal(centralOutputsFrom(out({ logBucketName: "logs" })), undefined);
    assert.equal(centralOutputsFrom(undefined), undefined);
  });

  it("applies the role name (last path segment), runbook and bucket to a member config", () => {
    const member = memberAccountConfig(testFleet("/f.yaml", 1), testFleet("/f.yaml", 1).members[0]);
    const applied = applyCentralOutputs(member, {
      administrationRoleArn: "arn:aws:iam::111111111111:role/path/Admin",
      runbookName: "rb",
      logBucketName: "logs",
    });
    assert.deepEqual(applied, {
      ...member,
      administrationRoleName: "Admin",
      runbookName: "rb",
      logBucketName: "logs",
    });
    assert.deepEqual(
      centralConfigMap("proj", {
        administrationRoleArn: "a",
        runbookName: "r",
        logBucketName: "l",
      }),
      {
        "proj:centralAdministrationRoleArn": { value: "a" },
        "proj:centralRunbookName": { value: "r" },
        "proj:centralLogBucketName": { value: "l" },
      },
    );
  });
});
