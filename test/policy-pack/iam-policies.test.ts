import { strict as assert } from "assert";
import { UNKNOWN, evaluatePolicies } from "../../policy-pack/evaluate";
import { iamPatternMatches } from "../../policy-pack/iam";
import {
  iamNoWildcardPassRole as passRole,
  iamSsmTrustScoped as trust,
} from "../../policy-pack/policies";
import { T, compliantStack, finding, passRolePolicy, resource } from "./fixtures";

const unknownTail = " is not known yet. It is checked again once the value is known.";
const trustFix =
  'Fix: add "StringEquals": {"aws:SourceAccount": "<account id>"} and "ArnLike": ' +
  '{"aws:SourceArn": "arn:<partition>:ssm:*:<account id>:automation-execution/*"}.';
const passFix =
  "so it can hand any role in the account to a service. Fix: limit Resource to the ARNs of the " +
  "roles patching passes and add an iam:PassedToService condition.";

function role(assumeRolePolicy: unknown, inlinePolicies: unknown[] = []) {
  return resource(T.role, "automation", { assumeRolePolicy, inlinePolicies });
}
const ssmStatement = (extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Principal: { Service: ["ec2.amazonaws.com", "ssm.amazonaws.com"] },
  Action: "sts:AssumeRole",
  ...extra,
});

describe("policy patchfleet-iam-ssm-trust-scoped", () => {
  it("is a mandatory resource policy with a one-sentence description", () => {
    assert.equal(trust.name, "patchfleet-iam-ssm-trust-scoped");
    assert.equal(
      trust.description,
      "Every IAM trust statement for ssm.amazonaws.com carries aws:SourceAccount and " +
        "aws:SourceArn conditions.",
    );
    assert.equal(trust.enforcementLevel, "mandatory");
    assert.deepEqual(Object.keys(trust), [
      "name",
      "description",
      "enforcementLevel",
      "validateResource",
    ]);
  });

  it("accepts the compliant role (JSON string document)", () => {
    const s = compliantStack();
    assert.deepEqual(evaluatePolicies([s.role]), []);
  });

  it("accepts an object document with lower-case condition keys", () => {
    const r = role({
      Statement: ssmStatement({
        Condition: {
          StringEquals: { "aws:sourceaccount": "111122223333" },
          ArnLike: { "AWS:SOURCEARN": "arn:aws:ssm:*:111122223333:automation-execution/*" },
        },
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  it("reports a statement without aws:SourceArn", () => {
    const r = role(
      JSON.stringify({
        Statement: [
          ssmStatement({ Sid: "Ssm", Condition: { StringEquals: { "aws:SourceAccount": "1" } } }),
        ],
      }),
    );
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        trust,
        r,
        'Role "automation" trusts ssm.amazonaws.com in assumeRolePolicy statement "Ssm" without ' +
          `aws:SourceArn condition. ${trustFix}`,
        "mandatory",
      ),
    ]);
  });

  it("reports a statement without any condition, and a wildcard principal", () => {
    const r = role({
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
      ],
    });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        trust,
        r,
        'Role "automation" trusts ssm.amazonaws.com in assumeRolePolicy statement 2 without ' +
          `aws:SourceAccount and aws:SourceArn conditions. ${trustFix}`,
        "mandatory",
      ),
    ]);
  });

  it("ignores Deny statements", () => {
    const r = role({ Statement: [ssmStatement({ Effect: "Deny" })] });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  it("reports a document that is not JSON", () => {
    const r = role("{not json");
    const vs = evaluatePolicies([r]);
    assert.equal(vs.length, 1);
    assert.match(
      vs[0].message,
      /^Every IAM trust statement .*\nRole "automation" has an assumeRolePolicy that cannot be read: it is not valid JSON \(.+\)\.$/s,
    );
  });

  it("reports an unknown document as advisory", () => {
    const r = role(UNKNOWN);
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        trust,
        r,
        `Role "automation" cannot be checked during preview: its assumeRolePolicy${unknownTail}`,
        "advisory",
      ),
    ]);
  });
});

describe("policy patchfleet-iam-no-wildcard-passrole", () => {
  it("is a mandatory resource policy with a one-sentence description", () => {
    assert.equal(passRole.name, "patchfleet-iam-no-wildcard-passrole");
    assert.equal(
      passRole.description,
      "No IAM role inline policy or managed policy allows iam:PassRole on every resource.",
    );
    assert.equal(passRole.enforcementLevel, "mandatory");
    assert.deepEqual(Object.keys(passRole), [
      "name",
      "description",
      "enforcementLevel",
      "validateResource",
    ]);
  });

  it("accepts PassRole on a named role (role, role policy, managed policy)", () => {
    const s = compliantStack();
    assert.deepEqual(evaluatePolicies([s.role, s.rolePolicy, s.policy]), []);
  });

  it("reports PassRole on * in a role's inline policy", () => {
    const s = compliantStack();
    const r = s.role;
    r.props.inlinePolicies = [{ name: "pass", policy: passRolePolicy("*") }];
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        passRole,
        r,
        'Role "automation" allows iam:PassRole on "*" in inline policy "pass" statement 1 ' +
          `(through action "iam:PassRole"), ${passFix}`,
        "mandatory",
      ),
    ]);
  });

  it("reports iam:* on a list containing * in a role policy", () => {
    const r = resource(T.rolePolicy, "extra", {
      role: "automation",
      policy: {
        Statement: { Effect: "Allow", Action: ["s3:GetObject", "IAM:*"], Resource: ["arn:x", "*"] },
      },
    });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        passRole,
        r,
        'Role policy "extra" allows iam:PassRole on "*" in policy statement 1 (through action ' +
          `"IAM:*"), ${passFix}`,
        "mandatory",
      ),
    ]);
  });

  it("reports NotAction and NotResource grants in a managed policy", () => {
    const r = resource(T.policy, "operators", {
      policy: JSON.stringify({
        Statement: [
          { Sid: "Broad", Effect: "Allow", NotAction: "s3:*", NotResource: "arn:aws:s3:::x" },
          { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
        ],
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        passRole,
        r,
        'IAM policy "operators" allows iam:PassRole on every resource outside NotResource in ' +
          `policy statement "Broad" (through NotAction), ${passFix}`,
        "mandatory",
      ),
    ]);
  });

  it("reports an unknown inline policy as advisory", () => {
    const r = resource(T.role, "automation", {
      assumeRolePolicy: compliantStack().role.props.assumeRolePolicy,
      inlinePolicies: [{ name: "pass", policy: UNKNOWN }],
    });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        passRole,
        r,
        `Role "automation" cannot be checked during preview: its inline policy "pass"${unknownTail}`,
        "advisory",
      ),
    ]);
  });

  it("matches IAM wildcards case-insensitively", () => {
    assert.equal(iamPatternMatches("iam:Pass*", "iam:PassRole"), true);
    assert.equal(iamPatternMatches("iam:?assRole", "IAM:PASSROLE"), true);
    assert.equal(iamPatternMatches("iam:Pass", "iam:PassRole"), false);
    assert.equal(iamPatternMatches("iam:Get*", "iam:PassRole"), false);
  });
});
