/**
 * `check --only` and `check --shard`: which accounts a check covers, and the report file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckInputError, selectAccounts } from "../../automation/check/targets";
import { ensureBuilt, runCli } from "./cli-helpers";

const accounts = [
  { name: "central", account: "111111111111" },
  { name: "prod-a", account: "222222222222" },
  { name: "prod-b", account: "333333333333" },
  { name: "staging", account: "444444444444" },
];

describe("check: selecting accounts", () => {
  it("shards all accounts, the central one included, so n shards check each exactly once", () => {
    const seen = [1, 2, 3].flatMap((k) =>
      selectAccounts(accounts, { shard: `${k}/3` }, "f.yaml").map((a) => a.name),
    );
    assert.deepEqual([...seen].sort(), ["central", "prod-a", "prod-b", "staging"]);
    // Dealt round-robin by account id (automation/rollout/shard.ts): the first shard holds the 1st and 4th.
    assert.deepEqual(
      selectAccounts(accounts, { shard: "1/3" }, "f.yaml").map((a) => a.name),
      ["central", "staging"],
    );
  });

  it("takes names or ids with --only, within the shard, in fleet order", () => {
    assert.deepEqual(
      selectAccounts(accounts, { only: ["staging", "222222222222"] }, "f.yaml").map((a) => a.name),
      ["prod-a", "staging"],
    );
    assert.deepEqual(
      selectAccounts(accounts, { only: ["staging", "prod-a"], shard: "1/3" }, "f.yaml").map(
        (a) => a.name,
      ),
      ["staging"],
    );
  });

  it("names an unknown account and the known ones", () => {
    assert.throws(
      () => selectAccounts(accounts, { only: ["prod-c", "staging"] }, "f.yaml"),
      (err: unknown) => {
        assert.ok(err instanceof CheckInputError);
        assert.equal(
          err.message,
          '--only: no account named "prod-c" in f.yaml; use account names or ids from the fleet ' +
            "file: central (111111111111), prod-a (222222222222), prod-b (333333333333), " +
            "staging (444444444444)",
        );
        return true;
      },
    );
    const many = Array.from({ length: 25 }, (_, i) => ({
      name: `m${i}`,
      account: String(200000000000 + i),
    }));
    assert.throws(
      () => selectAccounts(many, { only: ["x"] }, "f.yaml"),
      /m19 \(200000000019\), and 5 more$/,
    );
    assert.throws(
      () => selectAccounts(accounts, { shard: "4/3" }, "f.yaml"),
      /^CheckInputError: --shard 4\/3: k must be 1\.\.n \(1\.\.3\)$/,
    );
  });
});

describe("patchfleet check --only / --report (CLI)", function () {
  this.timeout(120_000);
  let tmp: string;
  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-check-only-"));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("exits 2 naming an unknown account before any synthesis", async () => {
    const run = await runCli(["check", "--fleet", "examples/fleet.yaml", "--only", "prod-c"]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, "");
    assert.match(
      run.stderr,
      /^patchfleet check: --only: no account named "prod-c" in examples\/fleet\.yaml; use account names or ids from the fleet file: central \(111111111111\), prod-a/,
    );
  });

  it("the three-ring example passes the pack, as every shipped example must", async () => {
    // One account is enough: every account of the example shares the fleet's patch groups.
    const run = await runCli([
      "check",
      "--fleet",
      "examples/rings-fleet.yaml",
      "--only",
      "staging",
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 targets?, \d+ resources: 0 mandatory, 0 advisory violations/);
  });

  it("refuses a fleet file over the size limit with exit 2, naming the limit and the size", async () => {
    const big = path.join(tmp, "big.yaml");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 5 * 1024 * 1024);
    const run = await runCli(["check", "--fleet", big]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `patchfleet check: ${big} is not a valid fleet file\n` +
        "  (file): is 5 MiB (5242880 bytes); the limit is 4 MiB (4194304 bytes). Split the fleet " +
        "into several files, or share repeated settings with anchors (&name) and aliases (*name)\n",
    );
  });

  it("checks only the named accounts and writes the same JSON to --report", async () => {
    const file = path.join(tmp, "out", "report.json");
    const run = await runCli([
      "check",
      "--fleet",
      "examples/fleet.yaml",
      "--only",
      "staging,111111111111",
      "--json",
      "--report",
      file,
      // One worker: parallelism is not what this test is about.
      "--workers",
      "1",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(
      report.targets.map((t: { name: string }) => t.name),
      ["central", "staging"],
    );
    // The two targets' resources as a full check of the example fleet lists them (central 50,
    // staging 19; each account's execution role carries the AmazonSSMAutomationRole attachment of
    // AWS's multi-account template).
    assert.deepEqual(report.summary, { targets: 2, resources: 69, mandatory: 0, advisory: 0 });
    assert.equal(fs.readFileSync(file, "utf8"), run.stdout);
    assert.equal(run.stderr, `report written to ${file}\n`);
  });
});
