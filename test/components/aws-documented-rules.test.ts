/**
 * What AWS documents about patch rules, filter groups and schedules, checked against patchfleet's
 * validation. Every expected value comes from the page or botocore model shape cited beside it.
 */
import { strict as assert } from "assert";
import { FleetError, parseFleet } from "../../automation/fleet/parse-fleet";
import { centralAccountConfig } from "../../automation/stacks/topology-config";
import {
  checkScheduleExpression,
  parseAccountConfig,
  parseMaintenanceWindow,
  parsePatchGroups,
  type ConfigIssue,
} from "../../components/config";
import { member, shape, valueProblems } from "../aws-models";
import { issuesOf, rawCentral, rawMember } from "./fixtures";

function groupIssues(groups: Record<string, unknown>): string[] {
  const issues: ConfigIssue[] = [];
  parsePatchGroups(groups, "patchGroups", issues);
  return issues.map((i) => `${i.path}: ${i.message}`);
}

const PRIORITY_RULE = { patchFilters: [{ key: "PRIORITY", values: ["Required", "Important"] }] };

describe("approval rules per operating system (API_PatchRule.html)", () => {
  // PatchRule.ApproveAfterDays and .ApproveUntilDate: "Not supported for Debian Server or Ubuntu
  // Server." https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html
  for (const os of ["UBUNTU", "DEBIAN"]) {
    it(`${os}: a rule without approveAfterDays/approveUntilDate is valid`, () => {
      assert.deepEqual(
        groupIssues({ g: { operatingSystem: os, approvalRules: [PRIORITY_RULE] } }),
        [],
      );
    });
    it(`${os}: approveAfterDays and approveUntilDate are refused, each by its path`, () => {
      assert.deepEqual(
        groupIssues({
          g: {
            operatingSystem: os,
            approvalRules: [
              { ...PRIORITY_RULE, approveAfterDays: 7 },
              { ...PRIORITY_RULE, approveUntilDate: "2026-01-31" },
            ],
          },
        }),
        [
          `patchGroups.g.approvalRules[0].approveAfterDays: is not supported for ${os} approval rules; remove it (the rule approves what its filters match)`,
          `patchGroups.g.approvalRules[1].approveUntilDate: is not supported for ${os} approval rules; remove it (the rule approves what its filters match)`,
        ],
      );
    });
  }

  // Every other OS: "your request must include a value for either ApproveAfterDays or
  // ApproveUntilDate" (same page). RASPBIAN is not named by the page, so the general rule applies.
  for (const os of ["AMAZON_LINUX_2023", "WINDOWS", "RASPBIAN"]) {
    it(`${os}: a rule needs approveAfterDays or approveUntilDate`, () => {
      const filters =
        os === "WINDOWS"
          ? [{ key: "MSRC_SEVERITY", values: ["Critical"] }]
          : os === "RASPBIAN"
            ? PRIORITY_RULE.patchFilters
            : [{ key: "CLASSIFICATION", values: ["Security"] }];
      assert.deepEqual(
        groupIssues({ g: { operatingSystem: os, approvalRules: [{ patchFilters: filters }] } }),
        [
          "patchGroups.g.approvalRules[0]: needs approveAfterDays (0–360) or approveUntilDate (YYYY-MM-DD)",
        ],
      );
    });
  }

  it("the stack config and the component guard share the per-OS rule", () => {
    const raw = rawCentral();
    (raw.patchGroups as Record<string, unknown>).deb = {
      operatingSystem: "DEBIAN",
      approvalRules: [{ ...PRIORITY_RULE, approveAfterDays: 0 }],
    };
    assert.deepEqual(issuesOf(raw), [
      "patchGroups.deb.approvalRules[0].approveAfterDays: is not supported for DEBIAN approval rules; remove it (the rule approves what its filters match)",
    ]);
  });
});

describe("patch filter groups hold at most 4 filters (botocore ssm PatchFilterGroup)", () => {
  // botocore ssm model: PatchFilterGroup.PatchFilters → PatchFilterList { max: 4 }.
  it("the model says 4", () => {
    assert.equal(member("ssm", "PatchFilterGroup", "PatchFilters").max, 4);
  });

  const five = [
    { key: "PRODUCT", values: ["*"] },
    { key: "CLASSIFICATION", values: ["Security"] },
    { key: "SEVERITY", values: ["Critical"] },
    { key: "PRODUCT", values: ["AmazonLinux2023"] },
    { key: "CLASSIFICATION", values: ["Bugfix"] },
  ];

  it("a fifth filter in a rule or in globalFilters is refused up front", () => {
    const issues = groupIssues({
      g: {
        operatingSystem: "AMAZON_LINUX_2023",
        approvalRules: [{ patchFilters: five, approveAfterDays: 7 }],
        globalFilters: five,
      },
    });
    const message =
      "has 5 filters; a patch filter group holds at most 4 (one per key), so drop or merge filters";
    assert.ok(
      issues.includes(`patchGroups.g.approvalRules[0].patchFilters: ${message}`),
      issues.join("\n"),
    );
    assert.ok(issues.includes(`patchGroups.g.globalFilters: ${message}`), issues.join("\n"));
    // And AWS's model refuses the same group.
    assert.deepEqual(
      valueProblems("ssm", "PatchFilterGroup", {
        PatchFilters: five.map((f) => ({ Key: f.key, Values: f.values })),
      }),
      ["PatchFilterGroup.PatchFilters: must have at most 4 item(s), got 5"],
    );
  });
});

describe("schedule expressions (Reference: Cron and rate expressions for Systems Manager)", () => {
  // https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
  it("rate: singular unit for 1, plural otherwise", () => {
    // "rate(1 hours) and rate(5 hour) are not valid, but rate(1 hour) and rate(5 hours) are valid"
    assert.equal(checkScheduleExpression("rate(1 hour)"), undefined);
    assert.equal(checkScheduleExpression("rate(5 hours)"), undefined);
    assert.equal(checkScheduleExpression("rate(30 minutes)"), undefined);
    assert.equal(checkScheduleExpression("rate(25 days)"), undefined);
    assert.equal(
      checkScheduleExpression("rate(1 hours)"),
      'rate(1 ...) takes a singular unit: write rate(1 hour), got "rate(1 hours)"',
    );
    assert.equal(
      checkScheduleExpression("rate(5 hour)"),
      'rate(5 ...) takes a plural unit: write rate(5 hours), got "rate(5 hour)"',
    );
  });

  it("maintenance windows take 6-field cron, and 7-field cron with a seconds field", () => {
    // The page's maintenance-window examples: cron(30 09 ? * * *) and cron(24 30 09 ? * * *),
    // "Zero (0) is not supported in the seconds field".
    for (const expr of [
      "cron(30 09 ? * * *)",
      "cron(24 30 09 ? * * *)",
      "cron(0 2 ? * THU#3 *)",
      "cron(15 10 ? * MON-FRI *)",
      "cron(0 2 L * ? *)",
      "cron(15 10 ? * 6L *)",
      "cron(0/5 8-17 ? * MON-FRI *)",
    ]) {
      assert.equal(checkScheduleExpression(expr), undefined, expr);
    }
    assert.match(
      checkScheduleExpression("cron(0 30 09 ? * * *)") ?? "",
      /^the seconds field \(the first of 7\) must be one second 1–59 for maintenance windows \(0 is not supported\), got "0"/,
    );
  });

  it("at(...) runs once at a timestamp", () => {
    // "at(2020-07-07T15:55:00)" (Single-run schedules).
    assert.equal(checkScheduleExpression("at(2020-07-07T15:55:00)"), undefined);
    assert.equal(
      checkScheduleExpression("at(2020-02-30T15:55:00)"),
      'at(...) needs a real time yyyy-mm-ddThh:mm:ss, e.g. at(2026-07-07T15:55:00), got "at(2020-02-30T15:55:00)"',
    );
  });

  it("no cron faster than every 5 minutes", () => {
    // "Cron expressions that lead to rates faster than five (5) minute are not supported."
    assert.equal(checkScheduleExpression("cron(0/5 * * * ? *)"), undefined);
    assert.equal(checkScheduleExpression("cron(0/15 * * * ? *)"), undefined);
    assert.equal(
      checkScheduleExpression("cron(0/2 * * * ? *)"),
      'runs every 2 minutes in "cron(0/2 * * * ? *)"; Systems Manager does not support cron schedules faster than every 5 minutes, so space the minutes at least 5 apart (e.g. 0/5)',
    );
    // Across the hour: minute 58 and minute 1 of the next hour are 3 minutes apart.
    assert.match(checkScheduleExpression("cron(1,58 * * * ? *)") ?? "", /^runs every 3 minutes/);
    // A list inside one hour only, far apart from the next hour's runs: fine.
    assert.equal(checkScheduleExpression("cron(0,30 2 * * ? *)"), undefined);
  });

  it("offsets only with cron; duration, cutoff and offset ranges match CreateMaintenanceWindow", () => {
    // botocore ssm model, CreateMaintenanceWindowRequest: Duration 1–24, Cutoff 0–23,
    // ScheduleOffset 1–6; "schedule offsets for cron expressions only" (the reference page).
    assert.deepEqual(
      [shape("ssm", "MaintenanceWindowDurationHours"), shape("ssm", "MaintenanceWindowCutoff")].map(
        (s) => [s.min, s.max],
      ),
      [
        [1, 24],
        [0, 23],
      ],
    );
    assert.deepEqual(
      [shape("ssm", "MaintenanceWindowOffset").min, shape("ssm", "MaintenanceWindowOffset").max],
      [1, 6],
    );
    const issues: ConfigIssue[] = [];
    const ok = parseMaintenanceWindow(
      { schedule: "at(2026-07-07T15:55:00)", durationHours: 24, cutoffHours: 23 },
      "w",
      issues,
    );
    assert.deepEqual(issues, []);
    assert.equal(ok?.schedule, "at(2026-07-07T15:55:00)");
    const refused: ConfigIssue[] = [];
    parseMaintenanceWindow(
      { schedule: "at(2026-07-07T15:55:00)", durationHours: 2, offsetDays: 2 },
      "w",
      refused,
    );
    parseMaintenanceWindow({ schedule: "cron(0 2 ? * SUN *)", durationHours: 25 }, "x", refused);
    assert.deepEqual(
      refused.map((i) => i.path),
      ["w.offsetDays", "x.durationHours"],
    );
  });
});

describe("fleet-size limits in the stack config and the fleet file", () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => String(500000000000 + i));

  it("memberAccountIds: 1,000 share one runbook; 1,001 pass SSM's default sharing quota", () => {
    // DocumentPermissionLimit: "By default, you can share a private document with a maximum of
    // 1,000 accounts" (botocore ssm model; API_ModifyDocumentPermission.html).
    const ok = rawCentral();
    ok.memberAccountIds = ids(1000);
    assert.equal(parseAccountConfig(ok).memberAccountIds.length, 1000);
    const over = rawCentral();
    over.memberAccountIds = ids(1001);
    assert.deepEqual(issuesOf(over), [
      "memberAccountIds: lists 1001 accounts, but SSM shares a document privately with at most 1000 accounts by default (DocumentPermissionLimit); split the fleet across central accounts, or ask AWS Support to raise the quota before deploying",
    ]);
  });

  it("organizationId: checked like AWS Organizations ids, central only", () => {
    // Organization Id pattern ^o-[a-z0-9]{10,32}$
    // (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html).
    const ok = rawCentral();
    ok.organizationId = "o-a1b2c3d4e5";
    assert.equal(parseAccountConfig(ok).organizationId, "o-a1b2c3d4e5");
    const bad = rawCentral();
    bad.organizationId = "O-123";
    assert.deepEqual(issuesOf(bad), [
      'organizationId: must be an AWS Organizations id like o-a1b2c3d4e5 (o- and 10–32 lowercase letters or digits), got "O-123"',
    ]);
    const member = rawMember();
    member.organizationId = "o-a1b2c3d4e5";
    assert.deepEqual(issuesOf(member), [
      "organizationId: is read by the central account only (its log bucket policy); remove it here",
    ]);
  });

  it("a fleet file with 1,001 members is refused with the quota, before any cloud call", () => {
    const members = ids(1001)
      .map((id) => `  - { account: "${id}", name: m${id}, regions: [us-east-1] }`)
      .join("\n");
    const text = [
      "central:",
      '  account: "111111111111"',
      "  regions: [us-east-1]",
      "members:",
      members,
      "patchGroups:",
      "  web:",
      "    operatingSystem: UBUNTU",
      "    approvalRules:",
      "      - patchFilters: [{ key: PRIORITY, values: [Required] }]",
    ].join("\n");
    assert.throws(
      () => parseFleet(text, "fleet.yaml"),
      (err: Error) =>
        err instanceof FleetError &&
        err.issues.length === 1 &&
        err.issues[0]?.path === "members" &&
        (err.issues[0]?.message.startsWith("lists 1001 accounts, but SSM shares a document") ??
          false),
    );
    // 1,000 members and an organization id: accepted, and the id reaches the central stack.
    const fleet = parseFleet(
      text.replace(/\n {2}- \{ account: "500000001000", [^}]*\}/, "") +
        "\norganizationId: o-a1b2c3d4e5",
      "fleet.yaml",
    );
    assert.equal(fleet.members.length, 1000);
    assert.equal(centralAccountConfig(fleet).organizationId, "o-a1b2c3d4e5");
  });
});
