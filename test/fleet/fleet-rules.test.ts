import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { FleetError, FleetIssue, loadFleet, parseFleet } from "../../automation/fleet/parse-fleet";
import { checkScheduleExpression } from "../../components/config";
import { Doc, baseFleet } from "./fixtures";
import { repoPath } from "../helpers/repo-paths";

function issuesOfText(text: string): FleetIssue[] {
  try {
    parseFleet(text, "fleet.yaml");
  } catch (err) {
    assert.ok(err instanceof FleetError, `expected FleetError, got ${String(err)}`);
    // Lines have their own test; the rule tests compare paths and messages.
    return err.issues.map(({ path: p, message }) => ({ path: p, message }));
  }
  assert.fail("expected the fleet to be rejected");
}

function issuesOf(change: (doc: Doc) => void): FleetIssue[] {
  const doc = baseFleet();
  change(doc);
  return issuesOfText(stringify(doc));
}

const issue = (p: string, message: string): FleetIssue => ({ path: p, message });
const ALL_REGIONS =
  "us-east-1, us-east-2, us-west-1, us-west-2, af-south-1, ap-east-1, ap-east-2, ap-south-1, ap-south-2, ap-southeast-1, ap-southeast-2, ap-southeast-3, ap-southeast-4, ap-southeast-5, ap-southeast-7, ap-northeast-1, ap-northeast-2, ap-northeast-3, ca-central-1, ca-west-1, eu-central-1, eu-central-2, eu-west-1, eu-west-2, eu-west-3, eu-south-1, eu-south-2, eu-north-1, il-central-1, me-south-1, me-central-1, mx-central-1, sa-east-1, us-gov-east-1, us-gov-west-1, cn-north-1, cn-northwest-1";
const TOP_KEYS =
  "project, central, members, patchGroups, resourceGroup, roles, runbookName, runbookMaxConcurrency, runbookMaxErrors, logBucket, logRetentionDays, organizationId, maintenanceWindows, rollout, backend, secretsProvider, tags, compliance, rings, freezes, notifications";
const MEMBER_KEYS = "account, name, regions, deployRole, readRole, externalId, patchGroups";

describe("parseFleet: defaults and the example", () => {
  it("fills every default of a minimal fleet", () => {
    const fleet = parseFleet(stringify(baseFleet()), "fleet.yaml");
    assert.equal(fleet.file, "fleet.yaml");
    assert.equal(fleet.project, "patchfleet");
    assert.deepEqual(fleet.central, {
      account: "111111111111",
      name: "111111111111",
      regions: ["us-east-1", "eu-west-1"],
      patchGroups: fleet.central.patchGroups,
    });
    assert.deepEqual(Object.keys(fleet.central.patchGroups), ["web"]);
    assert.equal(fleet.central.patchGroups.web.approvalRules[0].approveAfterDays, 7);
    assert.deepEqual(
      fleet.members.map((m) => [m.account, m.name, m.regions.join(" ")]),
      [
        ["222222222222", "prod-a", "us-east-1 eu-west-1"],
        ["333333333333", "prod-b", "eu-west-1"],
      ],
    );
    assert.deepEqual(fleet.resourceGroupTag, { key: "ssm-linuxpatching", value: "True" });
    assert.equal(fleet.resourceGroupName, "patchfleet-patch-targets");
    assert.equal(fleet.administrationRoleName, "AWS-SystemsManager-AutomationAdministrationRole");
    assert.equal(fleet.executionRoleName, "AWS-SystemsManager-AutomationExecutionRole");
    assert.equal(fleet.runbookName, "patchfleet-RunPatchBaseline");
    assert.equal(fleet.runbookMaxConcurrency, "10%");
    assert.equal(fleet.runbookMaxErrors, "5%");
    assert.equal(fleet.logBucketName, "patchfleet-patch-logs-111111111111");
    assert.equal(fleet.logRetentionDays, 365);
    assert.deepEqual(fleet.maintenanceWindows, {});
    assert.deepEqual(fleet.rollout, {
      maxConcurrent: { kind: "count", value: 1 },
      failureTolerance: { kind: "count", value: 0 },
    });
    assert.equal(fleet.backend, "file://./.patchfleet/state");
    assert.equal(fleet.secretsProvider, undefined);
    assert.deepEqual(fleet.tags, {});
  });

  it("parses examples/fleet.yaml: central + three members, two regions, per-member overrides", async () => {
    const file = repoPath("examples", "fleet.yaml");
    const fleet = await loadFleet(file);
    assert.equal(fleet.central.name, "central");
    assert.deepEqual(
      fleet.members.map((m) => [
        m.name,
        m.account,
        m.regions.join(" "),
        Object.keys(m.patchGroups).join(" "),
      ]),
      [
        ["prod-a", "222222222222", "us-east-1 eu-west-1", "web-linux windows-app"],
        ["prod-b", "333333333333", "eu-west-1 us-east-1", "web-linux windows-app"],
        ["staging", "444444444444", "us-east-1", "web-linux"],
      ],
    );
    const staging = fleet.members[2].patchGroups["web-linux"];
    assert.equal(staging.approvalRules[0].approveAfterDays, 2);
    assert.equal(fleet.members[0].patchGroups["web-linux"].approvalRules[0].approveAfterDays, 7);
    assert.equal(fleet.members[0].patchGroups["windows-app"].operatingSystem, "WINDOWS");
    assert.equal(fleet.members[0].deployRole, "arn:aws:iam::222222222222:role/patchfleet-deploy");
    assert.deepEqual(fleet.rollout, {
      maxConcurrent: { kind: "count", value: 2 },
      failureTolerance: { kind: "count", value: 0 },
      regionOrder: ["us-east-1", "eu-west-1"],
    });
    assert.equal(fleet.maintenanceWindows.install?.schedule, "cron(0 3 ? * SUN *)");
    assert.equal(fleet.maintenanceWindows.scan?.maxConcurrency, "25%");
    assert.deepEqual(fleet.tags, { owner: "platform-team", "cost-center": "ops" });
  });

  it("accepts percentages, string counts, a KMS secrets provider and member overrides", () => {
    const fleet = parseFleet(
      stringify({
        ...baseFleet(),
        rollout: { maxConcurrent: "25%", failureTolerance: "0%", regionOrder: ["eu-west-1"] },
        secretsProvider: "awskms://alias/patchfleet",
        backend: "s3://state-bucket/patchfleet",
        runbookMaxErrors: 0,
      }),
      "fleet.yaml",
    );
    assert.deepEqual(fleet.rollout, {
      maxConcurrent: { kind: "percent", value: 25 },
      failureTolerance: { kind: "percent", value: 0 },
      regionOrder: ["eu-west-1"],
    });
    assert.equal(fleet.secretsProvider, "awskms://alias/patchfleet");
    assert.equal(fleet.backend, "s3://state-bucket/patchfleet");
    assert.equal(fleet.runbookMaxErrors, "0");
  });
});

describe("parseFleet: one rule, one exact message (B1)", () => {
  it("reports YAML syntax errors with line and column", () => {
    assert.deepEqual(issuesOfText('central: { account: "111111111111"\nmembers: []\n'), [
      issue(
        "line 2, column 1",
        "Flow map in block collection must be sufficiently indented and end with a }; fix the YAML syntax here (quote values that contain ': ' or start with special characters)",
      ),
    ]);
    assert.deepEqual(issuesOfText("central: {}\ncentral: {}\n"), [
      issue(
        "line 2, column 1",
        "Map keys must be unique; each key may appear once in a map; remove or rename one of them",
      ),
    ]);
    assert.deepEqual(issuesOfText("central: *nowhere\n"), [
      issue(
        "(yaml)",
        "Unresolved alias (the anchor must be set before the alias): nowhere; define every anchor (&name) before its alias (*name)",
      ),
    ]);
  });

  it("rejects an empty file and a document that is not a map", () => {
    assert.deepEqual(issuesOfText(""), [
      issue(
        "(file)",
        "is empty; a fleet file needs at least central: and members: (see examples/fleet.yaml)",
      ),
    ]);
    assert.deepEqual(issuesOfText("- central\n"), [
      issue(
        "(file)",
        "must be a map of fleet settings (central, members, patchGroups, ...), got a list",
      ),
    ]);
  });

  it("names unknown keys, suggests the closest, and lists the known ones", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.member = [];
        d.zzz = 1;
        d.members[0].regoins = ["us-east-1"];
      }),
      [
        issue("member", `unknown key; did you mean members? Known keys here: ${TOP_KEYS}`),
        issue("zzz", `unknown key; known keys here: ${TOP_KEYS}`),
        issue(
          "members[0].regoins",
          `unknown key; did you mean regions? Known keys here: ${MEMBER_KEYS}`,
        ),
      ],
    );
  });

  it("account ids: quoted 12-digit strings; a YAML number says how to quote it", () => {
    const text = stringify(baseFleet()).replace('account: "222222222222"', "account: 012345678901");
    assert.deepEqual(issuesOfText(text), [
      issue(
        "members[0].account",
        'account ids must be quoted strings: YAML read the number 012345678901, and unquoted numbers lose leading zeros; write "012345678901" in quotes',
      ),
    ]);
    assert.deepEqual(
      issuesOf((d) => {
        d.central.account = "12345";
        delete d.members[1].account;
      }),
      [
        issue(
          "central.account",
          'must be a 12-digit AWS account id in quotes, e.g. "111111111111", got "12345"',
        ),
        issue(
          "members[1].account",
          'is required: the 12-digit AWS account id in quotes, e.g. "111111111111"',
        ),
      ],
    );
  });

  it("regions: real names (with a suggestion), listed once, one partition, not empty", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.members[0].regions = ["us-east1", "mars-1", "eu-west-1", "eu-west-1", "us-gov-west-1"];
        d.members[1].regions = [];
        delete d.central.regions;
      }),
      [
        issue(
          "central.regions",
          "is required: a list of regions, home region first, e.g. [us-east-1, eu-west-1]",
        ),
        issue(
          "members[0].regions[0]",
          '"us-east1" is not an AWS region with Systems Manager; did you mean us-east-1?',
        ),
        issue(
          "members[0].regions[1]",
          `"mars-1" is not an AWS region with Systems Manager; use one of ${ALL_REGIONS}`,
        ),
        issue("members[0].regions[3]", "eu-west-1 is listed twice; list each region once"),
        issue(
          "members[0].regions[4]",
          "us-gov-west-1 is in partition aws-us-gov but the home region eu-west-1 is in aws; one account's regions share a partition",
        ),
        issue(
          "members[1].regions",
          "must be a non-empty list of regions, e.g. [us-east-1, eu-west-1], got a list",
        ),
      ],
    );
  });

  it("member regions must be central regions (runbook and log prefixes live only there)", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.central.regions = ["us-east-1"];
        d.members[0].regions = ["us-east-1", "ap-southeast-2", "eu-west-1"];
      }),
      [
        issue(
          "members[0].regions",
          "ap-southeast-2, eu-west-1 are not regions of the central account (central.regions: us-east-1); the shared runbook and the patch log prefixes exist only there, so add them to central.regions or remove them here",
        ),
        issue(
          "members[1].regions",
          "eu-west-1 is not a region of the central account (central.regions: us-east-1); the shared runbook and the patch log prefixes exist only there, so add it to central.regions or remove it here",
        ),
      ],
    );
  });

  it("duplicate accounts (central too) and duplicate names, ignoring case", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.members.push({ account: "222222222222", name: "again", regions: ["us-east-1"] });
        d.members.push({ account: "111111111111", name: "c", regions: ["us-east-1"] });
        d.members.push({ account: "444444444444", name: "PROD-A", regions: ["us-east-1"] });
      }),
      [
        issue("members[2].account", "222222222222 is already members[0]; list each account once"),
        issue(
          "members[3].account",
          "111111111111 is the central account; the central account is configured under central only, remove this member",
        ),
        issue(
          "members[4].name",
          "PROD-A is already the name of members[0] (names are compared ignoring case); stack names must be unique, pick another",
        ),
      ],
    );
  });

  it("member names are required and must be valid stack names", () => {
    assert.deepEqual(
      issuesOf((d) => {
        delete d.members[0].name;
        d.members[1].name = "prod b";
      }),
      [
        issue(
          "members[0].name",
          "is required: a short unique name like prod-a; stack names derive from it",
        ),
        issue(
          "members[1].name",
          'must be 1–64 letters, digits, _ . - starting with a letter or digit (it names the Pulumi stack), got "prod b"',
        ),
      ],
    );
  });

  it("a null member name is as missing as an absent one", () => {
    assert.deepEqual(
      issuesOf((d) => (d.members[1].name = null)),
      [
        issue(
          "members[1].name",
          "is required: a short unique name like prod-a; stack names derive from it",
        ),
      ],
    );
  });

  it("a malformed readRole is shown a read role of its own account as the example, not a deploy role", () => {
    // Role ARN format arn:<partition>:iam::<account>:role/<name>:
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
    assert.deepEqual(
      issuesOf((d) => (d.members[0].readRole = "patchfleet-read")),
      [
        issue(
          "members[0].readRole",
          'must be an IAM role ARN like arn:aws:iam::222222222222:role/patchfleet-read, got "patchfleet-read"',
        ),
      ],
    );
  });

  it("role ARNs: well-formed, in the account itself, in its partition; operationsRole is central's", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.central.operationsRole = "arn:aws:iam::111111111111:role/patchfleet-ops";
        d.members[0].deployRole = "arn:aws:iam::222222222222:user/deployer";
        d.members[0].readRole = "arn:aws:iam::999999999999:role/read";
        d.members[1].deployRole = "arn:aws-cn:iam::333333333333:role/deploy";
        d.members[1].operationsRole = "arn:aws:iam::333333333333:role/ops";
        d.members[1].externalId = "x";
      }),
      [
        issue(
          "members[0].deployRole",
          'must be an IAM role ARN like arn:aws:iam::222222222222:role/patchfleet-deploy, got "arn:aws:iam::222222222222:user/deployer"',
        ),
        issue(
          "members[0].readRole",
          "is a role in account 999999999999, but this is account 222222222222; use a role in 222222222222",
        ),
        issue(
          "members[1].operationsRole",
          "only central has an operationsRole (patch automations start in the central account); remove it here",
        ),
        issue(
          "members[1].deployRole",
          "is in partition aws-cn but the home region eu-west-1 is in aws; write arn:aws:iam::...",
        ),
        issue(
          "members[1].externalId",
          'must be 2–1224 characters of letters, digits and +=,.@:/_-, got "x"',
        ),
      ],
    );
  });

  it("rollout: counts or percentages in range, regionOrder of used regions", () => {
    const expectMax = (got: string) =>
      issue(
        "rollout.maxConcurrent",
        `must be a whole number of targets (1 or more) or a percentage like "25%" (1%–100%), got ${got}`,
      );
    for (const [value, shown] of [
      [0, "0"],
      ["0%", '"0%"'],
      ["150%", '"150%"'],
      ["many", '"many"'],
      [2.5, "2.5"],
      [[1], "a list"],
    ] as const) {
      assert.deepEqual(
        issuesOf((d) => (d.rollout = { maxConcurrent: value })),
        [expectMax(shown)],
      );
    }
    assert.deepEqual(
      issuesOf(
        (d) =>
          (d.rollout = {
            failureTolerance: -1,
            regionOrder: ["ap-south-1", "eu-west-1", "eu-west-1"],
          }),
      ),
      [
        issue(
          "rollout.failureTolerance",
          'must be a whole number of targets (0 or more) or a percentage like "25%" (0%–100%), got -1',
        ),
        issue(
          "rollout.regionOrder[0]",
          "ap-south-1 is not a region of any account; remove it or add it to an account's regions",
        ),
        issue("rollout.regionOrder[2]", "eu-west-1 is listed twice; list each region once"),
      ],
    );
  });

  it("maintenance windows are checked with the topology rules (cron/rate)", () => {
    assert.deepEqual(
      issuesOf(
        (d) => (d.maintenanceWindows = { scan: { schedule: "cron(0 1 * * *)", durationHours: 2 } }),
      ),
      [
        issue(
          "maintenanceWindows.scan.schedule",
          checkScheduleExpression("cron(0 1 * * *)") as string,
        ),
      ],
    );
    assert.deepEqual(
      issuesOf((d) => (d.maintenanceWindows = { patch: {} })),
      [issue("maintenanceWindows.patch", "unknown key; known keys here: scan, install")],
    );
  });

  it("patch groups: validated per account; null drops a fleet group; one default per OS", () => {
    const groups = issuesOf((d) => {
      (d.patchGroups as Record<string, Record<string, unknown>>).web.operatingSystem = "TEMPLE_OS";
    });
    assert.deepEqual(
      groups.map((i) => i.path),
      ["patchGroups.web.operatingSystem"],
    );
    const rule = (days: number) => ({
      patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }],
      approveAfterDays: days,
    });
    const defaultGroup = (days: number) => ({
      operatingSystem: "AMAZON_LINUX_2023",
      defaultForOperatingSystem: true,
      approvalRules: [rule(days)],
    });
    assert.deepEqual(
      issuesOf((d) => {
        (d.patchGroups as Record<string, Record<string, unknown>>).web.defaultForOperatingSystem =
          true;
        d.members[0].patchGroups = { nope: null, other: defaultGroup(1) };
        // Dropping the fleet default first makes another default fine.
        d.members[1].patchGroups = { web: null, other: defaultGroup(1) };
        d.central.patchGroups = { web: defaultGroup(2) };
      }),
      [
        issue(
          "members[0].patchGroups.nope",
          "is null, which drops a fleet-wide patch group, but the fleet has no group nope; fleet patch groups: web",
        ),
        issue(
          "members[0].patchGroups.other.defaultForOperatingSystem",
          "makes other the default for AMAZON_LINUX_2023, but the fleet-wide group web already is; set defaultForOperatingSystem: false here, or drop web for this account with web: null",
        ),
      ],
    );
    const fleet = parseFleet(
      stringify({
        ...baseFleet(),
        members: [
          {
            account: "222222222222",
            name: "a",
            regions: ["us-east-1"],
            patchGroups: { web: null, other: defaultGroup(1) },
          },
        ],
        central: {
          account: "111111111111",
          regions: ["us-east-1"],
          patchGroups: { web: defaultGroup(3) },
        },
      }),
      "fleet.yaml",
    );
    assert.deepEqual(Object.keys(fleet.members[0].patchGroups), ["other"]);
    assert.equal(fleet.central.patchGroups.web.approvalRules[0].approveAfterDays, 3);
    assert.deepEqual(
      issuesOfText(
        stringify(baseFleet()).replace(
          "name: prod-a",
          "name: prod-a\n    patchGroups: { __proto__: null }",
        ),
      ),
      [
        issue(
          "members[0].patchGroups.__proto__",
          "is null, which drops a fleet-wide patch group, but the fleet has no group __proto__; fleet patch groups: web",
        ),
      ],
    );
    assert.deepEqual(
      issuesOf((d) => {
        d.members[0].patchGroups = { web: null };
      }),
      [
        issue(
          "members[0].patchGroups",
          "leaves this account without patch groups; keep at least one",
        ),
      ],
    );
    assert.deepEqual(
      issuesOf((d) => {
        delete d.patchGroups;
      }),
      [
        issue(
          "patchGroups",
          "is required: a map of patch group name → baseline applied to every account (see examples/fleet.yaml)",
        ),
      ],
    );
  });

  it("names, backend, secrets provider and tags", () => {
    assert.deepEqual(
      issuesOf((d) => {
        d.project = "my project";
        d.resourceGroup = { name: "aws-targets", tagKey: "aws:owner" };
        d.roles = { executionRoleName: "x".repeat(65) };
        d.runbookName = "AWS-RunPatchBaseline";
        d.runbookMaxConcurrency = "0";
        d.logBucket = "Patch_Logs";
        d.logRetentionDays = 0;
        d.backend = "ftp://state";
        d.secretsProvider = "vault";
        d.tags = { "aws:team": "x", owner: 7 };
      }),
      [
        issue(
          "project",
          'must be a Pulumi project name: 1–100 letters, digits, _ . -, got "my project"',
        ),
        issue(
          "resourceGroup.tagKey",
          'must be a tag key of 1–128 characters not starting with aws:, got "aws:owner"',
        ),
        issue("resourceGroup.name", "must not start with AWS or aws (reserved); rename it"),
        issue(
          "roles.executionRoleName",
          `must be an IAM role name: 1–64 letters, digits and +=,.@_-, got "${"x".repeat(57)}..."`,
        ),
        issue(
          "runbookName",
          "must not start with aws, amazon or amzn (reserved for AWS documents); rename it",
        ),
        issue(
          "runbookMaxConcurrency",
          'must be a count of at least 1 ("10") or a percentage 1%–100% ("10%"), got "0"',
        ),
        issue(
          "logBucket",
          'must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, got "Patch_Logs"',
        ),
        issue("logRetentionDays", "must be a whole number of days, 1–36500, got 0"),
        issue(
          "backend",
          'must be a Pulumi backend URL starting with file://, s3://, azblob://, gs://, https://, http:// (e.g. file://./.patchfleet/state or s3://my-bucket/patchfleet), got "ftp://state"',
        ),
        issue(
          "secretsProvider",
          'must be passphrase or a key URL starting with awskms://, azurekeyvault://, gcpkms://, hashivault:// (e.g. awskms://alias/patchfleet), got "vault"',
        ),
        issue("tags.aws:team", "tag keys must be 1–128 characters and must not start with aws:"),
        issue(
          "tags.owner",
          "must be a string of at most 256 characters (quote numbers and booleans), got 7",
        ),
      ],
    );
  });

  it("each issue carries the line of the value its path points at", () => {
    const text = [
      "central:", // 1
      '  account: "111111111111"', // 2
      "  regions: [us-east-1]", // 3
      "members:", // 4
      '  - account: "222222222222"', // 5
      "    name: a", // 6
      "    regions:", // 7
      "      - us-east-1", // 8
      "      - mars-1", // 9
      "patchGroups:", // 10
      "  web.v2:", // 11
      "    operatingSystem: AMAZON_LINUX_2023", // 12
      "    approvalRules:", // 13
      "      - patchFilters: [{ key: CLASSIFICATION, values: [Security] }]", // 14
      "        approveAfterDays: 400", // 15
      "rollout:", // 16
      "  maxConcurent: 2", // 17
      "",
    ].join("\n");
    try {
      parseFleet(text, "fleet.yaml");
      assert.fail("expected FleetError");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      assert.deepEqual(
        err.issues.map((i) => [i.path, i.line]),
        [
          ["members[0].regions[1]", 9],
          ["patchGroups.web.v2.approvalRules[0].approveAfterDays", 15],
          ["rollout.maxConcurent", 17],
        ],
      );
      assert.match(
        err.message.split("\n")[0],
        /^fleet\.yaml: members\[0\]\.regions\[1\]: .* \(line 9\)$/,
      );
    }
  });

  it("the message has one '<file>: <path>: <message>' line per problem", () => {
    const doc = baseFleet();
    doc.central.account = 5;
    doc.rollout = { maxConcurrent: 0 };
    try {
      parseFleet(stringify(doc), "fleets/prod.yaml");
      assert.fail("expected FleetError");
    } catch (err) {
      assert.ok(err instanceof FleetError);
      assert.equal(err.name, "FleetError");
      assert.equal(
        err.message,
        [
          'fleets/prod.yaml: central.account: account ids must be quoted strings: YAML read the number 5, and unquoted numbers lose leading zeros; write the 12-digit id in quotes, e.g. "012345678901" (line 2)',
          'fleets/prod.yaml: rollout.maxConcurrent: must be a whole number of targets (1 or more) or a percentage like "25%" (1%–100%), got 0 (line 26)',
        ].join("\n"),
      );
    }
  });

  it("loadFleet: a missing file or a directory is a FleetError naming the file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-fleet-"));
    try {
      const missing = path.join(dir, "nope.yaml");
      await assert.rejects(
        loadFleet(missing),
        (e: unknown) =>
          e instanceof FleetError &&
          e.message ===
            `${missing}: (file): file not found; pass the path of your fleet file (see examples/fleet.yaml)`,
      );
      await assert.rejects(
        loadFleet(dir),
        (e: unknown) =>
          e instanceof FleetError &&
          e.message ===
            `${dir}: (file): is a directory; pass the path of the fleet YAML file inside it`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
