/**
 * The tag that selects instances into the resource group is checked by the stack config validator
 * (AWS tag limits: keys 1–128 characters, values at most 256), so PatchTargetGroup receives only
 * values AWS accepts. Boundaries on both sides, with the exact messages.
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
      `resourceGroupTag.key: must be a tag key of 1–128 characters, got "${"k".repeat(57)}..."`,
    ]);
    assert.deepEqual(issuesOf(withTag({ key: "", value: "yes" })), [
      'resourceGroupTag.key: must be a tag key of 1–128 characters, got ""',
    ]);
    assert.deepEqual(issuesOf(withTag({ key: "Patch" })), [
      "resourceGroupTag.value: must be a tag value of at most 256 characters, got nothing",
    ]);
  });
});
