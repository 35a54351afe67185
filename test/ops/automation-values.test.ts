import { strict as assert } from "assert";
import {
  MAX_CONCURRENCY_PATTERN,
  MAX_ERRORS_PATTERN,
  maxConcurrencyValue,
  maxErrorsValue,
  targetLocationChunks,
} from "../../automation/ops/automation-values";
import { member } from "./fixtures";

describe("values sent to SSM Automation", () => {
  it("rollout.maxConcurrent becomes a TargetLocationMaxConcurrency SSM accepts (R6)", () => {
    assert.equal(maxConcurrencyValue({ kind: "count", value: 1 }), "1");
    assert.equal(maxConcurrencyValue({ kind: "count", value: 250 }), "250");
    assert.equal(maxConcurrencyValue({ kind: "percent", value: 1 }), "1%");
    assert.equal(maxConcurrencyValue({ kind: "percent", value: 10 }), "10%");
    assert.equal(maxConcurrencyValue({ kind: "percent", value: 100 }), "100%");
    for (const bad of [
      { kind: "count" as const, value: 0 },
      { kind: "percent" as const, value: 0 },
      { kind: "percent" as const, value: 101 },
      { kind: "count" as const, value: 1.5 },
    ]) {
      assert.throws(() => maxConcurrencyValue(bad), {
        name: "RangeError",
        message:
          `rollout.maxConcurrent ${bad.value}${bad.kind === "percent" ? "%" : ""} cannot be sent ` +
          "to SSM: use a whole count of at least 1 or a percentage from 1% to 100%",
      });
    }
  });

  it("rollout.failureTolerance becomes a TargetLocationMaxErrors SSM accepts, 0 and 0% included", () => {
    assert.equal(maxErrorsValue({ kind: "count", value: 0 }), "0");
    assert.equal(maxErrorsValue({ kind: "count", value: 7 }), "7");
    assert.equal(maxErrorsValue({ kind: "percent", value: 0 }), "0%");
    assert.equal(maxErrorsValue({ kind: "percent", value: 10 }), "10%");
    assert.equal(maxErrorsValue({ kind: "percent", value: 100 }), "100%");
    assert.throws(() => maxErrorsValue({ kind: "percent", value: 150 }), {
      message:
        "rollout.failureTolerance 150% cannot be sent to SSM: use a whole count of at least 0 " +
        "or a percentage from 0% to 100%",
    });
    assert.throws(() => maxErrorsValue({ kind: "count", value: -1 }), RangeError);
  });

  it("every value produced for counts 0-300 and percentages 0-100 matches SSM's patterns", () => {
    let checked = 0;
    for (let v = 0; v <= 300; v++) {
      for (const kind of ["count", "percent"] as const) {
        if (kind === "percent" && v > 100) continue;
        try {
          assert.match(maxConcurrencyValue({ kind, value: v }), MAX_CONCURRENCY_PATTERN);
          checked += 1;
        } catch (err) {
          assert.ok(err instanceof RangeError && v === 0, `maxConcurrent ${v} ${kind}`);
        }
        assert.match(maxErrorsValue({ kind, value: v }), MAX_ERRORS_PATTERN);
        checked += 1;
      }
    }
    assert.equal(checked, 300 + 100 + 301 + 101);
  });

  it("chunks members into target locations of at most 50 accounts x 50 regions, each target once", () => {
    const regionsA = Array.from({ length: 60 }, (_, i) => `r-${String(i).padStart(2, "0")}`);
    const accountsA = Array.from({ length: 120 }, (_, i) => `8${String(i).padStart(11, "0")}`);
    const members = [
      ...accountsA.map((a) => member(a, regionsA)),
      member("900000000001", ["us-east-1"]),
      member("900000000002", ["us-east-1"]),
    ];
    const chunks = targetLocationChunks(members);
    assert.deepEqual(
      chunks.map((c) => [c.accounts.length, c.regions.length]),
      [
        [50, 50],
        [50, 10],
        [50, 50],
        [50, 10],
        [20, 50],
        [20, 10],
        [2, 1],
      ],
    );
    const seen = new Set<string>();
    for (const c of chunks) {
      for (const a of c.accounts) {
        for (const r of c.regions) {
          assert.ok(!seen.has(`${a}/${r}`), `${a}/${r} twice`);
          seen.add(`${a}/${r}`);
        }
      }
    }
    assert.equal(seen.size, 120 * 60 + 2);
  });
});
