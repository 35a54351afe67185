import { strict as assert } from "assert";
import * as fs from "fs";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { FleetError, parseFleet } from "../../automation/fleet/parse-fleet";
import type { Fleet } from "../../automation/fleet/types";
import { baseFleet } from "./fixtures";
import { repoPath } from "../helpers/repo-paths";

const EXAMPLE = fs.readFileSync(repoPath("examples", "fleet.yaml"), "utf8");

/** B2: whatever comes in, a Fleet or a FleetError comes out — never another exception. */
function check(text: string): "ok" | "rejected" {
  let fleet: Fleet;
  try {
    fleet = parseFleet(text, "fuzz.yaml");
  } catch (err) {
    if (!(err instanceof FleetError)) {
      assert.fail(`parseFleet threw ${String(err)} for:\n${text.slice(0, 2000)}`);
    }
    assert.ok(err.issues.length > 0, "a FleetError without issues");
    for (const i of err.issues) {
      assert.equal(typeof i.path, "string");
      assert.ok(i.message.length > 0, `empty message at ${i.path}`);
      // The safety net in parseFleet turns validator bugs into issues; the fuzzer must find none.
      assert.doesNotMatch(i.message, /could not be validated/, `validator crashed: ${i.message}`);
    }
    assert.ok(err.message.startsWith("fuzz.yaml: "));
    return "rejected";
  }
  // What is accepted is a well-formed fleet.
  assert.match(fleet.central.account, /^[0-9]{12}$/);
  for (const a of [fleet.central, ...fleet.members]) {
    assert.match(a.account, /^[0-9]{12}$/);
    assert.ok(a.regions.length > 0);
    assert.ok(Object.keys(a.patchGroups).length > 0);
  }
  assert.equal(
    new Set([fleet.central, ...fleet.members].map((a) => a.account)).size,
    fleet.members.length + 1,
  );
  return "ok";
}

const keyish = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "account",
    "name",
    "regions",
    "central",
    "members",
    "patchGroups",
    "operatingSystem",
    "approvalRules",
    "rollout",
    "maxConcurrent",
    "tags",
    "schedule",
  ),
);
const domainValue = fc.constantFrom<unknown>(
  "us-east-1",
  "eu-west-1",
  "us-gov-west-1",
  "111111111111",
  "222222222222",
  111111111111,
  "25%",
  "0%",
  "101%",
  "cron(0 1 ? * * *)",
  "rate(7 days)",
  "AMAZON_LINUX_2023",
  "WINDOWS",
  "arn:aws:iam::222222222222:role/x",
  null,
  0,
  -1,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  "",
  [],
  {},
);
const anyValue = fc.oneof(
  domainValue,
  fc.anything({ key: keyish, maxDepth: 3, maxKeys: 4, withNullPrototype: true }),
);

function yamlOf(value: unknown): string {
  try {
    const text = stringify(value);
    return typeof text === "string" ? text : "";
  } catch {
    return "";
  }
}

/** Every (container, key) position inside a document, depth first. */
function positions(doc: unknown): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node as unknown as Record<number, unknown>, i]);
        walk(child);
      });
    } else if (typeof node === "object" && node !== null) {
      for (const [k, child] of Object.entries(node)) {
        out.push([node as Record<string, unknown>, k]);
        walk(child);
      }
    }
  };
  walk(doc);
  return out;
}

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "delete", "addKey", "duplicate"),
  value: anyValue,
  key: keyish,
});

function mutate(doc: unknown, steps: { at: number; op: string; value: unknown; key: string }[]) {
  for (const s of steps) {
    const all = positions(doc);
    if (all.length === 0) return;
    const [container, key] = all[s.at % all.length];
    if (s.op === "set") container[key] = s.value;
    else if (s.op === "delete") {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key];
    } else if (s.op === "addKey") {
      const target = container[key];
      if (typeof target === "object" && target !== null && !Array.isArray(target)) {
        Object.defineProperty(target, s.key, {
          value: s.value,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else container[key] = { [s.key]: s.value };
    } else {
      const target = container[key];
      if (Array.isArray(target) && target.length > 0) target.push(structuredClone(target[0]));
      else container[key] = structuredClone(target);
    }
  }
}

describe("parseFleet fuzz (B2): only FleetError ever comes out", () => {
  it("random YAML-ish text", () => {
    const chars = fc.constantFrom(..."ab01 :-[]{},&*!|>'\"#%@`?\n\t\\.%~".split(""));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 120 }), (text) => {
        check(text);
      }),
      { numRuns: 1500 },
    );
  });

  it("random values and maps written as YAML", () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        check(yamlOf(value));
      }),
      { numRuns: 1500 },
    );
  });

  it("valid fleets with random mutations", () => {
    let accepted = 0;
    const example = parse(EXAMPLE) as unknown;
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (useExample, steps) => {
          const doc = useExample ? structuredClone(example) : baseFleet();
          mutate(doc, steps);
          if (check(yamlOf(doc)) === "ok") accepted++;
        },
      ),
      { numRuns: 2000 },
    );
    // The mutations must not all be trivially fatal: some documents stay valid.
    assert.ok(accepted > 50, `only ${accepted} mutated fleets were valid`);
  }).timeout(180_000); // CPU-bound (thousands of parses): ~11 s alone, several times that on a loaded machine

  it("the example file with random character edits", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat(EXAMPLE.length),
            cut: fc.nat(6),
            insert: fc.string({ maxLength: 4 }),
          }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        (edits) => {
          let text = EXAMPLE;
          for (const e of edits) text = text.slice(0, e.at) + e.insert + text.slice(e.at + e.cut);
          check(text);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
