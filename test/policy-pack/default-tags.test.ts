/**
 * Tags an instance gets only through its AWS provider's defaultTags count as its patch tags, with
 * the instance's own tags winning on the same key.
 */
import { strict as assert } from "assert";
import { UNKNOWN, evaluatePolicies, type PolicyResource } from "../../policy-pack/evaluate";
import { defaultTagsOf, effectiveTags } from "../../policy-pack/default-tags";
import {
  instanceApprovedBaseline as policy,
  patchTagKeyMetadataSafe as metadata,
} from "../../policy-pack/policies";
import { all, compliantStack, finding, of, resource } from "./fixtures";

const PROVIDER = "pulumi:providers:aws";
const unknownTail = " is not known yet. It is checked again once the value is known.";

/** An AWS provider whose defaultTags arrive JSON-encoded, as @pulumi/aws sends them. */
function provider(tags: unknown, name = "tagged"): PolicyResource {
  return resource(PROVIDER, name, {
    region: "eu-west-1",
    defaultTags: tags === UNKNOWN ? UNKNOWN : JSON.stringify({ tags }),
  });
}

/** The compliant stack with its instance created through `p` and carrying only `tags`. */
function stackWith(p: PolicyResource, tags: Record<string, unknown>) {
  const s = compliantStack();
  s.instance.props.tags = tags;
  s.instance.provider = p.urn;
  return { s, resources: [p, ...all(s)] };
}

const unregistered = (group: string, via: string) =>
  `Instance "web-1" has patch tag PatchGroup="${group}"${via}: patch group "${group}" is not ` +
  "registered in this stack (aws:ssm/patchGroup:PatchGroup) or in config patchGroups. Fix: " +
  "register the group to an approved baseline, or correct the tag value.";

describe("provider defaultTags under patchfleet-instance-approved-baseline", () => {
  it("checks a patch tag that only the provider's defaultTags set", () => {
    const { s, resources } = stackWith(provider({ PatchGroup: "nope" }), { Name: "web-1" });
    assert.deepEqual(of(evaluatePolicies(resources), policy), [
      finding(
        policy,
        s.instance,
        unregistered("nope", ' (from the defaultTags of provider "tagged")'),
        "mandatory",
      ),
    ]);
  });

  it("accepts a registered group from defaultTags, and does not call it untagged", () => {
    const { resources } = stackWith(provider({ PatchGroup: "web", Team: "ops" }), {
      Name: "web-1",
    });
    assert.deepEqual(evaluatePolicies(resources, { [policy.name]: { requireTag: true } }), []);
  });

  it("lets the instance's own tag win over the provider's", () => {
    const own = stackWith(provider({ PatchGroup: "web" }), { PatchGroup: "nope" });
    assert.deepEqual(of(evaluatePolicies(own.resources), policy), [
      finding(policy, own.s.instance, unregistered("nope", ""), "mandatory"),
    ]);
    const fixed = stackWith(provider({ PatchGroup: "nope" }), { PatchGroup: "web" });
    assert.deepEqual(of(evaluatePolicies(fixed.resources), policy), []);
  });

  it("reads defaultTags given as an object as well as JSON", () => {
    const p = resource(PROVIDER, "tagged", { defaultTags: { tags: { PatchGroup: "nope" } } });
    const { s, resources } = stackWith(p, {});
    assert.deepEqual(of(evaluatePolicies(resources), policy), [
      finding(
        policy,
        s.instance,
        unregistered("nope", ' (from the defaultTags of provider "tagged")'),
        "mandatory",
      ),
    ]);
  });

  it("does not apply a provider's tags to instances of another provider", () => {
    const { s, resources } = stackWith(provider({ PatchGroup: "nope" }), { Name: "web-1" });
    const plain = resource(PROVIDER, "plain", { region: "eu-west-1" });
    s.instance.provider = plain.urn;
    assert.deepEqual(evaluatePolicies([...resources, plain]), []);
    assert.deepEqual(
      evaluatePolicies([...resources, plain], { [policy.name]: { requireTag: true } }),
      [
        finding(
          policy,
          s.instance,
          'Instance "web-1" has no patch tag (PatchGroup or Patch Group). Fix: tag it with a ' +
            "patch group registered to an approved baseline, or set requireTag to false.",
          "mandatory",
        ),
      ],
    );
  });

  it("reports unknown defaultTags as advisory instead of 'has no patch tag'", () => {
    const { s, resources } = stackWith(provider(UNKNOWN), { Name: "web-1" });
    assert.deepEqual(evaluatePolicies(resources, { [policy.name]: { requireTag: true } }), [
      finding(
        policy,
        s.instance,
        `Instance "web-1" cannot be checked during preview: the defaultTags of its provider` +
          unknownTail,
        "advisory",
      ),
      finding(
        metadata,
        s.instance,
        `Instance "web-1" cannot be checked during preview: the defaultTags of its provider` +
          unknownTail,
        "advisory",
      ),
    ]);
  });
});

describe("provider defaultTags under patchfleet-patch-tag-key-metadata-safe", () => {
  it("reports a spaced patch tag key that only the provider's defaultTags set", () => {
    const p = provider({ "Patch Group": "web" });
    const { s } = stackWith(p, { Name: "web-1" });
    const vs = evaluatePolicies([p, s.baseline, s.patchGroup, s.instance]);
    assert.deepEqual(of(vs, metadata), [
      finding(
        metadata,
        s.instance,
        'Instance "web-1" enables instance metadata tags (metadataOptions.instanceMetadataTags ' +
          'is "enabled") and carries patch tag key "Patch Group", which contains a space; EC2 ' +
          "rejects tag keys with spaces while metadata tags are enabled. Fix: use the tag key " +
          '"PatchGroup", or disable instance metadata tags.',
        "advisory",
      ),
    ]);
  });

  it("accepts the same provider when metadata tags are disabled", () => {
    const p = provider({ "Patch Group": "web" });
    const { s } = stackWith(p, { Name: "web-1" });
    s.instance.props.metadataOptions = { instanceMetadataTags: "disabled" };
    assert.deepEqual(of(evaluatePolicies([p, s.baseline, s.patchGroup, s.instance]), metadata), []);
  });
});

describe("effective tags", () => {
  it("merges defaults under own tags and reports unknown parts", () => {
    const p = { defaultTags: JSON.stringify({ tags: { A: "1", B: "2" } }) };
    assert.deepEqual(effectiveTags({ B: "own", C: "3" }, p), {
      tags: { A: "1", B: "own", C: "3" },
      defaultsUnknown: false,
    });
    assert.deepEqual(effectiveTags(undefined, p), {
      tags: { A: "1", B: "2" },
      defaultsUnknown: false,
    });
    assert.equal(effectiveTags(UNKNOWN, p), UNKNOWN);
    assert.deepEqual(effectiveTags({ C: "3" }, { defaultTags: UNKNOWN }), {
      tags: { C: "3" },
      defaultsUnknown: true,
    });
    assert.equal(defaultTagsOf({ defaultTags: "{not json" }), undefined);
    assert.equal(defaultTagsOf({}), undefined);
    assert.equal(defaultTagsOf({ defaultTags: { tags: UNKNOWN } }), UNKNOWN);
  });
});
