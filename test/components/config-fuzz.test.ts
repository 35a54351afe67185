import { strict as assert } from "assert";
import fc from "fast-check";
import { ConfigError, STACK_CONFIG_KEYS, parseAccountConfig } from "../../components/config";
import { exampleRaw, rawMember } from "./fixtures";

/**
 * B2: whatever document arrives, parseAccountConfig either returns a config or throws a
 * ConfigError whose every issue has a path and a message. A crash inside a validator is turned
 * into an issue "could not be validated" by parseAccountConfig's last-resort guard; that guard
 * must never fire, so the tests fail on it too.
 */
function checkOutcome(doc: unknown): "accepted" | "rejected" {
  let result: unknown;
  try {
    result = parseAccountConfig(doc);
  } catch (err) {
    if (!(err instanceof ConfigError)) {
      throw new Error(`non-ConfigError escaped: ${String(err)} for ${safeJson(doc)}`);
    }
    assert.ok(err.issues.length > 0, "ConfigError without issues");
    for (const issue of err.issues) {
      assert.equal(typeof issue.path, "string");
      assert.ok(issue.path.length > 0, `issue without a path: ${issue.message}`);
      assert.ok(issue.message.length > 0, `issue without a message at ${issue.path}`);
      // The document is printed only on failure: serialising it for every issue was a quarter of
      // this file's CPU.
      if (issue.message.startsWith("could not be validated")) {
        assert.fail(`validator crashed: ${issue.path}: ${issue.message} for ${safeJson(doc)}`);
      }
    }
    return "rejected";
  }
  const config = result as { role: string; accountId: string; regions: string[] };
  assert.ok(config.role === "central" || config.role === "member");
  assert.match(config.accountId, /^[0-9]{12}$/);
  assert.ok(config.regions.length > 0);
  return "accepted";
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return "(unprintable)";
  }
}

/** Every path (as key lists) of containers and leaves in a JSON-like value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function mutate(doc: unknown, path: (string | number)[], replacement: unknown, remove: boolean) {
  if (path.length === 0) return replacement;
  let node = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (remove) delete node[last];
  else node[last] = replacement;
  return doc;
}

const value = fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: true });
const mutation = fc.record({ at: fc.nat(), replacement: value, remove: fc.boolean() });

/** Values near the valid ones, so generated documents get past the first checks. */
const plausible = fc.oneof(
  fc.constantFrom(
    "central",
    "member",
    "111111111111",
    "us-east-1",
    "cron(0 2 ? * SUN *)",
    "10%",
    "0",
  ),
  fc.constantFrom("WINDOWS", "AMAZON_LINUX_2023", "UBUNTU", "CLASSIFICATION", "SEVERITY", "*"),
  fc.integer({ min: -5, max: 400 }),
  fc.boolean(),
  fc.constant(null),
);
const filter = fc.record(
  {
    key: fc.oneof(plausible, fc.string()),
    values: fc.array(fc.oneof(plausible, fc.string()), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const rule = fc.record(
  {
    patchFilters: fc.array(filter, { maxLength: 3 }),
    approveAfterDays: fc.oneof(fc.integer({ min: -2, max: 400 }), plausible),
    approveUntilDate: fc.oneof(fc.constantFrom("2026-02-28", "2026-02-30", "26-1-1"), plausible),
    complianceLevel: fc.oneof(fc.constantFrom("CRITICAL", "HIGH", "SEVERE"), plausible),
    enableNonSecurity: plausible,
  },
  { requiredKeys: [] },
);
const patchGroup = fc.record(
  {
    operatingSystem: plausible,
    approvalRules: fc.array(rule, { maxLength: 2 }),
    globalFilters: fc.array(filter, { maxLength: 2 }),
    sources: fc.array(
      fc.record({ name: plausible, products: fc.array(plausible), configuration: plausible }),
      { maxLength: 1 },
    ),
    defaultForOperatingSystem: plausible,
    rejectedPatchesAction: fc.oneof(fc.constantFrom("BLOCK", "ALLOW_AS_DEPENDENCY"), plausible),
  },
  { requiredKeys: [] },
);
const window = fc.record(
  {
    schedule: fc.oneof(
      fc.constantFrom("rate(7 days)", "cron(0 2 * * SUN *)"),
      fc.string(),
      plausible,
    ),
    durationHours: plausible,
    cutoffHours: plausible,
    offsetDays: plausible,
    timezone: fc.oneof(fc.constantFrom("UTC", "Europe/Berlin", "Mars/Base"), plausible),
    maxConcurrency: plausible,
    maxErrors: plausible,
  },
  { requiredKeys: [] },
);
const structured = fc.record(
  {
    ...Object.fromEntries(STACK_CONFIG_KEYS.map((k) => [k, fc.oneof(plausible, value)])),
    regions: fc.array(fc.oneof(plausible, fc.constantFrom("eu-west-1", "us-gov-west-1")), {
      maxLength: 3,
    }),
    memberAccountIds: fc.array(fc.oneof(plausible, fc.constantFrom("222222222222", 222222222222)), {
      maxLength: 3,
    }),
    patchGroups: fc.dictionary(
      fc.oneof(fc.constantFrom("web", "db", "a b", ""), fc.string()),
      patchGroup,
      { maxKeys: 3 },
    ),
    maintenanceWindows: fc.record({ scan: window, install: window }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe("parseAccountConfig fuzz (B2)", function () {
  this.timeout(60_000);

  it("throws only ConfigError for 2,000 arbitrary documents", () => {
    let rejected = 0;
    fc.assert(
      fc.property(value, (doc) => {
        checkOutcome(doc);
        rejected++;
      }),
      { numRuns: 2000, seed: 20261125 },
    );
    assert.equal(rejected, 2000);
  });

  it("throws only ConfigError for 1,500 documents shaped like stack config", () => {
    let runs = 0;
    fc.assert(
      fc.property(structured, (doc) => {
        checkOutcome(doc);
        runs++;
      }),
      { numRuns: 1500, seed: 31337 },
    );
    assert.equal(runs, 1500);
  });

  it("throws only ConfigError for 3,000 mutations of valid configs", () => {
    const bases = [exampleRaw(), rawMember()];
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.nat(1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (b, muts) => {
        let doc: unknown = structuredClone(bases[b]);
        for (const m of muts) {
          const all = paths(doc);
          const path = all[m.at % all.length] as (string | number)[];
          doc = mutate(doc, path, m.replacement, m.remove);
        }
        if (checkOutcome(doc) === "accepted") accepted++;
        runs++;
      }),
      { numRuns: 3000, seed: 1125 },
    );
    assert.equal(runs, 3000);
    // Most single-point mutations break something; if nearly all were accepted, the validator
    // would be checking far too little.
    assert.ok(accepted < 2400, `accepted ${accepted} of 3000 mutated documents`);
  });
});
