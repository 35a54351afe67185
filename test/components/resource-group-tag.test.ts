/**
 * The tag that selects instances into the resource group is checked by the stack config validator
 * (AWS tag limits: keys 1–128 characters without the reserved aws: prefix, values at most 256), so
 * PatchTargetGroup receives only values AWS accepts. Boundaries on both sides, with the exact messages.
 */
import { strict as assert } from "assert";
import { parseAccountConfig } from "../../components/config";
import { PatchTargetGroup } from "../../components/resource-group";
import { installMocks, json, named, settle } from "../helpers/mocks";
import { issuesOf, rawCentral } from "./fixtures";

function withTag(tag: Record<string, unknown>): Record<string, unknown> {
  const raw = rawCentral();
  raw.resourceGroupTag = tag;
  return raw;
}

describe("resourceGroupTag limits", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("accepts a 256-character value and a 128-character key, and the group queries them", async () => {
    const key = "k".repeat(128);
    const value = "v".repeat(256);
    const c = parseAccountConfig(withTag({ key, value }));
    assert.deepEqual(c.resourceGroupTag, { key, value });
    new PatchTargetGroup("rg", {
      tagKey: c.resourceGroupTag.key,
      tagValue: c.resourceGroupTag.value,
    });
    await settle();
    const query = named("rg-group").inputs.resourceQuery as { type: string; query: string };
    assert.deepEqual(json(query.query), {
      ResourceTypeFilters: ["AWS::EC2::Instance"],
      TagFilters: [{ Key: key, Values: [value] }],
    });
  });

  it("refuses a 257-character value with the path, the limit and the value it got", () => {
    assert.deepEqual(issuesOf(withTag({ key: "Patch", value: "v".repeat(257) })), [
      `resourceGroupTag.value: must be a tag value of at most 256 characters, got "${"v".repeat(57)}..."`,
    ]);
  });

  it("refuses a 129-character key, an empty key and a missing value", () => {
    assert.deepEqual(issuesOf(withTag({ key: "k".repeat(129), value: "yes" })), [
      `resourceGroupTag.key: must be a tag key of 1–128 characters not starting with aws:, got "${"k".repeat(57)}..."`,
    ]);
    assert.deepEqual(issuesOf(withTag({ key: "", value: "yes" })), [
      'resourceGroupTag.key: must be a tag key of 1–128 characters not starting with aws:, got ""',
    ]);
    assert.deepEqual(issuesOf(withTag({ key: "Patch" })), [
      "resourceGroupTag.value: must be a tag value of at most 256 characters, got nothing",
    ]);
  });

  it("refuses a key with AWS's reserved prefix in any case, as the fleet file does", () => {
    // The aws: prefix is reserved for AWS use, and tags with it cannot be edited or deleted (EC2
    // User Guide, tag restrictions, https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions);
    // the ECS Tag reference adds: "aws:, AWS:, or any upper or lowercase combination of such".
    // No one can put such a key on an instance, so a group selecting by it holds only what AWS tags.
    for (const key of ["aws:owner", "AWS:owner", "Aws:patch"]) {
      assert.deepEqual(issuesOf(withTag({ key, value: "yes" })), [
        `resourceGroupTag.key: must be a tag key of 1–128 characters not starting with aws:, got "${key}"`,
      ]);
    }
    // A key that merely contains the prefix later is an ordinary key.
    assert.deepEqual(
      parseAccountConfig(withTag({ key: "team:aws:x", value: "y" })).resourceGroupTag,
      {
        key: "team:aws:x",
        value: "y",
      },
    );
  });
});
