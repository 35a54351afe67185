import { strict as assert } from "assert";
import {
  administrationPermissions,
  administrationTrustPolicy,
  executionPermissions,
  executionTrustPolicy,
  maintenanceWindowPermissions,
  maintenanceWindowTrustPolicy,
} from "../../components/iam-policies";
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
      "Every IAM trust statement for ssm.amazonaws.com is limited to named accounts by " +
        "aws:SourceAccount and aws:SourceArn conditions.",
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

  it("accepts several account ids, ArnEquals and StringLike without wildcards", () => {
    const r = role({
      Statement: ssmStatement({
        Condition: {
          StringLike: { "aws:SourceAccount": ["111122223333", "444455556666"] },
          ArnEquals: {
            "aws:SourceArn": [
              "arn:aws:ssm:eu-west-1:111122223333:automation-execution/abc",
              "arn:aws:ssm:eu-west-1:444455556666:automation-execution/abc",
            ],
          },
        },
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  it("accepts a statement where one of several entries for a key scopes it", () => {
    const r = role({
      Statement: ssmStatement({
        Condition: {
          StringEquals: {
            "aws:SourceAccount": "111122223333",
            "aws:SourceArn": "arn:aws:ssm:us-east-1:111122223333:maintenancewindow/mw-1",
          },
          StringNotEquals: { "aws:SourceAccount": "999988887777" },
        },
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  const scoped = (condition: Record<string, unknown>) =>
    role(JSON.stringify({ Statement: [ssmStatement({ Sid: "Ssm", Condition: condition })] }));
  const notScoped = (r: ReturnType<typeof role>, label: string, problems: string) =>
    finding(
      trust,
      r,
      `Role "automation" trusts ssm.amazonaws.com in assumeRolePolicy ${label} without scoping ` +
        `it to an account: ${problems}. ${trustFix}`,
      "mandatory",
    );
  const arn = { ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:111122223333:automation-execution/*" } };
  const account = { StringEquals: { "aws:SourceAccount": "111122223333" } };

  it("reports a statement without aws:SourceArn", () => {
    const r = scoped(account);
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(r, 'statement "Ssm"', "it has no aws:SourceArn condition"),
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
      notScoped(
        r,
        "statement 2",
        "it has no aws:SourceAccount condition; it has no aws:SourceArn condition",
      ),
    ]);
  });

  it("reports keys that are present but only match everything (StringLike *)", () => {
    const r = scoped({ StringLike: { "aws:SourceAccount": "*", "aws:SourceArn": "*" } });
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(
        r,
        'statement "Ssm"',
        'aws:SourceAccount under StringLike: "*" is not a 12-digit account id; aws:SourceArn ' +
          'under StringLike: "*" is not an ARN with a 12-digit account id',
      ),
    ]);
  });

  it("reports an account id with a wildcard, and a list that includes one", () => {
    const r = scoped({ StringLike: { "aws:SourceAccount": "1111*" }, ...arn });
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(
        r,
        'statement "Ssm"',
        'aws:SourceAccount under StringLike: "1111*" is not a 12-digit account id',
      ),
    ]);
    const list = scoped({ StringEquals: { "aws:SourceAccount": ["111122223333", "*"] }, ...arn });
    assert.deepEqual(evaluatePolicies([list]), [
      notScoped(
        list,
        'statement "Ssm"',
        'aws:SourceAccount under StringEquals: "*" is not a 12-digit account id',
      ),
    ]);
  });

  it("reports a SourceArn whose account field is a wildcard", () => {
    const r = scoped({
      ...account,
      ArnLike: { "aws:SourceArn": "arn:aws:ssm:*:*:automation-execution/*" },
    });
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(
        r,
        'statement "Ssm"',
        'aws:SourceArn under ArnLike: "arn:aws:ssm:*:*:automation-execution/*" has "*" in its ' +
          "account field, not a 12-digit account id",
      ),
    ]);
  });

  it("reports IfExists variants, negated operators and set operators as not scoping", () => {
    const r = scoped({
      StringEqualsIfExists: { "aws:SourceAccount": "111122223333" },
      StringNotEquals: { "AWS:SourceAccount": "999988887777" },
      "ForAnyValue:ArnLike": {
        "aws:SourceArn": "arn:aws:ssm:*:111122223333:automation-execution/*",
      },
      ArnNotLike: { "aws:SourceArn": "arn:aws:ssm:*:999988887777:*" },
    });
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(
        r,
        'statement "Ssm"',
        "aws:SourceAccount is under StringEqualsIfExists, which also matches when the key is " +
          "absent, aws:SourceAccount is under StringNotEquals, a negated operator; " +
          "aws:SourceArn is under ForAnyValue:ArnLike, a set operator for multivalued keys, " +
          "aws:SourceArn is under ArnNotLike, a negated operator",
      ),
    ]);
  });

  it("reports a key under an operator that does not compare it, and an empty value list", () => {
    const r = scoped({ Null: { "aws:SourceAccount": "false" }, ArnLike: { "aws:SourceArn": [] } });
    assert.deepEqual(evaluatePolicies([r]), [
      notScoped(
        r,
        'statement "Ssm"',
        "aws:SourceAccount is under Null, which does not compare it to an account; " +
          "aws:SourceArn under ArnLike lists no value",
      ),
    ]);
  });

  it("reports an unknown condition value as advisory", () => {
    const r = role({
      Statement: ssmStatement({
        Condition: { StringEquals: { "aws:SourceAccount": UNKNOWN }, ...arn },
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        trust,
        r,
        `Role "automation" cannot be checked during preview: the Condition of assumeRolePolicy ` +
          `statement 1${unknownTail}`,
        "advisory",
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
      "No IAM role inline policy or managed policy allows iam:PassRole on every role or to every " +
        "service.",
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

  const passFinding = (r: ReturnType<typeof resource>, text: string) =>
    finding(passRole, r, text, "mandatory");
  const serviceFix =
    'so the roles it covers can be passed to any service. Fix: add "StringEquals": ' +
    '{"iam:PassedToService": "ssm.amazonaws.com"} (the service the roles are for).';
  const managed = (statement: Record<string, unknown>) =>
    resource(T.policy, "operators", { policy: { Statement: [statement] } });
  const toSsm = { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } };

  it("reports iam:* on a list containing * in a role policy, and the missing service limit", () => {
    const r = resource(T.rolePolicy, "extra", {
      role: "automation",
      policy: {
        Statement: { Effect: "Allow", Action: ["s3:GetObject", "IAM:*"], Resource: ["arn:x", "*"] },
      },
    });
    assert.deepEqual(evaluatePolicies([r]), [
      passFinding(
        r,
        'Role policy "extra" allows iam:PassRole on "*" in policy statement 1 (through action ' +
          `"IAM:*"), ${passFix}`,
      ),
      passFinding(
        r,
        'Role policy "extra" allows iam:PassRole in policy statement 1 (through action "IAM:*") ' +
          `without an iam:PassedToService condition, ${serviceFix}`,
      ),
    ]);
  });

  for (const wide of [
    "arn:aws:iam::*:role/*",
    "arn:*:iam::*:role/*",
    "arn:aws:iam::123456789012:role/*",
    "arn:aws:iam::123456789012:*",
    "arn:aws:iam::123456789012:role/**",
    "arn:aws:*",
    "role/*",
  ]) {
    it(`reports PassRole on ${wide}, which names no role`, () => {
      const r = managed({
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: wide,
        Condition: toSsm,
      });
      assert.deepEqual(evaluatePolicies([r]), [
        passFinding(
          r,
          `IAM policy "operators" allows iam:PassRole on ${JSON.stringify(wide)} in policy ` +
            `statement 1 (through action "iam:PassRole"), ${passFix}`,
        ),
      ]);
    });
  }

  it("accepts a role-name prefix and a role path as limits", () => {
    const r = managed({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: [
        "arn:aws:iam::123456789012:role/patchfleet-*",
        "arn:aws:iam::123456789012:role/service-role/*",
      ],
      Condition: toSsm,
    });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  it("reports the * action on every role, listing each wildcard resource", () => {
    const r = managed({
      Sid: "Admin",
      Effect: "Allow",
      Action: "*",
      Resource: ["arn:aws:iam::123456789012:role/patch", "arn:aws:iam::*:role/*", "*"],
      Condition: toSsm,
    });
    assert.deepEqual(evaluatePolicies([r]), [
      passFinding(
        r,
        'IAM policy "operators" allows iam:PassRole on "arn:aws:iam::*:role/*", "*" in policy ' +
          `statement "Admin" (through action "*"), ${passFix}`,
      ),
    ]);
  });

  it("reports NotAction and NotResource grants in a managed policy", () => {
    const r = resource(T.policy, "operators", {
      policy: JSON.stringify({
        Statement: [
          {
            Sid: "Broad",
            Effect: "Allow",
            NotAction: "s3:*",
            NotResource: "arn:aws:s3:::x",
            Condition: toSsm,
          },
          { Effect: "Allow", NotAction: "iam:*", Resource: "*" },
        ],
      }),
    });
    assert.deepEqual(evaluatePolicies([r]), [
      passFinding(
        r,
        'IAM policy "operators" allows iam:PassRole on every resource outside NotResource in ' +
          `policy statement "Broad" (through NotAction), ${passFix}`,
      ),
    ]);
  });

  it("reports a PassRole on a named role without iam:PassedToService (role inline policy)", () => {
    const r = role(compliantStack().role.props.assumeRolePolicy, [
      {
        name: "pass",
        policy: {
          Statement: {
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: "arn:aws:iam::111122223333:role/patch",
          },
        },
      },
    ]);
    assert.deepEqual(evaluatePolicies([r]), [
      passFinding(
        r,
        'Role "automation" allows iam:PassRole in inline policy "pass" statement 1 (through ' +
          `action "iam:PassRole") without an iam:PassedToService condition, ${serviceFix}`,
      ),
    ]);
  });

  it("reports iam:PassedToService conditions that do not limit the service", () => {
    const statement = (Condition: Record<string, unknown>) => ({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::111122223333:role/patch",
      Condition,
    });
    const cases: [Record<string, unknown>, string][] = [
      [
        { StringLike: { "iam:passedtoservice": "*" } },
        'StringLike "*", which matches every service',
      ],
      [
        { StringNotEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
        "StringNotEquals, which does not limit the service",
      ],
      [
        {
          StringEqualsIfExists: { "iam:PassedToService": "ssm.amazonaws.com" },
          StringEquals: { "iam:PassedToService": [] },
        },
        "StringEqualsIfExists, which does not limit the service and StringEquals with no value",
      ],
    ];
    for (const [condition, why] of cases) {
      const r = managed(statement(condition));
      assert.deepEqual(evaluatePolicies([r]), [
        passFinding(
          r,
          'IAM policy "operators" allows iam:PassRole in policy statement 1 (through action ' +
            `"iam:PassRole") with iam:PassedToService only under ${why}, ${serviceFix}`,
        ),
      ]);
    }
  });

  it("accepts iam:PassedToService under StringLike with a named service", () => {
    const r = managed({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::111122223333:role/patch",
      Condition: { StringLike: { "IAM:PassedToService": ["ssm.amazonaws.com", "ec2.*"] } },
    });
    assert.deepEqual(evaluatePolicies([r]), []);
  });

  it("reports unknown Resource or Condition values as advisory", () => {
    const r = managed({ Effect: "Allow", Action: "iam:PassRole", Resource: UNKNOWN });
    assert.deepEqual(evaluatePolicies([r]), [
      finding(
        passRole,
        r,
        `IAM policy "operators" cannot be checked during preview: the Resource or Condition of ` +
          `policy statement 1${unknownTail}`,
        "advisory",
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

describe("the topology's own automation roles under the IAM policies", () => {
  it("pass both IAM policies with no finding", () => {
    const partition = "aws";
    const account = "111122223333";
    const execution = resource(T.role, "execution", {
      assumeRolePolicy: JSON.stringify(
        executionTrustPolicy(partition, account, `arn:aws:iam::444455556666:role/admin`),
      ),
      inlinePolicies: [
        {
          name: "patching",
          policy: JSON.stringify(
            executionPermissions({
              partition,
              accountId: account,
              executionRoleName: "patchfleet-execution",
              resourceGroupName: "patchfleet-targets",
              logBucketName: "patch-logs",
              regions: ["eu-west-1", "us-east-1"],
              centralAccountId: "444455556666",
              runbookName: "patchfleet-patch",
            }),
          ),
        },
      ],
    });
    const admin = resource(T.role, "administration", {
      assumeRolePolicy: JSON.stringify(administrationTrustPolicy(partition, "444455556666")),
      inlinePolicies: [
        {
          name: "assume",
          policy: JSON.stringify(administrationPermissions(partition, "patchfleet-execution")),
        },
      ],
    });
    const window = resource(T.role, "window", {
      assumeRolePolicy: JSON.stringify(maintenanceWindowTrustPolicy(partition, account)),
      inlinePolicies: [
        {
          name: "window",
          policy: JSON.stringify(maintenanceWindowPermissions(partition, account, "targets")),
        },
      ],
    });
    assert.deepEqual(
      evaluatePolicies([execution, admin, window], {}, { policies: [trust, passRole] }),
      [],
    );
  });
});
