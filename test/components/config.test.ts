import { strict as assert } from "assert";
import {
  ConfigError,
  STACK_CONFIG_KEYS,
  checkScheduleExpression,
  parseAccountConfig,
  parseMaintenanceWindow,
  parsePatchGroups,
  stackConfigToRaw,
  type ConfigIssue,
} from "../../components/config";
import {
  CENTRAL,
  MEMBER_A,
  MEMBER_B,
  exampleRaw,
  issuesOf,
  rawCentral,
  rawMember,
} from "./fixtures";

type Raw = Record<string, unknown>;
/** rawCentral() with one change applied. */
function central(change: (raw: Raw) => void): Raw {
  const raw = rawCentral();
  change(raw);
  return raw;
}
function webRule(raw: Raw): Raw {
  const groups = raw.patchGroups as Record<string, Raw>;
  return ((groups.web as Raw).approvalRules as Raw[])[0] as Raw;
}
function group(raw: Raw, name: string): Raw {
  return (raw.patchGroups as Record<string, Raw>)[name] as Raw;
}
const WINDOW = { schedule: "cron(0 2 ? * SUN *)", durationHours: 3 };

describe("parseAccountConfig: valid configs", () => {
  it("fills every default for a minimal central config", () => {
    const c = parseAccountConfig(rawCentral());
    assert.equal(c.role, "central");
    assert.equal(c.accountId, CENTRAL);
    assert.equal(c.centralAccountId, CENTRAL);
    assert.deepEqual(c.memberAccountIds, [MEMBER_A, MEMBER_B]);
    assert.deepEqual(c.regions, ["us-east-1"]);
    assert.deepEqual(c.resourceGroupTag, { key: "ssm-linuxpatching", value: "True" });
    assert.equal(c.resourceGroupName, "patchfleet-patch-targets");
    assert.equal(c.administrationRoleName, "AWS-SystemsManager-AutomationAdministrationRole");
    assert.equal(c.executionRoleName, "AWS-SystemsManager-AutomationExecutionRole");
    assert.equal(c.runbookName, "patchfleet-RunPatchBaseline");
    assert.equal(c.runbookMaxConcurrency, "10%");
    assert.equal(c.runbookMaxErrors, "5%");
    assert.equal(c.logBucketName, `patchfleet-patch-logs-${CENTRAL}`);
    assert.equal(c.logRetentionDays, 365);
    assert.deepEqual(c.maintenanceWindows, {});
    assert.deepEqual(c.tags, {});
    assert.equal(c.deployRoleArn, undefined);
    assert.deepEqual(c.patchGroups.web, {
      operatingSystem: "AMAZON_LINUX_2023",
      approvalRules: [
        {
          patchFilters: [
            { key: "CLASSIFICATION", values: ["Security"] },
            { key: "SEVERITY", values: ["Critical", "Important"] },
          ],
          approveAfterDays: 7,
          complianceLevel: "CRITICAL",
          enableNonSecurity: false,
        },
      ],
      globalFilters: [],
      approvedPatches: [],
      approvedPatchesComplianceLevel: "UNSPECIFIED",
      approvedPatchesEnableNonSecurity: false,
      rejectedPatches: [],
      rejectedPatchesAction: "BLOCK",
      sources: [],
      defaultForOperatingSystem: true,
    });
    assert.deepEqual(c.patchGroups.win?.approvalRules[0], {
      patchFilters: [{ key: "MSRC_SEVERITY", values: ["Critical"] }],
      approveUntilDate: "2026-02-28",
      complianceLevel: "UNSPECIFIED",
      enableNonSecurity: false,
    });
  });

  it("derives a member's log bucket from its central account", () => {
    const c = parseAccountConfig(rawMember());
    assert.equal(c.role, "member");
    assert.equal(c.accountId, MEMBER_A);
    assert.equal(c.centralAccountId, CENTRAL);
    assert.deepEqual(c.memberAccountIds, []);
    assert.equal(c.logBucketName, `patchfleet-patch-logs-${CENTRAL}`);
  });

  it("accepts Pulumi.example.yaml: two groups, AL2023 and Windows, two regions, both windows", () => {
    const c = parseAccountConfig(exampleRaw());
    assert.deepEqual(Object.keys(c.patchGroups), ["web", "windows-app"]);
    assert.equal(c.patchGroups.web?.operatingSystem, "AMAZON_LINUX_2023");
    assert.equal(c.patchGroups["windows-app"]?.operatingSystem, "WINDOWS");
    assert.deepEqual(c.regions, ["us-east-1", "eu-west-1"]);
    assert.deepEqual(c.maintenanceWindows.install, {
      schedule: "cron(0 3 ? * SUN *)",
      timezone: "Europe/Dublin",
      durationHours: 4,
      cutoffHours: 1,
      maxConcurrency: "10%",
      maxErrors: "5%",
      enabled: true,
    });
    assert.deepEqual(c.tags, { owner: "platform-team", "cost-center": "ops" });
  });

  it("documents exactly the keys parseAccountConfig accepts", () => {
    const documented = Object.keys(exampleRaw());
    const commentedOut = [
      "deployRoleArn",
      "centralAccountId",
      "organizationId",
      "notifications",
      "dataSyncBucketRegion",
      "dataSyncSharing",
    ];
    assert.deepEqual([...documented, ...commentedOut].sort(), [...STACK_CONFIG_KEYS].sort());
  });

  it("turns whole-number rate controls into strings and defaults cutoff to 1 hour", () => {
    const issues: ConfigIssue[] = [];
    const w = parseMaintenanceWindow(
      { schedule: "rate(7 days)", durationHours: 4, maxConcurrency: 5, maxErrors: 0 },
      "w",
      issues,
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(w, {
      schedule: "rate(7 days)",
      timezone: "UTC",
      durationHours: 4,
      cutoffHours: 1,
      maxConcurrency: "5",
      maxErrors: "0",
      enabled: true,
    });
  });
});

describe("parseAccountConfig: every rule reports its path and fix", () => {
  const cases: [string, (raw: Raw) => void, string[]][] = [
    [
      "approveAfterDays above 360",
      (r) => (webRule(r).approveAfterDays = 400),
      [
        "patchGroups.web.approvalRules[0].approveAfterDays: must be 0–360, got 400; use approveUntilDate for a fixed date",
      ],
    ],
    [
      "approveAfterDays not a whole number",
      (r) => (webRule(r).approveAfterDays = 1.5),
      ["patchGroups.web.approvalRules[0].approveAfterDays: must be a whole number 0–360, got 1.5"],
    ],
    [
      "approveAfterDays and approveUntilDate together",
      (r) => (webRule(r).approveUntilDate = "2026-01-01"),
      ["patchGroups.web.approvalRules[0]: set approveAfterDays or approveUntilDate, not both"],
    ],
    [
      "neither approveAfterDays nor approveUntilDate",
      (r) => delete webRule(r).approveAfterDays,
      [
        "patchGroups.web.approvalRules[0]: needs approveAfterDays (0–360) or approveUntilDate (YYYY-MM-DD)",
      ],
    ],
    [
      "approveUntilDate that is not a real date",
      (r) => {
        delete webRule(r).approveAfterDays;
        webRule(r).approveUntilDate = "2026-02-30";
      },
      [
        'patchGroups.web.approvalRules[0].approveUntilDate: must be a real date YYYY-MM-DD, got "2026-02-30"',
      ],
    ],
    [
      "a Linux filter key on Windows",
      (r) =>
        ((group(r, "win").approvalRules as Raw[])[0] = {
          patchFilters: [{ key: "SEVERITY", values: ["Critical"] }],
          approveAfterDays: 1,
        }),
      [
        'patchGroups.win.approvalRules[0].patchFilters[0].key: "SEVERITY" is not a filter key for WINDOWS; use one of PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY',
      ],
    ],
    [
      "a Windows classification on Amazon Linux",
      (r) => (webRule(r).patchFilters = [{ key: "CLASSIFICATION", values: ["SecurityUpdates"] }]),
      [
        'patchGroups.web.approvalRules[0].patchFilters[0].values[0]: "SecurityUpdates" is not a CLASSIFICATION value for AMAZON_LINUX_2023; use one of Security, Bugfix, Enhancement, Recommended, Newpackage or *',
      ],
    ],
    [
      "the same filter key twice",
      (r) =>
        (webRule(r).patchFilters = [
          { key: "SEVERITY", values: ["Critical"] },
          { key: "SEVERITY", values: ["Low"] },
        ]),
      [
        "patchGroups.web.approvalRules[0].patchFilters[1].key: SEVERITY appears twice in this filter list; put all its values in one filter",
      ],
    ],
    [
      "an empty filter value list",
      (r) => (webRule(r).patchFilters = [{ key: "SEVERITY", values: [] }]),
      [
        'patchGroups.web.approvalRules[0].patchFilters[0].values: must not be empty; use ["*"] for all values',
      ],
    ],
    [
      "a rule without filters",
      (r) => (webRule(r).patchFilters = []),
      [
        'patchGroups.web.approvalRules[0].patchFilters: needs at least one filter, e.g. {key: CLASSIFICATION, values: ["*"]}',
      ],
    ],
    [
      "an unknown compliance level",
      (r) => (webRule(r).complianceLevel = "SEVERE"),
      [
        'patchGroups.web.approvalRules[0].complianceLevel: must be one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNSPECIFIED, got "SEVERE"',
      ],
    ],
    [
      "an unknown rejectedPatchesAction",
      (r) => (group(r, "web").rejectedPatchesAction = "DENY"),
      [
        'patchGroups.web.rejectedPatchesAction: must be one of ALLOW_AS_DEPENDENCY, BLOCK, got "DENY"',
      ],
    ],
    [
      "sources on Windows",
      (r) => (group(r, "win").sources = [{ name: "repo", products: ["*"], configuration: "x" }]),
      [
        "patchGroups.win.sources: alternative patch sources apply to Linux only; remove them for WINDOWS",
      ],
    ],
    [
      "enableNonSecurity on Windows",
      (r) => (((group(r, "win").approvalRules as Raw[])[0] as Raw).enableNonSecurity = true),
      [
        "patchGroups.win.approvalRules[0].enableNonSecurity: applies to Linux baselines only; remove it for WINDOWS",
      ],
    ],
    [
      "an unknown operating system",
      (r) => (group(r, "web").operatingSystem = "AMAZON_LINUX_2025"),
      [
        'patchGroups.web.operatingSystem: must be one of WINDOWS, AMAZON_LINUX, AMAZON_LINUX_2, AMAZON_LINUX_2022, AMAZON_LINUX_2023, UBUNTU, REDHAT_ENTERPRISE_LINUX, SUSE, CENTOS, ORACLE_LINUX, DEBIAN, MACOS, RASPBIAN, ROCKY_LINUX, ALMA_LINUX, got "AMAZON_LINUX_2025"',
      ],
    ],
    [
      "two defaults for one operating system",
      (r) => {
        const groups = r.patchGroups as Record<string, Raw>;
        groups.api = { ...(groups.web as Raw) };
      },
      [
        "patchGroups.api.defaultForOperatingSystem: patch group web is already the default for AMAZON_LINUX_2023; only one group per operating system can be the default",
      ],
    ],
    [
      "an unknown key in a patch group",
      (r) => (group(r, "web").approvalRule = []),
      [
        "patchGroups.web.approvalRule: unknown key; known keys here: operatingSystem, description, approvalRules, globalFilters, approvedPatches, approvedPatchesComplianceLevel, approvedPatchesEnableNonSecurity, rejectedPatches, rejectedPatchesAction, sources, defaultForOperatingSystem",
      ],
    ],
    [
      "an unknown top-level key",
      (r) => (r.region = "us-east-1"),
      [`region: unknown key; known keys here: ${STACK_CONFIG_KEYS.join(", ")}`],
    ],
    [
      "a patch group name baselines cannot carry",
      (r) => ((r.patchGroups as Raw)["web servers"] = group(r, "win")),
      [
        "patchGroups.web servers: patch group names must be 1–100 characters of letters, digits, _ . -; rename it",
      ],
    ],
    [
      "an account id given as a number",
      (r) => (r.accountId = 111111111111),
      [
        'accountId: must be a 12-digit account id written as a quoted string, got the number 111111111111; quote it ("012345678901") so leading zeros survive',
      ],
    ],
    [
      "an account id with 11 digits",
      (r) => (r.memberAccountIds = ["22222222222"]),
      ['memberAccountIds[0]: must be a 12-digit account id, got "22222222222"'],
    ],
    [
      "a member listed twice",
      (r) => (r.memberAccountIds = [MEMBER_A, MEMBER_A]),
      [`memberAccountIds[1]: ${MEMBER_A} is listed twice; list each account once`],
    ],
    [
      "the central account listed as its own member",
      (r) => (r.memberAccountIds = [CENTRAL]),
      ["memberAccountIds[0]: is the central account itself; list only member accounts"],
    ],
    [
      "an unknown region",
      (r) => (r.regions = ["us-east-1", "us-north-1"]),
      [
        `regions[1]: "us-north-1" is not a region with Systems Manager; use one of ${[
          "us-east-1",
          "us-east-2",
          "us-west-1",
          "us-west-2",
          "af-south-1",
          "ap-east-1",
          "ap-east-2",
          "ap-south-1",
          "ap-south-2",
          "ap-southeast-1",
          "ap-southeast-2",
          "ap-southeast-3",
          "ap-southeast-4",
          "ap-southeast-5",
          "ap-southeast-7",
          "ap-northeast-1",
          "ap-northeast-2",
          "ap-northeast-3",
          "ca-central-1",
          "ca-west-1",
          "eu-central-1",
          "eu-central-2",
          "eu-west-1",
          "eu-west-2",
          "eu-west-3",
          "eu-south-1",
          "eu-south-2",
          "eu-north-1",
          "il-central-1",
          "me-south-1",
          "me-central-1",
          "mx-central-1",
          "sa-east-1",
          "us-gov-east-1",
          "us-gov-west-1",
          "cn-north-1",
          "cn-northwest-1",
        ].join(", ")}`,
      ],
    ],
    [
      "a duplicate region",
      (r) => (r.regions = ["us-east-1", "eu-west-1", "us-east-1"]),
      ["regions[2]: us-east-1 is listed twice; list each region once"],
    ],
    [
      "regions from two partitions",
      (r) => (r.regions = ["us-east-1", "us-gov-west-1"]),
      [
        "regions[1]: us-gov-west-1 is in partition aws-us-gov but the home region us-east-1 is in aws; one account's regions share a partition",
      ],
    ],
    [
      "no regions",
      (r) => (r.regions = []),
      ["regions: must be a non-empty list of region names, got a list"],
    ],
    [
      "an unknown role",
      (r) => (r.role = "admin"),
      ['role: must be central or member, got "admin"'],
    ],
    [
      "a central config whose centralAccountId differs",
      (r) => (r.centralAccountId = MEMBER_A),
      [
        `centralAccountId: must equal accountId (${CENTRAL}) for the central account, or be left out`,
      ],
    ],
    [
      "a deploy role in another account",
      (r) => (r.deployRoleArn = `arn:aws:iam::${MEMBER_A}:role/deploy`),
      [
        `deployRoleArn: is in account ${MEMBER_A} but accountId is ${CENTRAL}; use a role in the account being deployed`,
      ],
    ],
    [
      "a deploy role that is not a role ARN",
      (r) => (r.deployRoleArn = "deploy"),
      [
        'deployRoleArn: must be an IAM role ARN like arn:aws:iam::012345678901:role/deploy, got "deploy"',
      ],
    ],
    [
      "a bad schedule",
      (r) => (r.maintenanceWindows = { scan: { ...WINDOW, schedule: "cron(0 2 * * SUN *)" } }),
      [
        'maintenanceWindows.scan.schedule: exactly one of day-of-month and day-of-week must be "?" in "cron(0 2 * * SUN *)"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
      ],
    ],
    [
      "a window longer than 24 hours",
      (r) => (r.maintenanceWindows = { install: { ...WINDOW, durationHours: 25 } }),
      ["maintenanceWindows.install.durationHours: must be 1–24, got 25"],
    ],
    [
      "a cutoff not shorter than the window",
      (r) => (r.maintenanceWindows = { install: { ...WINDOW, cutoffHours: 3 } }),
      [
        "maintenanceWindows.install.cutoffHours: must be less than durationHours (3), got 3; tasks need time to start",
      ],
    ],
    [
      "a window without a duration",
      (r) => (r.maintenanceWindows = { scan: { schedule: "rate(1 day)" } }),
      ["maintenanceWindows.scan.durationHours: is required: the window length in hours, 1–24"],
    ],
    [
      "an unknown window",
      (r) => (r.maintenanceWindows = { patch: WINDOW }),
      ["maintenanceWindows.patch: unknown key; known keys here: scan, install"],
    ],
    [
      "an unknown time zone",
      (r) => (r.maintenanceWindows = { scan: { ...WINDOW, timezone: "Mars/Olympus" } }),
      [
        'maintenanceWindows.scan.timezone: must be an IANA time zone like "UTC" or "Europe/Berlin", got "Mars/Olympus"',
      ],
    ],
    [
      "an offset with a rate schedule",
      (r) =>
        (r.maintenanceWindows = { scan: { ...WINDOW, schedule: "rate(7 days)", offsetDays: 2 } }),
      [
        "maintenanceWindows.scan.offsetDays: works only with cron(...) schedules; remove it or use a cron schedule",
      ],
    ],
    [
      "max concurrency of 0%",
      (r) => (r.maintenanceWindows = { scan: { ...WINDOW, maxConcurrency: "0%" } }),
      [
        'maintenanceWindows.scan.maxConcurrency: must be a count of at least 1 ("10") or a percentage 1%–100% ("10%"), got "0%"',
      ],
    ],
    [
      "max errors of 101%",
      (r) => (r.runbookMaxErrors = "101%"),
      ['runbookMaxErrors: must be a count ("0", "3") or a percentage 0%–100% ("5%"), got "101%"'],
    ],
    [
      "a runbook name reserved for AWS",
      (r) => (r.runbookName = "AWS-PatchEverything"),
      [
        "runbookName: must not start with aws, amazon or amzn (reserved for AWS documents); rename it",
      ],
    ],
    [
      "an invalid bucket name",
      (r) => (r.logBucketName = "Patch_Logs"),
      [
        'logBucketName: must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, got "Patch_Logs"',
      ],
    ],
    [
      "a reserved tag key",
      (r) => (r.tags = { "aws:owner": "me" }),
      ["tags.aws:owner: tag keys must be 1–128 characters and must not start with aws:"],
    ],
    [
      "a role name IAM rejects",
      (r) => (r.executionRoleName = "patch role"),
      [
        'executionRoleName: must be an IAM role name: 1–64 letters, digits and +=,.@_-, got "patch role"',
      ],
    ],
  ];
  for (const [rule, change, expected] of cases) {
    it(`rejects ${rule}`, () => {
      assert.deepEqual(issuesOf(central(change)), expected);
    });
  }

  it("rejects a member without centralAccountId, and a member listing members", () => {
    const raw = rawMember();
    delete raw.centralAccountId;
    raw.memberAccountIds = [MEMBER_B];
    assert.deepEqual(issuesOf(raw), [
      "centralAccountId: is required for a member account: the 12-digit id of the central account",
      "memberAccountIds: only the central account lists member accounts; remove it here",
    ]);
  });

  it("reports every problem at once, in document order", () => {
    const raw = central((r) => {
      r.accountId = "1";
      r.regions = ["moon-1"];
      webRule(r).approveAfterDays = -1;
    });
    assert.deepEqual(issuesOf(raw), [
      'accountId: must be a 12-digit account id, got "1"',
      `regions[0]: "moon-1" is not a region with Systems Manager; use one of ${issuesOf({ ...rawCentral(), regions: ["x"] })[0]?.split("use one of ")[1]}`,
      "patchGroups.web.approvalRules[0].approveAfterDays: must be 0–360, got -1; use approveUntilDate for a fixed date",
    ]);
  });

  it("throws ConfigError whose message is one 'path: message' line per issue", () => {
    try {
      parseAccountConfig({ role: "central" });
      assert.fail("accepted an incomplete config");
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.name, "ConfigError");
      assert.equal(err.issues.length, 3);
      assert.equal(
        err.message,
        [
          'accountId: is required: the 12-digit id of this account, quoted ("012345678901")',
          'regions: is required: a list of regions, home region first, e.g. ["us-east-1", "eu-west-1"]',
          "patchGroups: is required: a map of patch group name → baseline (see Pulumi.example.yaml)",
        ].join("\n"),
      );
    }
  });

  it("rejects a document that is not a map", () => {
    assert.deepEqual(issuesOf(["role", "central"]), [
      "patchfleet: must be a map of settings (see Pulumi.example.yaml), got a list",
    ]);
  });
});

describe("parsePatchGroups for other parsers", () => {
  it("prefixes issue paths with the caller's path and returns what it could normalize", () => {
    const issues: ConfigIssue[] = [];
    const groups = parsePatchGroups(
      {
        ok: {
          operatingSystem: "UBUNTU",
          approvalRules: [
            // No approval delay: "Not supported for Debian Server or Ubuntu Server"
            // (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchRule.html).
            { patchFilters: [{ key: "PRIORITY", values: ["Required"] }] },
          ],
        },
        bad: {
          operatingSystem: "UBUNTU",
          approvalRules: [{ patchFilters: [{ key: "PRIORITY", values: ["Urgent"] }] }],
        },
      },
      "fleet.accounts[2].patchGroups",
      issues,
    );
    assert.deepEqual(Object.keys(groups), ["ok", "bad"]);
    assert.deepEqual(issues, [
      {
        path: "fleet.accounts[2].patchGroups.bad.approvalRules[0].patchFilters[0].values[0]",
        message:
          '"Urgent" is not a PRIORITY value for UBUNTU; use one of Required, Important, Standard, Optional, Extra or *',
      },
    ]);
  });
});

describe("checkScheduleExpression", () => {
  const valid = [
    "cron(0 2 ? * SUN *)",
    "cron(30 23 ? * MON-FRI *)",
    "cron(0 4 ? * THU#2 *)",
    "cron(0 4 ? * 5L *)",
    "cron(0/15 */2 L JAN-MAR ? 2026)",
    "cron(0 0 15W * ? *)",
    "rate(1 day)",
    "rate(7 days)",
    "rate(12 hours)",
  ];
  for (const expr of valid) {
    it(`accepts ${expr}`, () => assert.equal(checkScheduleExpression(expr), undefined));
  }
  const invalid: [string, string][] = [
    [
      "cron(0 2 ? * SUN)",
      'cron needs 6 fields (minutes hours day-of-month month day-of-week year), or 7 with seconds first, got 5 in "cron(0 2 ? * SUN)"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
    ],
    [
      "cron(60 2 ? * SUN *)",
      'minutes field "60" is not valid in "cron(60 2 ? * SUN *)"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
    ],
    [
      "cron(0 2 ? * FUN *)",
      'day-of-week field "FUN" is not valid in "cron(0 2 ? * FUN *)"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
    ],
    [
      "rate(0 days)",
      'must be rate(<number> <minutes|hours|days>), got "rate(0 days)"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
    ],
    [
      "every sunday",
      'must be a cron(...), rate(...) or at(...) expression, got "every sunday"; for example cron(0 2 ? * SUN *) (Sundays 02:00) or rate(7 days)',
    ],
  ];
  for (const [expr, message] of invalid) {
    it(`rejects ${expr}`, () => assert.equal(checkScheduleExpression(expr), message));
  }
});

describe("stackConfigToRaw", () => {
  it("keeps string keys verbatim, decodes structured values, ignores other namespaces", () => {
    const raw = stackConfigToRaw({
      "patchfleet:accountId": "012345678901",
      "patchfleet:regions": '["us-east-1"]',
      "patchfleet:logRetentionDays": "90",
      "patchfleet:runbookMaxErrors": "0",
      "aws:region": "us-east-1",
    });
    assert.deepEqual(raw, {
      accountId: "012345678901",
      regions: ["us-east-1"],
      logRetentionDays: 90,
      runbookMaxErrors: "0",
    });
  });
});
