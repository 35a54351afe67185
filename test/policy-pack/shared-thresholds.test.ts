/**
 * Policy 1 approves an in-stack baseline when it passes policy 2's rule, so both policies must
 * judge with the same thresholds: set together they agree, set apart the config is rejected.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import {
  PolicyConfigError,
  evaluatePolicies,
  reconcilePolicyConfig,
} from "../../policy-pack/evaluate";
import {
  baselineSecurityApproval as rule,
  instanceApprovedBaseline as policy,
  policies,
} from "../../policy-pack/policies";
import { all, compliantStack, finding, of } from "./fixtures";
import { repoPath } from "../helpers/repo-paths";

const both = (settings: Record<string, unknown>) => ({
  [policy.name]: settings,
  [rule.name]: settings,
});

function stackWithApproveAfter(days: number) {
  const s = compliantStack();
  (s.baseline.props.approvalRules as Record<string, unknown>[])[0].approveAfterDays = days;
  return s;
}

describe("rule 2 thresholds shared by patchfleet-instance-approved-baseline", () => {
  it("declares the same settings with the same defaults in both policies", () => {
    const r = reconcilePolicyConfig(policies, {});
    const defaults = { maxApproveAfterDays: 7, minimumComplianceLevel: "HIGH" };
    for (const name of [policy.name, rule.name]) {
      const p = r.get(name)!.properties;
      assert.deepEqual(
        {
          maxApproveAfterDays: p.maxApproveAfterDays,
          minimumComplianceLevel: p.minimumComplianceLevel,
        },
        defaults,
      );
    }
  });

  it("approves a baseline at approveAfterDays 10 in both policies when both allow 14", () => {
    const s = stackWithApproveAfter(10);
    assert.deepEqual(evaluatePolicies(all(s), both({ maxApproveAfterDays: 14 })), []);
    // The same stack under the defaults: both policies object, with the same threshold.
    const vs = evaluatePolicies(all(s));
    assert.deepEqual(
      vs.map((v) => [v.policy, v.resourceName]),
      [
        [policy.name, "web-1"],
        [policy.name, "web-lt"],
        [policy.name, "web-asg"],
        [rule.name, "al2023"],
      ],
    );
    assert.ok(vs.every((v) => v.message.includes("approveAfterDays is 10, more than 7")));
  });

  it("blocks the instance with the configured threshold in its message", () => {
    const s = stackWithApproveAfter(20);
    const vs = evaluatePolicies(all(s), both({ maxApproveAfterDays: 14 }));
    assert.deepEqual(
      of(vs, policy)[0],
      finding(
        policy,
        s.instance,
        'Instance "web-1" has patch tag PatchGroup="web": patch group "web" is registered to ' +
          'patch baseline "al2023", which is not approved: rule 1: approveAfterDays is 20, more ' +
          "than 14. Fix: add an approval rule that selects CLASSIFICATION Security and SEVERITY " +
          "Critical with approveAfterDays at most 14 and complianceLevel HIGH or above, or list " +
          "the baseline's id, ARN or name in approvedBaselines.",
        "mandatory",
      ),
    );
    assert.equal(of(vs, policy).length, 3);
    assert.equal(of(vs, rule).length, 1);
    assert.match(of(vs, rule)[0].message, /approveAfterDays is 20, more than 14\. Fix:/);
  });

  it("rejects a config that sets the thresholds for one policy only", () => {
    assert.throws(
      () => evaluatePolicies([], { [rule.name]: { maxApproveAfterDays: 14 } }),
      (e: unknown) => {
        assert.ok(e instanceof PolicyConfigError);
        assert.deepEqual(e.problems, [
          "patchfleet-instance-approved-baseline.maxApproveAfterDays: is 7 but " +
            "patchfleet-baseline-security-approval.maxApproveAfterDays is 14; the first approves " +
            "in-stack baselines by the second's rule, so set maxApproveAfterDays to the same " +
            "value under both policies",
        ]);
        return true;
      },
    );
    assert.throws(
      () => evaluatePolicies([], { [policy.name]: { minimumComplianceLevel: "CRITICAL" } }),
      (e: unknown) => {
        assert.ok(e instanceof PolicyConfigError);
        assert.deepEqual(e.problems, [
          'patchfleet-instance-approved-baseline.minimumComplianceLevel: is "CRITICAL" but ' +
            'patchfleet-baseline-security-approval.minimumComplianceLevel is "HIGH"; the first ' +
            "approves in-stack baselines by the second's rule, so set minimumComplianceLevel " +
            "to the same value under both policies",
        ]);
        return true;
      },
    );
  });

  it("lets policy 1 keep its own thresholds when policy 2 is disabled", () => {
    const s = stackWithApproveAfter(10);
    const config = {
      [policy.name]: { maxApproveAfterDays: 14 },
      [rule.name]: "disabled",
    };
    assert.deepEqual(evaluatePolicies(all(s), config), []);
    const strict = { [policy.name]: { maxApproveAfterDays: 9 }, [rule.name]: "disabled" };
    assert.deepEqual(
      evaluatePolicies(all(stackWithApproveAfter(10)), strict).map((v) => v.resourceName),
      ["web-1", "web-lt", "web-asg"],
    );
  });

  it("ships an example config that sets both policies alike", () => {
    const file = repoPath("policy-pack", "policy-config.example.json");
    const example = JSON.parse(readFileSync(file, "utf8")) as Record<string, never>;
    const r = reconcilePolicyConfig(policies, example);
    assert.equal(r.get(policy.name)!.properties.maxApproveAfterDays, 7);
    assert.equal(r.get(rule.name)!.properties.maxApproveAfterDays, 7);
    assert.equal(r.get(policy.name)!.properties.minimumComplianceLevel, "HIGH");
    assert.equal(r.get(rule.name)!.properties.minimumComplianceLevel, "HIGH");
  });
});
