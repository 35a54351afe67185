import { strict as assert } from "assert";
import fc from "fast-check";
import { UNKNOWN, evaluatePolicies, type PolicyResource } from "../../policy-pack/evaluate";
import { T, all, compliantStack } from "./fixtures";

const TYPES = Object.values(T);

/** Any JSON-ish value, with unknowns sprinkled in at every depth. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(UNKNOWN),
    fc.constantFrom("*", "instance", "BLOCK", "AWS-RunPatchBaseline", "10%", "0", "{", "[]"),
    fc.string({ maxLength: 8 }),
    fc.integer({ min: -5, max: 500 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom("key", "values", "Statement", "Effect", "Action", "Resource", "tags", "x"),
      tie("v"),
      { maxKeys: 3 },
    ),
  ),
})).v;

/** Props of a real resource with one property replaced by anything at all. */
const mangled = fc.record({
  which: fc.nat(),
  prop: fc.constantFrom(
    "tags",
    "tagSpecifications",
    "approvalRules",
    "globalFilters",
    "operatingSystem",
    "rejectedPatches",
    "rejectedPatchesAction",
    "assumeRolePolicy",
    "inlinePolicies",
    "policy",
    "taskArn",
    "maxConcurrency",
    "maxErrors",
    "resourceQuery",
    "metadataOptions",
    "baselineId",
    "patchGroup",
    "name",
  ),
  v: value,
  retype: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
});

describe("policy pack robustness", () => {
  it("never crashes a policy, whatever shape a property has", () => {
    fc.assert(
      fc.property(fc.array(mangled, { minLength: 1, maxLength: 4 }), (changes) => {
        const resources: PolicyResource[] = all(compliantStack());
        for (const c of changes) {
          const r = resources[c.which % resources.length];
          r.props[c.prop] = c.v;
          if (c.retype) r.type = c.retype;
        }
        const vs = evaluatePolicies(resources);
        const crashes = vs.filter((v) =>
          / from policy pack '.*' (failed|returned)|can't run/.test(v.message),
        );
        assert.deepEqual(crashes, []);
        for (const v of vs) {
          assert.ok(["advisory", "mandatory"].includes(v.enforcementLevel));
          assert.ok(v.urn, "every finding names its resource");
        }
      }),
      { numRuns: 400, seed: 20261125 },
    );
  });
});
