import { strict as assert } from "assert";
import { stringify } from "yaml";
import { FleetError, FleetIssue, parseFleet } from "../../automation/fleet/parse-fleet";
import { ringTags, ringWindows } from "../../automation/fleet/ring-stack";
import { memberAccountConfig } from "../../automation/stacks/topology-config";
import { baseFleet } from "./fixtures";

const INSTALL = { schedule: "cron(0 2 ? * TUE *)", durationHours: 3 };

function ringed(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...baseFleet(),
    maintenanceWindows: { install: { schedule: "cron(0 2 ? * SUN *)", durationHours: 4 } },
    rings: [
      { name: "canary", accounts: ["111111111111"] },
      {
        name: "early",
        accounts: [{ account: "prod-a", maintenanceWindows: { install: INSTALL } }],
        soakHours: 24,
        gate: { minSucceededPercent: 100, minCompliantPercent: 90 },
      },
      {
        name: "production",
        accounts: ["333333333333"],
        soakHours: 48,
        maintenanceWindows: { install: { schedule: "cron(0 2 ? * THU *)", durationHours: 2 } },
      },
    ],
    ...extra,
  };
}

function issuesOf(doc: Record<string, unknown>): FleetIssue[] {
  try {
    parseFleet(stringify(doc), "fleet.yaml");
  } catch (err) {
    assert.ok(err instanceof FleetError);
    return err.issues.map(({ path, message }) => ({ path, message }));
  }
  assert.fail("expected the fleet to be rejected");
}

describe("fleet file: rings and freezes", () => {
  it("parses ordered rings with accounts by id or name, soak, gate and window overrides", () => {
    const fleet = parseFleet(stringify(ringed()), "fleet.yaml");
    assert.deepEqual(
      fleet.rings?.map((r) => [r.name, r.accounts, r.soakHours, r.gate]),
      [
        ["canary", ["111111111111"], 0, {}],
        ["early", ["222222222222"], 24, { minSucceededPercent: 100, minCompliantPercent: 90 }],
        ["production", ["333333333333"], 48, {}],
      ],
    );
    assert.deepEqual(fleet.freezes, []);
  });

  it("resolves windows account over ring over fleet", () => {
    const fleet = parseFleet(stringify(ringed()), "fleet.yaml");
    const at = new Date("2025-06-01T00:00:00Z");
    assert.equal(ringWindows(fleet, "111111111111", at).install?.schedule, "cron(0 2 ? * SUN *)");
    assert.equal(ringWindows(fleet, "222222222222", at).install?.schedule, "cron(0 2 ? * TUE *)");
    assert.equal(ringWindows(fleet, "333333333333", at).install?.schedule, "cron(0 2 ? * THU *)");
    const config = memberAccountConfig(fleet, fleet.members[1]);
    assert.equal(config.maintenanceWindows.install?.durationHours, 2);
    assert.deepEqual(ringTags(fleet, "333333333333"), {
      "patchfleet:ring": "production",
      "patchfleet:ring-order": "3",
      "patchfleet:ring-soak-hours": "48",
    });
  });

  it("starts the install window after a freeze in force at deploy time", () => {
    const fleet = parseFleet(
      stringify(
        ringed({
          freezes: [
            { start: "2025-12-20", end: "2026-01-02", reason: "year end", rings: ["production"] },
          ],
        }),
      ),
      "fleet.yaml",
    );
    assert.deepEqual(fleet.freezes, [
      {
        start: "2025-12-20T00:00:00.000Z",
        end: "2026-01-02T23:59:59.000Z",
        reason: "year end",
        rings: ["production"],
      },
    ]);
    const during = new Date("2025-12-24T12:00:00Z");
    assert.equal(
      ringWindows(fleet, "333333333333", during).install?.startDate,
      "2026-01-03T00:00:00Z",
    );
    assert.equal(ringWindows(fleet, "222222222222", during).install?.startDate, undefined);
    assert.equal(
      ringWindows(fleet, "333333333333", new Date("2026-01-03T00:00:00Z")).install?.startDate,
      undefined,
    );
  });

  it("refuses duplicate rings, accounts in two rings, unknown and missing accounts", () => {
    const doc = ringed();
    const rings = doc.rings as Record<string, unknown>[];
    rings[1] = { name: "canary", accounts: ["prod-a", "prd-a"] };
    rings[2] = { name: "production", accounts: ["222222222222"] };
    assert.deepEqual(issuesOf(doc), [
      {
        path: "rings[1].name",
        message: "canary is already the name of rings[0]; ring names must be unique",
      },
      {
        path: "rings[1].accounts[1]",
        message: '"prd-a" is not an account of this fleet; did you mean prod-a?',
      },
      {
        path: "rings[2].accounts[0]",
        message:
          "prod-a (222222222222) is already in rings[1]; each account belongs to at most one ring",
      },
      {
        path: "rings",
        message:
          "prod-b (333333333333) is in no ring; with rings every account, central included, belongs to exactly one: add it to a ring's accounts (usually the last)",
      },
    ]);
  });

  it("refuses bad gates, soak, windows and a gate on the first ring", () => {
    const doc = ringed();
    const rings = doc.rings as Record<string, unknown>[];
    rings[0] = { name: "canary", accounts: ["111111111111"], gate: { minSucceededPercent: 50 } };
    rings[1] = {
      name: "early",
      accounts: ["prod-a"],
      soakHours: -1,
      gate: { minSucceededPercent: 101, minCompliantPerc: 5 },
      maintenanceWindows: { install: { schedule: "cron(0 2 * * SUN *)" } },
    };
    const issues = issuesOf(doc);
    const paths = issues.map((i) => i.path);
    assert.deepEqual(paths, [
      "rings[0].gate",
      "rings[1].soakHours",
      "rings[1].gate.minCompliantPerc",
      "rings[1].gate.minSucceededPercent",
      "rings[1].maintenanceWindows.install.schedule",
      "rings[1].maintenanceWindows.install.durationHours",
    ]);
    assert.equal(issues[3].message, "must be a percentage from 0 to 100, got 101");
    assert.equal(issues[5].message, "is required: the window length in hours, 1–24");
  });

  it("refuses freezes without a reason, backwards, with bad dates or unknown rings", () => {
    const issues = issuesOf(
      ringed({
        freezes: [
          { start: "2025-12-20", end: "2025-12-19", reason: "x" },
          { start: "2025-02-30", end: "2025-03-01" },
          { start: "2025-12-20", end: "2025-12-21", reason: "x", rings: ["prodution"] },
        ],
      }),
    );
    assert.deepEqual(issues, [
      {
        path: "freezes[0].end",
        message: "is before start (2025-12-20); a freeze ends on or after the day it starts",
      },
      {
        path: "freezes[1].start",
        message:
          '2025-02-30 is not a calendar date; must be an ISO date like "2025-12-20" (a whole UTC day) or a date-time with a zone like "2025-12-20T18:00:00Z"',
      },
      {
        path: "freezes[1].reason",
        message: "is required: why nothing may be installed then, e.g. year-end change freeze",
      },
      {
        path: "freezes[2].rings[0]",
        message: '"prodution" is not a ring of this fleet; did you mean production?',
      },
    ]);
  });

  it("installOffsetDays: the ring before's install window, that many days later (SSM's ScheduleOffset)", () => {
    const doc = ringed();
    const rings = doc.rings as Record<string, unknown>[];
    // production follows early's ring-level window (here the fleet's), two days later.
    delete rings[2].maintenanceWindows;
    rings[2].installOffsetDays = 2;
    const fleet = parseFleet(stringify(doc), "fleet.yaml");
    const at = new Date("2025-06-01T00:00:00Z");
    assert.deepEqual(ringWindows(fleet, "333333333333", at).install, {
      ...ringWindows(fleet, "111111111111", at).install,
      offsetDays: 2,
    });
    // The offsets add up along the rings and must stay within ScheduleOffset's 1–6 (botocore ssm
    // model, shape MaintenanceWindowOffset: min 1, max 6).
    rings[1].installOffsetDays = 5;
    assert.deepEqual(issuesOf(doc), [
      {
        path: "rings[2].installOffsetDays",
        message:
          "makes the install window's ScheduleOffset 7 days, over SSM's 6; give this ring maintenanceWindows.install instead",
      },
    ]);
  });

  it("installOffsetDays is refused on the first ring, beside an own install window, out of 1–6 and after a rate() schedule", () => {
    const doc = ringed();
    const rings = doc.rings as Record<string, unknown>[];
    rings[0].installOffsetDays = 1;
    rings[2].installOffsetDays = 1;
    rings[1].installOffsetDays = 0;
    assert.deepEqual(issuesOf(doc), [
      {
        path: "rings[0].installOffsetDays",
        message: "the first ring has no ring before it to follow; give it maintenanceWindows",
      },
      {
        path: "rings[1].installOffsetDays",
        message: "must be a whole number of days from 1 to 6, got 0",
      },
      {
        path: "rings[2].installOffsetDays",
        message: "the ring also sets maintenanceWindows.install; keep one of the two",
      },
    ]);
    // ScheduleOffset is "The number of days to wait after the date and time specified by a cron
    // expression before running the maintenance window" (CreateMaintenanceWindow API reference);
    // the provider: "after the date and time specified by a CRON expression ... Valid range is 1
    // to 6" (aws.ssm.MaintenanceWindow, scheduleOffset).
    const rate = ringed({
      maintenanceWindows: { install: { schedule: "rate(7 days)", durationHours: 4 } },
    });
    const rr = rate.rings as Record<string, unknown>[];
    rr[1].installOffsetDays = 1;
    assert.deepEqual(issuesOf(rate), [
      {
        path: "rings[1].installOffsetDays",
        message:
          "works only when ring canary's install window is a cron(...) schedule, got rate(7 days)",
      },
    ]);
  });
});
