import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli/main";
import type { CliIO } from "../../automation/cli/io";
import type { ComplianceReport } from "../../automation/ops/compliance";
import { readHistory } from "../../automation/ops/history-store";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY } from "./fixtures";
import { A, B, NODES, REGION, expected, loadFixture } from "./sla-fixture";

const FLEET = `central:
  account: "${CENTRAL}"
  regions: [${REGION}]
members:
  - account: "${A}"
    name: prod-a
    regions: [${REGION}]
    readRole: arn:aws:iam::${A}:role/patchfleet-read
  - account: "${B}"
    name: prod-b
    regions: [${REGION}]
    readRole: arn:aws:iam::${B}:role/patchfleet-read
patchGroups:
  win-prod:
    operatingSystem: WINDOWS
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [SecurityUpdates]
        approveAfterDays: 7
compliance:
  slaDays: { Critical: 14, Important: 30, Medium: 90, Low: 180 }
  maxScanAgeDays: 7
`;

function io(env: NodeJS.ProcessEnv, cwd: string) {
  const out = { out: "", err: "" };
  const value: CliIO = {
    stdout: (t) => void (out.out += t),
    stderr: (t) => void (out.err += t),
    isTTY: false,
    env,
    cwd,
    signal: new AbortController().signal,
  };
  return Object.assign(out, { io: value });
}

describe("compliance history, SLA text and --fail-on (CLI, local SSM endpoint)", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let dir: string;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    fake.baseKeys.set(CENTRAL_KEY, CENTRAL);
    for (const a of [A, B]) {
      fake.roles.set(`arn:aws:iam::${a}:role/patchfleet-read`, { account: a });
    }
    loadFixture(fake);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-history-"));
    await fs.writeFile(path.join(dir, "fleet.yaml"), FLEET);
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(["compliance", "--fleet", "fleet.yaml", ...args], c.io);
    return { code, ...c };
  };

  it("two runs: both recorded beside the fleet file, and --history shows the trend", async () => {
    const want = expected();
    const first = await run("--report", "first.json");
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, new RegExp(`^SLA breaches: ${want.breaches}$`, "m"));
    assert.match(first.out, /evidence for these controls, not certification/);
    assert.match(first.out, /history recorded in \.patchfleet\/compliance-history\.sqlite/);
    const r1 = JSON.parse(
      await fs.readFile(path.join(dir, "first.json"), "utf8"),
    ) as ComplianceReport;

    // Between the runs win3 installs its only missing patch: one breach fewer, one more node
    // compliant.
    const win3 = fake.instances.get(`${B}/${REGION}`)!.find((i) => i.id.endsWith("win3"))!;
    win3.patches = [];
    win3.missing = 0;
    const second = await run("--report", "second.json", "--html", "dash.html");
    assert.equal(second.code, 0, second.err);
    const r2 = JSON.parse(
      await fs.readFile(path.join(dir, "second.json"), "utf8"),
    ) as ComplianceReport;

    const history = await readHistory(path.join(dir, ".patchfleet", "compliance-history.sqlite"));
    assert.deepEqual(
      history.map((h) => [h.runId, h.instances, h.compliant, h.breaches]),
      [
        [r1.runId, NODES.length, r1.totals.compliant, want.breaches],
        [r2.runId, NODES.length, r1.totals.compliant + 1, want.breaches - 1],
      ],
    );
    // The dashboard: SLA breaches before every other table, the chart with one point per run.
    const html = await fs.readFile(path.join(dir, "dash.html"), "utf8");
    assert.ok(html.indexOf('id="sla-breaches"') < html.indexOf('id="targets"'));
    assert.equal(html.match(/<tr data-breach=/g)?.length, want.breaches - 1);
    const chart = /<svg id="history-chart"[^]*?<\/svg>/.exec(html)?.[0] ?? "";
    for (const series of ["compliance", "breaches"]) {
      const pts = new RegExp(`data-series="${series}"[^>]*points="([^"]*)"`).exec(chart)?.[1];
      assert.equal(pts?.split(" ").length, 2, series);
    }
    assert.match(html, /evidence, not certification/);
    // Self-contained: nothing loaded from elsewhere.
    assert.doesNotMatch(html, /\b(src|href)=["']?(https?:)?\/\//);
    const callsBefore = fake.calls.length;
    const trend = await run("--history");
    assert.equal(trend.code, 0, trend.err);
    // --history reads the file only: no AWS call.
    assert.equal(fake.calls.length, callsBefore);
    const lines = trend.out.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(
      lines[2],
      /^Trend over 2 runs: compliance \+[0-9.]+ points, SLA breaches -1 \(improving\)$/,
    );
  });

  it("--fail-on breach exits 1 with the count; --fail-on noncompliant names non-compliant nodes", async () => {
    const want = expected();
    const breach = await run("--fail-on", "breach");
    assert.equal(breach.code, 1);
    assert.equal(breach.err, `--fail-on breach: ${want.breaches} patch(es) past their SLA\n`);
    const nc = await run("--fail-on", "noncompliant");
    assert.equal(nc.code, 1);
    assert.match(nc.err, /^--fail-on noncompliant: [0-9]+ non-compliant node\(s\)\n$/);
    // With every breach fixed, the breach gate passes.
    for (const key of [`${A}/${REGION}`, `${B}/${REGION}`]) {
      for (const i of fake.instances.get(key)!) {
        i.patches = (i.patches ?? []).filter((p) => p.state === "INSTALLED");
        i.missing = 0;
        i.failed = 0;
      }
    }
    const clean = await run("--fail-on", "breach");
    assert.equal(clean.code, 0, clean.err);
    const bad = await run("--fail-on", "always");
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--fail-on must be breach or noncompliant, got "always"/);
  });
});
