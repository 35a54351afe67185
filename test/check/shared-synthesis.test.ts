/**
 * Shared synthesis (automation/check/restamp.ts) against full synthesis: a re-stamped result must
 * be exactly what synthesizing the target on its own gives, and the check's reports must be the
 * same bytes either way.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { runCheck } from "../../automation/check";
import {
  htmlChunks,
  jsonChunks,
  reportTarget,
  tallyLine,
  textChunks,
} from "../../automation/check";
import { classKey, comparable, Template, templateJob } from "../../automation/check/restamp";
import { fleetJobs } from "../../automation/check/targets";
import type { CheckJob } from "../../automation/check/types";
import { runJob } from "../../automation/check/worker";
import { recordHashes } from "../../automation/check/mocks";
import { ensureBuilt } from "./cli-helpers";

const CENTRAL_REGIONS = ["us-east-1", "ap-southeast-2"];

const PATCH_GROUPS = {
  web: {
    operatingSystem: "AMAZON_LINUX_2023",
    approvalRules: [
      { patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }], approveAfterDays: 7 },
    ],
  },
};
const OVERRIDE = {
  web: {
    operatingSystem: "AMAZON_LINUX_2023",
    // Past the policy pack's default maximum of 7 days: an advisory/mandatory finding to re-stamp.
    approvalRules: [
      { patchFilters: [{ key: "CLASSIFICATION", values: ["Bugfix"] }], approveAfterDays: 30 },
    ],
  },
};

interface MemberSpec {
  account: string;
  regions: string[];
  override: boolean;
  deployRole: boolean;
}

const memberSpec: fc.Arbitrary<MemberSpec> = fc.record({
  account: fc.stringMatching(/^[2-9][0-9]{11}$/),
  regions: fc.constantFrom(
    ["us-east-1"],
    ["ap-southeast-2"],
    ["us-east-1", "ap-southeast-2"],
    ["ap-southeast-2", "us-east-1"],
  ),
  override: fc.boolean(),
  deployRole: fc.boolean(),
});

/** A fleet document; tags may hold a region or an account id as a literal, to test the key. */
function fleetDoc(members: MemberSpec[], tag: string): Record<string, unknown> {
  return {
    central: { account: "111111111111", name: "central", regions: CENTRAL_REGIONS },
    members: members.map((m, i) => ({
      account: m.account,
      name: `m${i}-${m.account.slice(0, 3)}`,
      regions: m.regions,
      ...(m.deployRole ? { deployRole: `arn:aws:iam::${m.account}:role/deploy` } : {}),
      ...(m.override ? { patchGroups: OVERRIDE } : {}),
    })),
    patchGroups: PATCH_GROUPS,
    maintenanceWindows: { scan: { schedule: "cron(0 1 ? * * *)", durationHours: 2 } },
    tags: { owner: "platform", literal: tag },
  };
}

async function synthesized(job: CheckJob, record = false) {
  const stop = record ? recordHashes() : undefined;
  const result = await runJob(job);
  if (stop) result.hashes = stop();
  return result;
}

describe("check: shared synthesis equals full synthesis", function () {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-shared-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("re-stamps every member of a class to exactly its own synthesis (random fleets)", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(memberSpec, { minLength: 3, maxLength: 3, selector: (m) => m.account }),
        fc.constantFrom("us-east-1", "ap-southeast-2", "none"),
        async (members, tag) => {
          const file = path.join(dir, "fleet.yaml");
          fs.writeFileSync(file, stringify(fleetDoc(members, tag)));
          const jobs = (await fleetJobs(file, {})).slice(1);
          const classes = new Map<string, CheckJob[]>();
          for (const job of jobs) {
            const key = classKey(job);
            assert.ok(key !== undefined);
            classes.set(key, [...(classes.get(key) ?? []), job]);
          }
          for (const [, list] of classes) {
            if (list.length < 2) continue;
            const template = new Template(
              templateJob(list[0], list[0].index),
              await synthesized(templateJob(list[0], list[0].index), true),
            );
            for (const job of list.slice(0, 2)) {
              assert.equal(comparable(template.restamp(job)), comparable(await synthesized(job)));
              compared += 1;
            }
          }
        },
      ),
      { numRuns: 3, seed: 1517 },
    );
    assert.ok(compared >= 2, `only ${compared} re-stamps compared`);
  });

  it("keeps apart accounts whose configuration names a region or account id as a literal", async () => {
    const members: MemberSpec[] = [
      { account: "222222222222", regions: ["us-east-1"], override: false, deployRole: false },
      { account: "333333333333", regions: ["ap-southeast-2"], override: false, deployRole: false },
    ];
    const file = path.join(dir, "literal.yaml");
    fs.writeFileSync(file, stringify(fleetDoc(members, "us-east-1")));
    const [, a, b] = await fleetJobs(file, {});
    // The tag "us-east-1" is a's region but a literal for b: their topologies differ beyond the stamp.
    assert.notEqual(classKey(a), classKey(b));
    fs.writeFileSync(file, stringify(fleetDoc(members, "none")));
    const [, c, d] = await fleetJobs(file, {});
    assert.equal(classKey(c), classKey(d));
  });

  it("writes the same JSON, text and HTML as --full-synthesis", async function () {
    ensureBuilt();
    const members: MemberSpec[] = ["222222222222", "333333333333", "444444444444"].map(
      (account, i) => ({
        account,
        regions: i === 1 ? ["ap-southeast-2"] : ["us-east-1"],
        override: true,
        deployRole: true,
      }),
    );
    const file = path.join(dir, "same.yaml");
    fs.writeFileSync(file, stringify(fleetDoc(members, "none")));
    const render = async (fullSynthesis: boolean) => {
      const outcome = await runCheck({ fleet: file, workers: 1, fullSynthesis });
      const targets = () => [...outcome.results()].map(reportTarget);
      const line = tallyLine(outcome.tally);
      return {
        stats: outcome.stats,
        json: [...jsonChunks(targets(), outcome.tally.summary)].join(""),
        text: [...textChunks(targets(), line, outcome.tally.summary.mandatory > 0, false)].join(""),
        html: [...htmlChunks(targets(), line)].join(""),
        report: JSON.stringify(outcome.report, null, 2),
      };
    };
    const shared = await render(false);
    const full = await render(true);
    assert.equal(shared.stats.restamped, 2, "three members of one class: two re-stamped");
    assert.equal(shared.stats.synthesized, 3, "central, the template and its verification");
    assert.equal(full.stats.restamped, 0);
    assert.equal(shared.json, full.json);
    assert.equal(shared.json, full.report);
    assert.equal(shared.text, full.text);
    assert.equal(shared.html, full.html);
    assert.match(shared.text, /advisory|mandatory/);
  });
});
