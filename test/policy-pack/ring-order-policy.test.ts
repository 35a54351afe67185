import { strict as assert } from "assert";
import { UNKNOWN, evaluatePolicies, type PolicyResource } from "../../policy-pack/evaluate";
import { maintenanceWindowRingOrder as order } from "../../policy-pack/policies";
import { finding, resource } from "./fixtures";

const WINDOW = "aws:ssm/maintenanceWindow:MaintenanceWindow";
const unknownTail = " is not known yet. It is checked again once the value is known.";
// The comparison starts here (a Tuesday); the policy's config makes every test reproducible.
const config = { [order.name]: { referenceTime: "2026-12-01T00:00:00Z" } };

/**
 * Two install windows of one stack, as components/maintenance-windows.ts names them and
 * automation/fleet/ring-stack.ts tags them. Maintenance window cron has six fields (minutes hours
 * day-of-month month day-of-week year), day-of-week 1-7 = SUN-SAT, and `TUE#2` is "the second
 * Tuesday of the month"; times are UTC unless ScheduleTimezone names an IANA zone.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html (the `#` wildcard)
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/maintenance-windows-schedule-options.html
 */
function window(
  name: string,
  ring: string,
  ringOrder: string,
  soak: string,
  schedule: string,
  props: Record<string, unknown> = {},
  tags: Record<string, unknown> = {},
): PolicyResource {
  return resource(WINDOW, name, {
    name: "patchfleet-install",
    schedule,
    duration: 3,
    cutoff: 1,
    tags: {
      "patchfleet:ring": ring,
      "patchfleet:ring-order": ringOrder,
      "patchfleet:ring-soak-hours": soak,
      ...tags,
    },
    ...props,
  });
}

// Canary: second Tuesday 02:00 UTC (2026-12-08T02:00Z) for 3 h. Prod: second Thursday 02:00 UTC
// (2026-12-10T02:00Z), 24 h soak: it may open from 2026-12-08T02:00Z + 3 h + 24 h = 2026-12-09T05:00Z.
const canary = (props: Record<string, unknown> = {}, tags: Record<string, unknown> = {}) =>
  window("canary-install", "canary", "1", "0", "cron(0 2 ? * TUE#2 *)", props, tags);
const prod = (props: Record<string, unknown> = {}, tags: Record<string, unknown> = {}) =>
  window("prod-install", "prod", "2", "24", "cron(0 2 ? * THU#2 *)", props, tags);

const CANARY = 'Maintenance window "canary-install" (ring "canary", order 1)';
const PROD = 'Maintenance window "prod-install" (ring "prod", order 2)';

describe("policy patchfleet-maintenance-window-ring-order", () => {
  it("is a mandatory stack policy that says what it compares", () => {
    assert.equal(order.name, "patchfleet-maintenance-window-ring-order");
    assert.equal(order.enforcementLevel, "mandatory");
    assert.equal(
      order.description,
      "Within one stack, no later ring's install window opens while an earlier ring's install " +
        "window is open or within the later ring's soak after it closes, checked for every " +
        "opening of the earlier window over the next year from the preview time or its " +
        "StartDate, whichever is later.",
    );
    assert.ok("validateStack" in order);
  });

  it("accepts canary on the second Tuesday and prod two days later with a 24 h soak", () => {
    assert.deepEqual(evaluatePolicies([canary(), prod()], config), []);
  });

  it("ignores windows that are not install windows or carry no ring tags", () => {
    const scan = canary({ name: "patchfleet-scan", schedule: "cron(0 1 ? * TUE#2 *)" });
    const early = window("other", "x", "3", "0", "cron(0 3 ? * THU#2 *)", {}, {});
    const untagged = resource(WINDOW, "untagged", {
      name: "patchfleet-install",
      schedule: "cron(0 0 ? * TUE#2 *)",
      duration: 1,
    });
    assert.deepEqual(
      evaluatePolicies([canary(), prod(), scan, untagged], config),
      [],
      "a scan window and an untagged window are not compared",
    );
    // A third ring that opens while prod's window is open is compared with prod, the ring before.
    assert.equal(evaluatePolicies([canary(), prod(), early], config).length, 1);
  });

  const cases: [string, PolicyResource[], PolicyResource, string][] = [
    [
      "a later ring that opens the day after the earlier one (schedule WED#2)",
      // Second Wednesday of December 2026: 2026-12-09.
      [canary(), prod({ schedule: "cron(0 2 ? * WED#2 *)" })],
      prod(),
      `${PROD} opens at 2026-12-09T02:00:00Z, before 2026-12-09T05:00:00Z: ${CANARY} opens at ` +
        `2026-12-08T02:00:00Z for 3 h, then ring "prod" soaks 24 h, plus minGapHours 0. Fix: ` +
        "open the later ring's install window later (schedule, scheduleOffset or startDate), or " +
        "shorten its soak.",
    ],
    [
      "a soak longer than the gap (72 h)",
      [canary(), prod({}, { "patchfleet:ring-soak-hours": "72" })],
      prod(),
      `${PROD} opens at 2026-12-10T02:00:00Z, before 2026-12-11T05:00:00Z: ${CANARY} opens at ` +
        `2026-12-08T02:00:00Z for 3 h, then ring "prod" soaks 72 h, plus minGapHours 0. Fix: ` +
        "open the later ring's install window later (schedule, scheduleOffset or startDate), or " +
        "shorten its soak.",
    ],
    [
      "an earlier window that runs into the soak (duration 30 h)",
      [canary({ duration: 30 }), prod()],
      prod(),
      `${PROD} opens at 2026-12-10T02:00:00Z, before 2026-12-10T08:00:00Z: ${CANARY} opens at ` +
        `2026-12-08T02:00:00Z for 30 h, then ring "prod" soaks 24 h, plus minGapHours 0. Fix: ` +
        "open the later ring's install window later (schedule, scheduleOffset or startDate), or " +
        "shorten its soak.",
    ],
    [
      // ScheduleOffset: "the number of days to wait after the date and time specified by a cron
      // expression" (reference-cron-and-rate-expressions.html): TUE#2 + 2 days = 2026-12-10.
      "an earlier window moved onto the later one's day by scheduleOffset 2",
      [canary({ scheduleOffset: 2 }), prod()],
      prod(),
      `${PROD} opens at 2026-12-10T02:00:00Z, before 2026-12-11T05:00:00Z: ${CANARY} opens at ` +
        `2026-12-10T02:00:00Z for 3 h, then ring "prod" soaks 24 h, plus minGapHours 0. Fix: ` +
        "open the later ring's install window later (schedule, scheduleOffset or startDate), or " +
        "shorten its soak.",
    ],
    [
      "a rate() schedule without startDate",
      [canary(), prod({ schedule: "rate(7 days)" })],
      prod(),
      `${PROD} has schedule "rate(7 days)", whose openings cannot be compared: a rate ` +
        "expression without startDate counts from when the window was created. Fix: use a " +
        "cron() expression, or set startDate for a rate().",
    ],
    [
      "a ring order that is not a number",
      [canary(), prod({}, { "patchfleet:ring-order": "second" })],
      prod(),
      'Maintenance window "prod-install" has ring tags patchfleet:ring-order="second" and ' +
        'patchfleet:ring-soak-hours="24". Fix: set patchfleet:ring-order to the ring\'s 1-based ' +
        "position and patchfleet:ring-soak-hours to its soak in hours.",
    ],
  ];
  for (const [what, stack, at, text] of cases) {
    it(`reports ${what}`, () => {
      assert.deepEqual(evaluatePolicies(stack, config), [finding(order, at, text, "mandatory")]);
    });
  }

  it("checks every opening of the earlier window over the year, not only the next", () => {
    // Canary on the 8th of every month; prod's second Thursday is 2 or more days later until April
    // 2027, whose 1st is a Thursday, so its second Thursday is the 8th.
    const monthly = canary({ schedule: "cron(0 2 8 * ? *)" });
    assert.deepEqual(evaluatePolicies([monthly, prod()], config), [
      finding(
        order,
        prod(),
        `${PROD} opens at 2027-04-08T02:00:00Z, before 2027-04-09T05:00:00Z: ${CANARY} opens ` +
          `at 2027-04-08T02:00:00Z for 3 h, then ring "prod" soaks 24 h, plus minGapHours 0. ` +
          "Fix: open the later ring's install window later (schedule, scheduleOffset or " +
          "startDate), or shorten its soak.",
        "mandatory",
      ),
    ]);
    // Prod before canary in the month (TUE#2 vs THU#2) opens next month, never inside the soak.
    const before = prod({ schedule: "cron(0 2 ? * TUE#2 *)" });
    const thursday = canary({ schedule: "cron(0 2 ? * THU#2 *)" });
    assert.deepEqual(evaluatePolicies([thursday, before], config), []);
  });

  it("compares in each window's ScheduleTimezone", () => {
    // Pacific/Kiritimati is UTC+14 all year (IANA tz database, zone Pacific/Kiritimati), so its
    // Thursday 02:00 is Wednesday 12:00 UTC, before canary + 3 h + 36 h = 2026-12-09T17:00Z.
    const soak36 = { "patchfleet:ring-soak-hours": "36" };
    assert.deepEqual(evaluatePolicies([canary(), prod({}, soak36)], config), []);
    const east = prod({ scheduleTimezone: "Pacific/Kiritimati" }, soak36);
    const [v] = evaluatePolicies([canary(), east], config);
    assert.match(v.message, /opens at 2026-12-09T12:00:00Z, before 2026-12-09T17:00:00Z/);
  });

  it("starts from the earlier window's StartDate (a freeze) and the later one's", () => {
    // StartDate delays the window's activation ("maintenance-windows-schedule-options" above):
    // canary frozen until 2026-12-09 next opens on the second Tuesday of January 2027 (the 12th),
    // and prod on the Thursday after it (the 14th), so the order holds.
    const frozen = canary({ startDate: "2026-12-09T00:00:00Z" });
    assert.deepEqual(evaluatePolicies([frozen, prod()], config), []);
    // Prod frozen past canary's January window: compared from canary's next opening.
    const late = prod({ startDate: "2027-01-13T00:00:00Z" });
    assert.deepEqual(evaluatePolicies([canary(), late], config), []);
    // rate() with a startDate opens at startDate + k * rate.
    const weekly = prod({ schedule: "rate(7 days)", startDate: "2026-12-02T02:00:00Z" });
    const [v] = evaluatePolicies([canary(), weekly], config);
    assert.match(v.message, /opens at 2026-12-09T02:00:00Z, before 2026-12-09T05:00:00Z/);
    // (2026-12-02 + 7 days = 2026-12-09 is its first opening at or after canary's 12-08 one.)
  });

  it("takes minGapHours and installWindowNames from config", () => {
    const gap = { [order.name]: { ...config[order.name], minGapHours: 24 } };
    const [v] = evaluatePolicies([canary(), prod()], gap);
    assert.match(v.message, /before 2026-12-10T05:00:00Z: .* plus minGapHours 24\./);
    const names = { [order.name]: { ...config[order.name], installWindowNames: ["other"] } };
    assert.deepEqual(
      evaluatePolicies([canary(), prod({ schedule: "cron(0 0 ? * TUE#2 *)" })], names),
      [],
    );
  });

  it("reports an unknown schedule or tags as advisory", () => {
    const p = prod({ schedule: UNKNOWN });
    assert.deepEqual(evaluatePolicies([canary(), p], config), [
      finding(
        order,
        p,
        `Maintenance window "prod-install" cannot be checked during preview: its schedule${unknownTail}`,
        "advisory",
      ),
    ]);
    const t = prod({ tags: UNKNOWN });
    assert.deepEqual(evaluatePolicies([canary(), t], config), [
      finding(
        order,
        t,
        `Maintenance window "prod-install" cannot be checked during preview: its tags${unknownTail}`,
        "advisory",
      ),
    ]);
  });
});
