import { strict as assert } from "assert";
import { judgeBaseline } from "../../policy-pack/baseline-rules";
import { UNKNOWN, evaluatePolicies } from "../../policy-pack/evaluate";
import {
  baselineRejectedPatchesBlocked as rejected,
  baselineSecurityApproval as policy,
} from "../../policy-pack/policies";
import { baseline, finding, of, securityRule } from "./fixtures";

const fixAl2023 =
  "Fix: add an approval rule that selects CLASSIFICATION Security and SEVERITY Critical with " +
  "approveAfterDays at most 7 and complianceLevel HIGH or above.";
const head = (os = "AMAZON_LINUX_2023") =>
  `Patch baseline "al2023" (${os}) does not auto-approve security and critical patches within 7 ` +
  "days at compliance level HIGH or above: ";

function withRule(rule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return baseline("al2023", { approvalRules: [{ ...securityRule(), ...rule }], ...extra });
}

function only(b: ReturnType<typeof baseline>, config = {}) {
  return of(evaluatePolicies([b], config), policy);
}

describe("policy patchfleet-baseline-security-approval", () => {
  it("is a mandatory resource policy with a one-sentence description", () => {
    assert.equal(policy.name, "patchfleet-baseline-security-approval");
    assert.equal(
      policy.description,
      "Every patch baseline auto-approves security and critical patches for its operating " +
        "system quickly and at a high compliance level.",
    );
    assert.equal(policy.enforcementLevel, "mandatory");
    assert.deepEqual(Object.keys(policy), [
      "name",
      "description",
      "enforcementLevel",
      "configSchema",
      "validateResource",
    ]);
  });

  it("accepts a baseline approving Security/Critical within 3 days at CRITICAL", () => {
    assert.deepEqual(evaluatePolicies([baseline()]), []);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      "a compliance level below HIGH",
      { complianceLevel: "MEDIUM" },
      "complianceLevel is MEDIUM, below HIGH",
    ],
    [
      "no compliance level",
      { complianceLevel: undefined },
      "complianceLevel is UNSPECIFIED, below HIGH",
    ],
    [
      "approveAfterDays above the window",
      { approveAfterDays: 14 },
      "approveAfterDays is 14, more than 7",
    ],
    [
      "an approveUntilDate long past",
      { approveAfterDays: undefined, approveUntilDate: "2020-01-01" },
      "approveUntilDate 2020-01-01 is more than 7 days in the past",
    ],
    [
      "a malformed approveUntilDate",
      { approveAfterDays: undefined, approveUntilDate: "01/01/2020" },
      'approveUntilDate "01/01/2020" is not a YYYY-MM-DD date',
    ],
    [
      "neither approveAfterDays nor approveUntilDate",
      { approveAfterDays: undefined },
      "it sets neither approveAfterDays nor approveUntilDate",
    ],
    [
      "a classification filter without Security",
      { patchFilters: [{ key: "CLASSIFICATION", values: ["Bugfix", "Enhancement"] }] },
      "patch filter CLASSIFICATION selects Bugfix, Enhancement, not Security",
    ],
    [
      "a severity filter without Critical",
      { patchFilters: [{ key: "SEVERITY", values: ["Low"] }] },
      "patch filter SEVERITY selects Low, not Critical",
    ],
  ];
  for (const [what, change, reason] of cases) {
    it(`reports ${what}`, () => {
      const b = withRule(change);
      assert.deepEqual(evaluatePolicies([b]), [
        finding(policy, b, `${head()}rule 1: ${reason}. ${fixAl2023}`, "mandatory"),
      ]);
    });
  }

  it("accepts an approveUntilDate in the future and `*` filters", () => {
    const b = withRule({
      approveAfterDays: undefined,
      approveUntilDate: "2999-12-31",
      patchFilters: [{ key: "CLASSIFICATION", values: ["*"] }],
    });
    assert.deepEqual(only(b), []);
  });

  it("reports global filters that exclude what the rule selects", () => {
    const b = withRule({}, { globalFilters: [{ key: "SEVERITY", values: ["Low", "Medium"] }] });
    assert.deepEqual(only(b), [
      finding(
        policy,
        b,
        `${head()}rule 1: global filter SEVERITY selects Low, Medium, not Critical. ${fixAl2023}`,
        "mandatory",
      ),
    ]);
  });

  it("reports a baseline without approval rules", () => {
    const b = baseline("al2023", { approvalRules: [] });
    assert.deepEqual(only(b), [
      finding(policy, b, `${head()}it has no approval rules. ${fixAl2023}`, "mandatory"),
    ]);
  });

  it("passes when any one rule qualifies, and lists every rule when none does", () => {
    const good = baseline("al2023", {
      approvalRules: [{ ...securityRule(), complianceLevel: "LOW" }, securityRule()],
    });
    assert.deepEqual(only(good), []);
    const bad = baseline("al2023", {
      approvalRules: [
        { ...securityRule(), complianceLevel: "LOW", approveAfterDays: 30 },
        { ...securityRule(), approveAfterDays: 8 },
      ],
    });
    assert.deepEqual(only(bad), [
      finding(
        policy,
        bad,
        `${head()}rule 1: complianceLevel is LOW, below HIGH, approveAfterDays is 30, more than ` +
          `7; rule 2: approveAfterDays is 8, more than 7. ${fixAl2023}`,
        "mandatory",
      ),
    ]);
  });

  it("defaults the operating system to WINDOWS and applies its coverage", () => {
    const b = baseline("al2023", { operatingSystem: undefined });
    assert.deepEqual(only(b), [
      finding(
        policy,
        b,
        `${head("WINDOWS")}rule 1: patch filter CLASSIFICATION selects Security, not ` +
          "SecurityUpdates or CriticalUpdates. Fix: add an approval rule that selects " +
          "CLASSIFICATION SecurityUpdates or CriticalUpdates and MSRC_SEVERITY Critical with " +
          "approveAfterDays at most 7 and complianceLevel HIGH or above.",
        "mandatory",
      ),
    ]);
  });

  it("Ubuntu and Debian rules approve without a delay, as AWS documents, and pass", () => {
    // PatchRule.ApproveAfterDays/ApproveUntilDate: "Not supported for Debian Server or Ubuntu
    // Server." https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html
    for (const os of ["UBUNTU", "DEBIAN"]) {
      const ok = baseline("al2023", {
        operatingSystem: os,
        approvalRules: [
          {
            patchFilters: [{ key: "PRIORITY", values: ["Required", "Important"] }],
            complianceLevel: "CRITICAL",
          },
        ],
      });
      assert.deepEqual(only(ok), [], os);
      const low = baseline("al2023", {
        operatingSystem: os,
        approvalRules: [
          { patchFilters: [{ key: "PRIORITY", values: ["Required"] }], complianceLevel: "LOW" },
        ],
      });
      assert.match(
        only(low)[0]?.message ?? "",
        /rule 1: complianceLevel is LOW, below HIGH\. Fix: add an approval rule that selects PRIORITY Required or Important with complianceLevel HIGH or above\.$/,
      );
    }
  });

  it("takes its thresholds from config", () => {
    const b = withRule({ approveAfterDays: 14, complianceLevel: "MEDIUM" });
    const cfg = { maxApproveAfterDays: 14, minimumComplianceLevel: "MEDIUM" };
    // Set under both baseline policies, as the pack requires (see shared-thresholds.test.ts).
    const config = { [policy.name]: cfg, "patchfleet-instance-approved-baseline": cfg };
    assert.deepEqual(only(b, config), []);
    assert.equal(only(b).length, 1);
  });

  it("reports an unknown approval rule as advisory", () => {
    const b = withRule({ approveAfterDays: UNKNOWN });
    assert.deepEqual(only(b), [
      finding(
        policy,
        b,
        'Patch baseline "al2023" cannot be checked during preview: ' +
          "approvalRules[0].approveAfterDays is not known yet. It is checked again once the " +
          "value is known.",
        "advisory",
      ),
    ]);
  });

  it("judges approveUntilDate against the clock it is given", () => {
    const cfg = { maxApproveAfterDays: 7, minimumComplianceLevel: "HIGH" as const };
    const b = withRule({ approveAfterDays: undefined, approveUntilDate: "2026-01-10" });
    assert.deepEqual(judgeBaseline(b.props, cfg, Date.UTC(2026, 0, 17)), { kind: "ok" });
    assert.deepEqual(judgeBaseline(b.props, cfg, Date.UTC(2026, 0, 17, 0, 0, 1)), {
      kind: "fail",
      reason: "rule 1: approveUntilDate 2026-01-10 is more than 7 days in the past",
    });
  });
});

describe("policy patchfleet-baseline-rejected-patches-blocked", () => {
  it("is an advisory resource policy with a one-sentence description", () => {
    assert.equal(rejected.name, "patchfleet-baseline-rejected-patches-blocked");
    assert.equal(
      rejected.description,
      "Patch baselines block rejected patches outright instead of allowing them as dependencies.",
    );
    assert.equal(rejected.enforcementLevel, "advisory");
    assert.deepEqual(Object.keys(rejected), [
      "name",
      "description",
      "enforcementLevel",
      "validateResource",
    ]);
  });

  it("accepts BLOCK, and no rejected patches at all", () => {
    assert.deepEqual(evaluatePolicies([baseline()]), []);
    const none = baseline("al2023", { rejectedPatches: [], rejectedPatchesAction: undefined });
    assert.deepEqual(evaluatePolicies([none]), []);
  });

  it("reports ALLOW_AS_DEPENDENCY", () => {
    const b = baseline("al2023", { rejectedPatchesAction: "ALLOW_AS_DEPENDENCY" });
    assert.deepEqual(evaluatePolicies([b]), [
      finding(
        rejected,
        b,
        'Patch baseline "al2023" rejects 1 patch but its rejectedPatchesAction is ' +
          '"ALLOW_AS_DEPENDENCY", so a rejected patch is still installed when another package ' +
          'depends on it. Fix: set rejectedPatchesAction to "BLOCK".',
        "advisory",
      ),
    ]);
  });

  it("reports an unset action, which SSM treats as ALLOW_AS_DEPENDENCY", () => {
    const b = baseline("al2023", { rejectedPatches: ["a", "b"], rejectedPatchesAction: undefined });
    assert.deepEqual(evaluatePolicies([b]), [
      finding(
        rejected,
        b,
        'Patch baseline "al2023" rejects 2 patches but its rejectedPatchesAction is unset (SSM ' +
          "default ALLOW_AS_DEPENDENCY), so a rejected patch is still installed when another " +
          'package depends on it. Fix: set rejectedPatchesAction to "BLOCK".',
        "advisory",
      ),
    ]);
  });

  it("reports an unknown action as advisory and blocks when made mandatory", () => {
    const b = baseline("al2023", { rejectedPatchesAction: UNKNOWN });
    assert.deepEqual(
      evaluatePolicies([b]).map((v) => v.message.split("\n")[1]),
      [
        'Patch baseline "al2023" cannot be checked during preview: rejectedPatchesAction is not ' +
          "known yet. It is checked again once the value is known.",
      ],
    );
    const allow = baseline("al2023", { rejectedPatchesAction: "ALLOW_AS_DEPENDENCY" });
    const vs = evaluatePolicies([allow], { [rejected.name]: "mandatory" });
    assert.deepEqual(
      vs.map((v) => [v.policy, v.enforcementLevel]),
      [[rejected.name, "mandatory"]],
    );
  });
});
