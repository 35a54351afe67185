/**
 * Fleet files at organization scale and hostile ones: anchors, aliases and merge keys as generators
 * and people write them, alias bombs, runaway nesting and oversized files.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FleetError, loadFleet, parseFleet } from "../../automation/fleet/parse-fleet";
import { MAX_FLEET_FILE_BYTES, MAX_NESTING_DEPTH, nestingDepth } from "../../automation/fleet/yaml";
import { repoPath } from "../helpers/repo-paths";

const FIXTURE = repoPath("test", "fleet", "fixtures", "pyyaml-fleet-1000.yaml");

function messagesOf(text: string): string[] {
  try {
    parseFleet(text, "fleet.yaml");
  } catch (err) {
    assert.ok(err instanceof FleetError, `expected FleetError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("expected the fleet to be rejected");
}

const PATCH_GROUPS = `patchGroups:
  web:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters: [{ key: CLASSIFICATION, values: [Security] }]
        approveAfterDays: 7
`;

describe("fleet YAML: anchors and aliases", () => {
  it("reads PyYAML's safe_dump output: 1,000 members sharing one anchored regions list", async () => {
    const text = fs.readFileSync(FIXTURE, "utf8");
    // The fixture is PyYAML's own output (scripts/pyyaml-fleet.py): the list is written once with
    // &id001 and referenced as *id001; the shared staging override is &id002 / *id002.
    assert.match(text, /regions: &id001\n {2}- us-east-1\n {2}- eu-west-1\n/);
    assert.equal(text.match(/regions: \*id001$/gm)?.length, 1000);
    assert.equal(text.match(/patchGroups: \*id002$/gm)?.length, 99);
    const fleet = await loadFleet(FIXTURE);
    assert.equal(fleet.members.length, 1000);
    assert.deepEqual(fleet.central.regions, ["us-east-1", "eu-west-1"]);
    for (const m of fleet.members) assert.deepEqual(m.regions, ["us-east-1", "eu-west-1"]);
    assert.equal(fleet.members[999].account, "200000000999");
    const staging = fleet.members[9].patchGroups["web-linux"];
    assert.equal(staging.approvalRules[0].approveAfterDays, 2);
    assert.equal(fleet.members[8].patchGroups["web-linux"].approvalRules[0].approveAfterDays, 7);
  });

  it("merges `<<: *defaults` maps, explicit keys winning, with anchors kept under x- keys", () => {
    const fleet = parseFleet(
      `x-defaults:
  member: &member
    regions: [us-east-1, eu-west-1]
    patchGroups:
      web: null
      db: &db
        operatingSystem: REDHAT_ENTERPRISE_LINUX
        approvalRules:
          - patchFilters: [{ key: CLASSIFICATION, values: [Security] }]
            approveAfterDays: 3
central:
  account: "111111111111"
  regions: [us-east-1, eu-west-1]
members:
  - <<: *member
    account: "222222222222"
    name: prod-a
  - <<: *member
    account: "333333333333"
    name: prod-b
    regions: [eu-west-1]
  - account: "444444444444"
    name: staging
    regions: [us-east-1]
    patchGroups:
      db:
        <<: *db
        description: staging databases
${PATCH_GROUPS}`,
      "fleet.yaml",
    );
    assert.deepEqual(
      fleet.members.map((m) => [m.name, m.regions, Object.keys(m.patchGroups)]),
      [
        ["prod-a", ["us-east-1", "eu-west-1"], ["db"]],
        ["prod-b", ["eu-west-1"], ["db"]],
        ["staging", ["us-east-1"], ["web", "db"]],
      ],
    );
    assert.equal(fleet.members[2].patchGroups.db.description, "staging databases");
    assert.equal(fleet.members[2].patchGroups.db.approvalRules[0].approveAfterDays, 3);
  });

  it("refuses an alias bomb ('billion laughs') by its expansion, naming the case", () => {
    const levels = ["x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (const [prev, name] of [..."abcdefgh"].map((c, i) => [c, "bcdefghi"[i]])) {
      levels.push(`x-${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const started = Date.now();
    const messages = messagesOf(`${levels.join("\n")}\ncentral: *i\n`);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /^\(yaml\): is an alias bomb \("billion laughs"\): its 10\d nodes/);
    assert.match(messages[0], /expand to 9\.3e\+8 /);
    assert.ok(Date.now() - started < 2000, "the bomb is measured, not expanded");
  });

  it("refuses an alias inside the node its own anchor is set on", () => {
    const [message] = messagesOf("central: &c\n  inner: *c\n");
    assert.match(message, /alias \*c is inside the node its anchor &c is set on/);
  });

  it("keeps the message for an alias used before its anchor", () => {
    assert.deepEqual(messagesOf("central: *nowhere\n"), [
      "(yaml): Unresolved alias (the anchor must be set before the alias): nowhere; define every anchor (&name) before its alias (*name)",
    ]);
  });
});

describe("fleet YAML: bounded input", () => {
  const deep = "nesting is too deep: more than 64 levels; the limit is 64 levels";
  it("reports 10,000 levels of nesting as too deep, not as a stack overflow", () => {
    for (const text of [
      `central: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`,
      `central: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`,
      `members:\n${"- ".repeat(10_000)}x\n`,
      Array.from({ length: 2_000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n",
    ]) {
      const messages = messagesOf(text);
      assert.equal(messages.length, 1);
      assert.ok(messages[0].startsWith(`(yaml): ${deep}`), messages[0]);
      assert.doesNotMatch(messages[0], /call stack/);
    }
  });

  it("estimates nesting without parsing", () => {
    assert.equal(MAX_NESTING_DEPTH, 64);
    assert.equal(nestingDepth("a: 1\n"), 1);
    // Five collections; a "- " line counts its indentation and its entry, so the estimate errs high.
    assert.equal(nestingDepth("a:\n  b:\n    - [1, {c: 2}]\n"), 6);
    assert.equal(nestingDepth("a: '[[[['\nb: \"{{\" # [[[\n"), 1);
    assert.equal(nestingDepth(fs.readFileSync(FIXTURE, "utf8")), 7);
  });

  it("refuses a file over the size limit before reading it, naming the limit and the size", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-limit-"));
    try {
      const file = path.join(dir, "big.yaml");
      // A sparse file: its size is what matters, and it is checked before a byte is read.
      fs.writeFileSync(file, "");
      fs.truncateSync(file, 50 * 1024 * 1024);
      await assert.rejects(loadFleet(file), (err: unknown) => {
        assert.ok(err instanceof FleetError);
        assert.deepEqual(err.issues, [
          {
            path: "(file)",
            message:
              "is 50 MiB (52428800 bytes); the limit is 4 MiB (4194304 bytes). Split the fleet into several files, or share repeated settings with anchors (&name) and aliases (*name)",
          },
        ]);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const text = `# ${"x".repeat(MAX_FLEET_FILE_BYTES)}\n`;
    assert.deepEqual(messagesOf(text), [
      "(file): is 4 MiB (4194307 bytes); the limit is 4 MiB (4194304 bytes). Split the fleet into several files, or share repeated settings with anchors (&name) and aliases (*name)",
    ]);
  });
});
