import { strict as assert } from "assert";
import { stringify } from "yaml";
import { FleetError, FleetIssue, parseFleet } from "../../automation/fleet/parse-fleet";
import { PATCH_SEVERITIES } from "../../automation/fleet/compliance-settings";
import { baseFleet } from "./fixtures";

function issuesOf(compliance: unknown): FleetIssue[] {
  try {
    parseFleet(stringify({ ...baseFleet(), compliance }), "fleet.yaml");
  } catch (err) {
    assert.ok(err instanceof FleetError);
    return err.issues.map(({ path, message }) => ({ path, message }));
  }
  assert.fail("expected the fleet to be rejected");
}

describe("fleet file: compliance section", () => {
  it("defaults to the SLA table of the docs, a 7-day scan limit and history beside the fleet file", () => {
    const fleet = parseFleet(stringify(baseFleet()), "fleet.yaml");
    assert.deepEqual(fleet.compliance, {
      // docs/fleet-file.md "Compliance": Critical 14, Important 30, Medium 90, Low 180; Moderate
      // (Windows and RHEL's middle level) as Medium.
      slaDays: { Critical: 14, Important: 30, Moderate: 90, Medium: 90, Low: 180 },
      maxScanAgeDays: 7,
      history: {
        enabled: true,
        file: ".patchfleet/compliance-history.sqlite",
        logBucket: false,
      },
    });
  });

  it("accepts every severity SSM reports per OS, overrides and removals", () => {
    // Severity values per OS: SEVERITY (Amazon Linux: Critical, Important, Medium, Low; RHEL:
    // Critical, Important, Moderate, Low), MSRC_SEVERITY (Windows: ... Unspecified), PRIORITY
    // (Debian/Ubuntu: Required, Important, Standard, Optional, Extra)
    // https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PatchFilter.html
    for (const s of ["Critical", "Important", "Moderate", "Medium", "Low", "Unspecified", "None"]) {
      assert.ok(PATCH_SEVERITIES.includes(s), s);
    }
    const fleet = parseFleet(
      stringify({
        ...baseFleet(),
        compliance: {
          slaDays: { Critical: 7, Unspecified: 365, Low: null },
          maxScanAgeDays: 3,
          history: { file: "history/fleet.sqlite", logBucket: true },
        },
      }),
      "fleet.yaml",
    );
    assert.deepEqual(fleet.compliance!.slaDays, {
      Critical: 7,
      Important: 30,
      Moderate: 90,
      Medium: 90,
      Unspecified: 365,
    });
    assert.equal(fleet.compliance!.maxScanAgeDays, 3);
    assert.deepEqual(fleet.compliance!.history, {
      enabled: true,
      file: "history/fleet.sqlite",
      logBucket: true,
    });
    const off = parseFleet(stringify({ ...baseFleet(), compliance: { history: false } }), "f.yaml");
    assert.equal(off.compliance!.history.enabled, false);
  });

  it("names the path and the fix for each bad value", () => {
    const issues = issuesOf({
      slaDays: { Critcal: 14, High: 3, Important: -1, Low: "90" },
      maxScanAgeDays: 0,
      history: { file: "", logBucket: "yes", where: "s3" },
      alerts: true,
    });
    const paths = issues.map((i) => i.path);
    for (const p of [
      "compliance.slaDays.Critcal",
      "compliance.slaDays.High",
      "compliance.slaDays.Important",
      "compliance.slaDays.Low",
      "compliance.maxScanAgeDays",
      "compliance.history.file",
      "compliance.history.logBucket",
      "compliance.history.where",
      "compliance.alerts",
    ]) {
      assert.ok(paths.includes(p), `${p} missing from ${JSON.stringify(issues, null, 1)}`);
    }
    const typo = issues.find((i) => i.path === "compliance.slaDays.Critcal")!;
    assert.match(typo.message, /did you mean Critical\?/);
    assert.equal(
      issues.find((i) => i.path === "compliance.slaDays.Important")!.message,
      "must be a whole number of days, 0–3650, got -1",
    );
    assert.equal(
      issues.find((i) => i.path === "compliance.maxScanAgeDays")!.message,
      "must be at least 1 day, got 0",
    );
  });
});
