import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runJobs, timeoutMessage } from "../../automation/check/pool";
import { programJob } from "../../automation/check/targets";
import type { CheckJob } from "../../automation/check/types";
import { ensureBuilt } from "./cli-helpers";

const GRAPH_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
class Comp extends pulumi.ComponentResource {
  constructor(name, opts) {
    super("test:index:Comp", name, {}, opts);
    const eu = new aws.Provider(name + "-eu", { region: "eu-central-1" }, { parent: this });
    const b = new aws.ssm.PatchBaseline(name + "-b",
      { operatingSystem: "WINDOWS", approvedPatches: ["KB1"] }, { parent: this, provider: eu });
    new aws.ssm.PatchGroup(name + "-g", { baselineId: b.id, patchGroup: "web" },
      { parent: this, provider: eu, dependsOn: [eu] });
    this.registerOutputs({});
  }
}
new Comp("c");
aws.ec2.Vpc.get("shared", "vpc-0abc");
pulumi.log.warn("windows baseline has no approval rule");
`;

const REJECTS_PROGRAM = [
  'const aws = require("@pulumi/aws");',
  'const role = new aws.iam.Role("r", { assumeRolePolicy: "{}" });',
  'role.arn.apply((arn) => { throw new Error("cannot use " + arn); });',
].join("\n");

describe("check: worker pool", function () {
  this.timeout(120_000);
  let tmp: string;

  /** A program job for `source`, written to its own directory (one module per job). */
  const job = (name: string, source: string, index: number): CheckJob => {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "index.js"), source);
    return { ...programJob(dir, {}, undefined, tmp), index };
  };

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-pool-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /**
   * The graph program, then a program whose rejection nobody awaits, in one worker (each target
   * gets a fresh runtime): run once, read by the first test and by the rejection's test.
   */
  let graphAndRejects: ReturnType<typeof runJobs> | undefined;
  const graphRun = () =>
    (graphAndRejects ??= runJobs(
      [job("graph", GRAPH_PROGRAM, 0), job("rejects", REJECTS_PROGRAM, 1)],
      { workers: 1 },
    ));

  it("records parents, providers, regions, dependencies and property dependencies as the engine would", async () => {
    const { results, stats } = await graphRun();
    assert.equal(stats.workersStarted, 1);
    const [result] = results;
    assert.equal(result.failure, undefined);
    const comp = "urn:pulumi:check::graph::test:index:Comp::c";
    const provider = "urn:pulumi:check::graph::test:index:Comp$pulumi:providers:aws::c-eu";
    const baseline =
      "urn:pulumi:check::graph::test:index:Comp$aws:ssm/patchBaseline:PatchBaseline::c-b";
    assert.deepEqual(
      result.resources.map((r) => [r.urn, r.custom, r.region, r.parent]),
      [
        [
          "urn:pulumi:check::graph::aws:ec2/vpc:Vpc::shared",
          true,
          "us-east-1",
          "urn:pulumi:check::graph::pulumi:pulumi:Stack::graph-check",
        ],
        [comp, false, "", "urn:pulumi:check::graph::pulumi:pulumi:Stack::graph-check"],
        [provider, true, "eu-central-1", comp],
        [baseline, true, "eu-central-1", comp],
        [
          "urn:pulumi:check::graph::test:index:Comp$aws:ssm/patchGroup:PatchGroup::c-g",
          true,
          "eu-central-1",
          comp,
        ],
      ],
    );
    // A read keeps the id it was given, as `Resource.get` does.
    assert.equal(result.resources[0].id, "vpc-0abc");
    const group = result.resources[4];
    assert.equal(group.provider, `${provider}::c-eu-061a2d8a`);
    assert.deepEqual(group.dependencies, [provider, baseline]);
    assert.deepEqual(group.propertyDependencies, { baselineId: [baseline], patchGroup: [] });
    assert.deepEqual(group.inputs, { baselineId: "pb-5514f45612252ba8", patchGroup: "web" });
    assert.equal(result.resources[3].id, "pb-5514f45612252ba8");
    assert.deepEqual(result.regions, ["eu-central-1", "us-east-1"]);
    assert.deepEqual(result.warnings, ["windows baseline has no approval rule"]);
    // The baseline has no approval rule: the pack's rule 2 reports it, so evaluation ran on it.
    assert.deepEqual(
      result.violations.map((v) => [v.policy, v.enforcementLevel, v.resourceName, v.urn]),
      [["patchfleet-baseline-security-approval", "mandatory", "c-b", baseline]],
    );
  });

  it("replaces a worker after each batch and keeps results in job order", async () => {
    const jobs = ["a", "b", "c"].map((n, i) =>
      job(
        `batch-${n}`,
        `new (require("@pulumi/aws").iam.Role)("${n}", { assumeRolePolicy: "{}" });`,
        i,
      ),
    );
    const { results, stats } = await runJobs(jobs, { workers: 1, batchSize: 1 });
    assert.equal(stats.workersStarted, 3);
    assert.ok(stats.peakWorkerRssKiB > 10_000, String(stats.peakWorkerRssKiB));
    assert.deepEqual(
      results.map((r) => [r.index, r.name, r.resources.map((x) => x.name)]),
      [
        [0, "batch-a", ["a"]],
        [1, "batch-b", ["b"]],
        [2, "batch-c", ["c"]],
      ],
    );
  });

  it("reports a worker that dies as that target's failure and carries on with the rest", async () => {
    const jobs = [
      job("dies", 'process.stderr.write("going down\\n"); process.exit(7);', 0),
      job("lives", 'new (require("@pulumi/aws").iam.Role)("ok", { assumeRolePolicy: "{}" });', 1),
    ];
    const { results, stats } = await runJobs(jobs, { workers: 1, batchSize: 10 });
    assert.equal(stats.workersStarted, 2);
    assert.deepEqual(results[0].failure, {
      message: "check worker exited unexpectedly (code 7): going down",
    });
    assert.deepEqual(results[0].resources, []);
    assert.equal(results[1].failure, undefined);
    assert.deepEqual(
      results[1].resources.map((r) => r.type),
      ["aws:iam/role:Role"],
    );
  });

  it("reports a rejection nobody awaited as the program's failure", async () => {
    const { results } = await graphRun();
    assert.equal(
      results[1].failure?.message,
      "cannot use arn:aws:iam::123456789012:role/r-f70c471",
    );
    assert.equal(results[1].failure?.location, "rejects/index.js:3:33");
  });

  it("stops handing out targets when aborted mid-run and marks the rest not checked", async () => {
    const controller = new AbortController();
    const jobs = ["x", "y", "z"].map((n, i) =>
      job(
        `abort-${n}`,
        `new (require("@pulumi/aws").iam.Role)("${n}", { assumeRolePolicy: "{}" });`,
        i,
      ),
    );
    const seen: string[] = [];
    const { results, stats } = await runJobs(jobs, {
      workers: 1,
      signal: controller.signal,
      onResult: (r) => {
        seen.push(r.name);
        controller.abort();
      },
    });
    assert.deepEqual(seen, ["abort-x"]);
    assert.equal(stats.workersStarted, 1);
    assert.deepEqual(
      results.map((r) => [r.name, r.resources.length, r.failure?.message]),
      [
        ["abort-x", 1, undefined],
        ["abort-y", 0, "not checked: the check was interrupted"],
        ["abort-z", 0, "not checked: the check was interrupted"],
      ],
    );
  });

  it("fails a target that never finishes after the timeout and replaces its worker", async () => {
    const jobs = [
      job("hangs", "module.exports.default = () => new Promise(() => undefined);", 0),
      job("after", 'new (require("@pulumi/aws").iam.Role)("ok", { assumeRolePolicy: "{}" });', 1),
    ];
    // Long enough for the next target's worker to load the AWS provider on a busy machine.
    const { results, stats } = await runJobs(jobs, { workers: 1, targetTimeoutMs: 5000 });
    assert.equal(stats.workersStarted, 2);
    assert.deepEqual(results[0].failure, {
      message:
        "did not finish within 5 s; the program may be waiting on something that never completes",
    });
    assert.equal(results[1].failure, undefined);
    assert.deepEqual(
      results[1].resources.map((r) => r.name),
      ["ok"],
    );
  });

  it("says a program still registering resources at the timeout was slow, and how many it registered", async () => {
    const source = [
      'const aws = require("@pulumi/aws");',
      "let i = 0;",
      'setInterval(() => new aws.iam.Role("r" + i++, { assumeRolePolicy: "{}" }), 5);',
      "module.exports.default = () => new Promise(() => undefined);",
    ].join("\n");
    const { results } = await runJobs([job("slow", source, 0)], {
      workers: 1,
      targetTimeoutMs: 3000,
      killGraceMs: 200,
    });
    const m =
      /^did not finish within 3 s: it was still registering resources \(([\d,]+) resources so far\); a program this large needs more time: set PATCHFLEET_CHECK_TIMEOUT_MS to allow more time$/.exec(
        results[0].failure?.message ?? "",
      );
    assert.ok(m, results[0].failure?.message);
    assert.ok(Number(m[1].replace(/,/g, "")) > 10, m[1]);
  });

  it("timeout messages tell slow, stuck and busy apart", () => {
    const now = 100_000;
    assert.equal(
      timeoutMessage(120_000, { resources: 20_000, changedAt: now - 100, heardAt: now - 300 }, now),
      "did not finish within 120 s: it was still registering resources (20,000 resources so far); a program this large needs more time: set PATCHFLEET_CHECK_TIMEOUT_MS to allow more time",
    );
    assert.equal(
      timeoutMessage(120_000, { resources: 3, changedAt: now - 60_000, heardAt: now - 300 }, now),
      "did not finish within 120 s; the program may be waiting on something that never completes (3 resources registered, none in the last 60 s)",
    );
    assert.equal(
      timeoutMessage(
        120_000,
        { resources: 3, changedAt: now - 60_000, heardAt: now - 60_000 },
        now,
      ),
      "did not finish within 120 s: it stopped responding after registering 3 resources; the program may be busy in a loop that never ends",
    );
  });

  it("starts nothing once the signal is aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const jobs = [job("never", "throw new Error('ran');", 0)];
    const { results, stats } = await runJobs(jobs, { signal: controller.signal });
    assert.equal(stats.workersStarted, 0);
    assert.deepEqual(results[0].failure, { message: "not checked: the check was interrupted" });
  });
});
