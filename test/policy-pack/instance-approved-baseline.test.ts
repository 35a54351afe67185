import { strict as assert } from "assert";
import { UNKNOWN, evaluatePolicies } from "../../policy-pack/evaluate";
import { instanceApprovedBaseline as policy } from "../../policy-pack/policies";
import { T, all, baseline, compliantStack, finding, of, patchGroup, resource } from "./fixtures";

const unknownTail = " is not known yet. It is checked again once the value is known.";
const notApproved = (subj: string, group: string, reason: string) =>
  `${subj} has patch tag PatchGroup="${group}": patch group "${group}" is registered to patch ` +
  `baseline "al2023", which is not approved: ${reason}. Fix: add an approval rule that selects ` +
  `CLASSIFICATION Security and SEVERITY Critical with approveAfterDays at most 7 and ` +
  `complianceLevel HIGH or above, or list the baseline's id, ARN or name in approvedBaselines.`;

describe("policy patchfleet-instance-approved-baseline", () => {
  it("is a mandatory stack policy with a one-sentence description", () => {
    assert.equal(policy.name, "patchfleet-instance-approved-baseline");
    assert.equal(
      policy.description,
      "Every instance, launch template and Auto Scaling group that carries a patch tag belongs " +
        "to a patch group registered to an approved patch baseline.",
    );
    assert.equal(policy.enforcementLevel, "mandatory");
    assert.equal(typeof policy.validateStack, "function");
    assert.deepEqual(Object.keys(policy), [
      "name",
      "description",
      "enforcementLevel",
      "configSchema",
      "validateStack",
    ]);
  });

  it("accepts a group registered in the stack to a baseline that passes rule 2", () => {
    assert.deepEqual(evaluatePolicies(all(compliantStack())), []);
  });

  it("reports every tagged resource whose group's in-stack baseline fails rule 2", () => {
    const s = compliantStack();
    (s.baseline.props.approvalRules as Record<string, unknown>[])[0].complianceLevel = "MEDIUM";
    const reason = "rule 1: complianceLevel is MEDIUM, below HIGH";
    assert.deepEqual(of(evaluatePolicies(all(s)), policy), [
      finding(policy, s.instance, notApproved('Instance "web-1"', "web", reason), "mandatory"),
      finding(
        policy,
        s.launchTemplate,
        notApproved('Launch template "web-lt"', "web", reason),
        "mandatory",
      ),
      finding(
        policy,
        s.asg,
        notApproved('Auto Scaling group "web-asg"', "web", reason),
        "mandatory",
      ),
    ]);
  });

  it("accepts a failing in-stack baseline whose name is in approvedBaselines", () => {
    const s = compliantStack();
    (s.baseline.props.approvalRules as Record<string, unknown>[])[0].complianceLevel = "MEDIUM";
    const vs = evaluatePolicies(all(s), {
      [policy.name]: { approvedBaselines: ["patchfleet-al2023"] },
    });
    assert.deepEqual(of(vs, policy), []);
  });

  it("accepts a group mapped in config patchGroups to an approved baseline id", () => {
    const s = compliantStack();
    s.instance.props.tags = { PatchGroup: "legacy" };
    const vs = evaluatePolicies(all(s), {
      [policy.name]: { patchGroups: { legacy: "pb-0legacy" }, approvedBaselines: ["pb-0legacy"] },
    });
    assert.deepEqual(vs, []);
  });

  it("matches a baseline approved by ARN against a registration by id, and the reverse", () => {
    const arn = "arn:aws:ssm:eu-west-1:111122223333:patchbaseline/pb-0123456789abcdef0";
    const s = compliantStack();
    s.instance.props.tags = { PatchGroup: "legacy" };
    const byId = { legacy: "pb-0123456789abcdef0" };
    const byArn = { legacy: arn };
    const run = (patchGroups: object, approvedBaselines: string[]) =>
      evaluatePolicies(all(s), { [policy.name]: { patchGroups, approvedBaselines } });
    assert.deepEqual(run(byId, [arn]), []);
    assert.deepEqual(run(byArn, ["pb-0123456789abcdef0"]), []);
    assert.equal(run(byArn, ["pb-0123456789abcdef1"]).length, 1);
  });

  it("reports a group mapped in config patchGroups to an unapproved baseline id", () => {
    const s = compliantStack();
    s.instance.props.tags = { PatchGroup: "legacy" };
    const vs = evaluatePolicies(all(s), {
      [policy.name]: { patchGroups: { legacy: "pb-0legacy" } },
    });
    assert.deepEqual(vs, [
      finding(
        policy,
        s.instance,
        'Instance "web-1" has patch tag PatchGroup="legacy": patch group "legacy" maps to ' +
          'baseline "pb-0legacy" in config patchGroups, which is not in approvedBaselines. Fix: ' +
          "add the baseline to approvedBaselines, or map the group to an approved baseline.",
        "mandatory",
      ),
    ]);
  });

  it("reports an instance tagged with a group registered nowhere", () => {
    const s = compliantStack();
    s.instance.props.tags = { "Patch Group": "nope" };
    assert.deepEqual(of(evaluatePolicies(all(s)), policy), [
      finding(
        policy,
        s.instance,
        'Instance "web-1" has patch tag Patch Group="nope": patch group "nope" is not registered ' +
          "in this stack (aws:ssm/patchGroup:PatchGroup) or in config patchGroups. Fix: register " +
          "the group to an approved baseline, or correct the tag value.",
        "mandatory",
      ),
    ]);
  });

  it("reads launch template instance tag specifications only", () => {
    const s = compliantStack();
    s.launchTemplate.props.tagSpecifications = [
      { resourceType: "instance", tags: { PatchGroup: "nope" } },
    ];
    const vs = evaluatePolicies(all(s));
    assert.equal(vs.length, 1);
    assert.equal(
      vs[0].message,
      `${policy.description}\nLaunch template "web-lt" has patch tag PatchGroup="nope": patch ` +
        'group "nope" is not registered in this stack (aws:ssm/patchGroup:PatchGroup) or in ' +
        "config patchGroups. Fix: register the group to an approved baseline, or correct the tag value.",
    );
    assert.equal(vs[0].urn, s.launchTemplate.urn);
  });

  it("reads Auto Scaling group tags only when they propagate at launch", () => {
    const s = compliantStack();
    const tags = s.asg.props.tags as Record<string, unknown>[];
    tags[1].propagateAtLaunch = true;
    const vs = evaluatePolicies(all(s));
    assert.deepEqual(
      vs.map((v) => [v.resourceName, v.message.split("\n")[1]]),
      [
        [
          "web-asg",
          'Auto Scaling group "web-asg" has patch tag Patch Group="unregistered": patch group ' +
            '"unregistered" is not registered in this stack (aws:ssm/patchGroup:PatchGroup) or in ' +
            "config patchGroups. Fix: register the group to an approved baseline, or correct the tag value.",
        ],
      ],
    );
  });

  it("reports an untagged instance only when requireTag is set", () => {
    const s = compliantStack();
    s.instance.props.tags = { Name: "web-1" };
    assert.deepEqual(evaluatePolicies(all(s)), []);
    assert.deepEqual(evaluatePolicies(all(s), { [policy.name]: { requireTag: true } }), [
      finding(
        policy,
        s.instance,
        'Instance "web-1" has no patch tag (PatchGroup or Patch Group). Fix: tag it with a patch ' +
          "group registered to an approved baseline, or set requireTag to false.",
        "mandatory",
      ),
    ]);
  });

  it("reads the tag keys from config", () => {
    const s = compliantStack();
    s.instance.props.tags = { Patching: "nope", PatchGroup: "web" };
    const vs = evaluatePolicies([s.baseline, s.patchGroup, s.instance], {
      [policy.name]: { tagKeys: ["Patching"] },
    });
    assert.equal(vs.length, 1);
    assert.match(
      vs[0].message,
      /has patch tag Patching="nope": patch group "nope" is not registered/,
    );
  });

  it("reports a group registered to a known id that is neither approved nor in the stack", () => {
    const s = compliantStack();
    s.patchGroup.propertyDependencies = {};
    s.patchGroup.props.baselineId = "pb-0elsewhere";
    const vs = of(evaluatePolicies(all(s)), policy);
    assert.equal(vs.length, 3);
    assert.deepEqual(
      vs[0],
      finding(
        policy,
        s.instance,
        'Instance "web-1" has patch tag PatchGroup="web": patch group "web" is registered to ' +
          'baseline "pb-0elsewhere", which is neither in approvedBaselines nor defined in this ' +
          "stack. Fix: add the baseline to approvedBaselines, or register the group to an " +
          "approved baseline.",
        "mandatory",
      ),
    );
    const ok = evaluatePolicies(all(s), {
      [policy.name]: { approvedBaselines: ["pb-0elsewhere"] },
    });
    assert.deepEqual(ok, []);
  });

  describe("first preview of a new stack (baseline ids unknown)", () => {
    function firstPreview() {
      const s = compliantStack();
      s.patchGroup.props.baselineId = UNKNOWN;
      return s;
    }

    it("follows propertyDependencies of baselineId to an approved baseline: no finding", () => {
      assert.deepEqual(evaluatePolicies(all(firstPreview())), []);
    });

    it("still blocks an instance tagged with an unregistered group", () => {
      const s = firstPreview();
      s.instance.props.tags = { PatchGroup: "nope" };
      const vs = evaluatePolicies(all(s));
      assert.deepEqual(
        vs.map((v) => [v.policy, v.enforcementLevel, v.resourceName]),
        [[policy.name, "mandatory", "web-1"]],
      );
    });

    it("still blocks when the dependency is a baseline failing rule 2", () => {
      const s = firstPreview();
      (s.baseline.props.approvalRules as Record<string, unknown>[])[0].approveAfterDays = 30;
      const vs = of(evaluatePolicies(all(s)), policy);
      assert.equal(vs.length, 3);
      assert.deepEqual(
        vs[0],
        finding(
          policy,
          s.instance,
          notApproved('Instance "web-1"', "web", "rule 1: approveAfterDays is 30, more than 7"),
          "mandatory",
        ),
      );
    });

    it("reports an unknown id without a baseline dependency as advisory, not as a violation", () => {
      const s = firstPreview();
      s.patchGroup.propertyDependencies = {};
      const vs = of(evaluatePolicies([s.patchGroup, s.instance]), policy);
      assert.deepEqual(vs, [
        finding(
          policy,
          s.instance,
          'Instance "web-1" has patch tag PatchGroup="web", which cannot be checked during ' +
            `preview: the baseline id of Patch group "web-group"${unknownTail}`,
          "advisory",
        ),
      ]);
    });

    it("reports an unknown tag value as advisory", () => {
      const s = firstPreview();
      s.instance.props.tags = { PatchGroup: UNKNOWN };
      assert.deepEqual(evaluatePolicies(all(s)), [
        finding(
          policy,
          s.instance,
          `Instance "web-1" cannot be checked during preview: the value of its tag "PatchGroup"${unknownTail}`,
          "advisory",
        ),
      ]);
    });

    it("reports an unknown baseline rule as advisory", () => {
      const s = firstPreview();
      (s.baseline.props.approvalRules as Record<string, unknown>[])[0].complianceLevel = UNKNOWN;
      const vs = of(evaluatePolicies(all(s)), policy);
      assert.equal(vs.length, 3);
      assert.deepEqual(
        vs[0],
        finding(
          policy,
          s.instance,
          'Instance "web-1" has patch tag PatchGroup="web", which cannot be checked during ' +
            "preview: approvalRules[0].complianceLevel of patch baseline " +
            `"al2023"${unknownTail}`,
          "advisory",
        ),
      );
    });

    it("does not call a group unregistered while a registration's name is unknown", () => {
      const s = firstPreview();
      const other = patchGroup("other-group", "x", baseline("b2"));
      other.props.patchGroup = UNKNOWN;
      s.instance.props.tags = { PatchGroup: "nope" };
      const vs = of(evaluatePolicies([...all(s), other]), policy);
      assert.deepEqual(
        vs.map((v) => [v.enforcementLevel, v.message.split("\n")[1]]),
        [
          [
            "advisory",
            'Instance "web-1" has patch tag PatchGroup="nope", which cannot be checked during ' +
              `preview: the patchGroup name of Patch group "other-group"${unknownTail}`,
          ],
        ],
      );
    });
  });

  it("checks every registration of a group (one per operating system)", () => {
    const s = compliantStack();
    const win = baseline("win", {
      operatingSystem: "WINDOWS",
      approvalRules: [
        {
          approveAfterDays: 7,
          complianceLevel: "HIGH",
          patchFilters: [{ key: "CLASSIFICATION", values: ["Updates"] }],
        },
      ],
    });
    const vs = of(evaluatePolicies([...all(s), win, patchGroup("web-win", "web", win)]), policy);
    assert.equal(vs.length, 3);
    assert.match(
      vs[0].message,
      /registered to patch baseline "win", which is not approved: rule 1: patch filter CLASSIFICATION selects Updates, not SecurityUpdates or CriticalUpdates\. Fix: add an approval rule that selects CLASSIFICATION SecurityUpdates or CriticalUpdates and MSRC_SEVERITY Critical/,
    );
  });

  it("ignores resources of other types", () => {
    const r = resource(T.role, "r", { tags: { PatchGroup: "nope" }, assumeRolePolicy: "{}" });
    assert.deepEqual(of(evaluatePolicies([r]), policy), []);
  });
});
