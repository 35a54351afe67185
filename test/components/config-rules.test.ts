import { strict as assert } from "assert";
import { parseCountOrPercent } from "../../automation/cli/fleet-options";
import { Checker } from "../../automation/fleet/checker";
import { countOrPercentOf } from "../../automation/fleet/count-or-percent";
import { parseTags as fleetTags } from "../../automation/fleet/settings";
import { parseRegions, parseTags as configTags } from "../../components/config-account";
import { parseTagMap, roleArnProblem } from "../../components/config-rules";
import type { ConfigIssue } from "../../components/config-util";
import { shape } from "../aws-models";

/** The stack config's and the fleet file's issues for the same tags. */
function bothTagIssues(raw: unknown): [ConfigIssue[], ConfigIssue[]] {
  const config: ConfigIssue[] = [];
  configTags(raw, "tags", config);
  const c = new Checker();
  fleetTags(c, raw, "tags");
  return [config, c.issues];
}

describe("field rules shared by the stack config and the fleet file", () => {
  it("tags: keys 1–128 characters, values up to 256, as botocore's ssm TagKey/TagValue", () => {
    // test/aws-models/ssm.json (botocore 1.44.8), shapes TagKey (min 1, max 128) and TagValue
    // (min 0, max 256); the aws: prefix is reserved:
    // https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
    assert.equal(shape("ssm", "TagKey").max, 128);
    assert.equal(shape("ssm", "TagValue").max, 256);
    const ok = { ["k".repeat(128)]: "v".repeat(256), team: "" };
    for (const issues of bothTagIssues(ok)) assert.deepEqual(issues, []);
    for (const bad of [{ ["k".repeat(129)]: "v" }, { "aws:owner": "x" }, { "AWS:owner": "x" }]) {
      for (const issues of bothTagIssues(bad)) {
        assert.deepEqual(
          issues.map((i) => i.message),
          ["tag keys must be 1–128 characters and must not start with aws:"],
        );
      }
    }
    const [config, fleet] = bothTagIssues({ team: "v".repeat(257) });
    assert.match(config[0].message, /^must be a string of at most 256 characters, got /);
    assert.match(
      fleet[0].message,
      /^must be a string of at most 256 characters \(quote numbers and booleans\), got /,
    );
  });

  it("tags: a key named __proto__ stays a key, never the map's prototype", () => {
    const issues: ConfigIssue[] = [];
    const tags = parseTagMap(JSON.parse('{"__proto__": "x"}'), "tags", issues);
    assert.deepEqual(issues, []);
    assert.equal(Object.getPrototypeOf(tags), Object.prototype);
    assert.deepEqual(Object.keys(tags), ["__proto__"]);
  });

  it("regions: one list rule (each once, one partition) in both validators' words", () => {
    const config: ConfigIssue[] = [];
    assert.deepEqual(parseRegions(["us-east-1", "us-east-1", "cn-north-1"], "regions", config), [
      "us-east-1",
    ]);
    const c = new Checker();
    assert.deepEqual(c.regions(["us-east-1", "us-east-1", "cn-north-1"], "regions"), ["us-east-1"]);
    assert.deepEqual(config, c.issues);
    assert.deepEqual(
      c.issues.map((i) => i.path),
      ["regions[1]", "regions[2]"],
    );
  });

  it("role ARNs: the account and the home region's partition", () => {
    const arn = "arn:aws:iam::111111111111:role/deploy";
    assert.equal(roleArnProblem(arn, "111111111111", "us-east-1"), undefined);
    assert.deepEqual(roleArnProblem("deploy", undefined, undefined), { kind: "format" });
    assert.deepEqual(roleArnProblem(arn, "222222222222", "us-east-1"), {
      kind: "account",
      account: "111111111111",
    });
    // cn-north-1 is in the aws-cn partition:
    // https://docs.amazonaws.cn/en_us/general/latest/gr/ARNs.html ("In the Beijing and Ningxia
    // Regions, the ARN syntax includes a cn": arn:aws-cn, Beijing is cn-north-1)
    assert.deepEqual(roleArnProblem(arn, "111111111111", "cn-north-1"), {
      kind: "partition",
      partition: "aws",
      expected: "aws-cn",
    });
  });

  it("count-or-percent: the fleet file and the command line accept the same values", () => {
    for (const [raw, min, expected] of [
      ["3", 1, { kind: "count", value: 3 }],
      ["0", 0, { kind: "count", value: 0 }],
      ["25%", 1, { kind: "percent", value: 25 }],
      ["0%", 0, { kind: "percent", value: 0 }],
      ["100%", 1, { kind: "percent", value: 100 }],
      ["0", 1, undefined],
      ["0%", 1, undefined],
      ["101%", 0, undefined],
      ["-1", 0, undefined],
      ["2.5", 1, undefined],
      ["9007199254740993", 1, undefined],
    ] as const) {
      assert.deepEqual(countOrPercentOf(raw, min), expected, raw);
      const c = new Checker();
      assert.deepEqual(c.countOrPercent(raw, "rollout.maxConcurrent", min), expected, raw);
      if (expected === undefined) {
        assert.throws(() => parseCountOrPercent("--max-concurrent", raw, min), /must be a whole/);
      } else {
        assert.deepEqual(parseCountOrPercent("--max-concurrent", raw, min), expected);
      }
    }
    // YAML numbers are counts too.
    assert.deepEqual(countOrPercentOf(4, 1), { kind: "count", value: 4 });
    assert.equal(countOrPercentOf(0.5, 0), undefined);
  });
});
