import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { gatherCompliance } from "../../automation/ops/compliance";
import { renderDashboard } from "../../automation/ops/dashboard";
import { pointOf } from "../../automation/ops/history-store";
import { launchChromium } from "../helpers/browser";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL_KEY, makeFleet, member, registerRoles } from "./fixtures";
import { A, B, NODES, NOW, REGION, expected, loadFixture, settings } from "./sla-fixture";
import { repoPath } from "../helpers/repo-paths";

const ARTIFACTS = repoPath("test-artifacts");

describe("SLA dashboard in a real browser at 1280 px", function () {
  this.timeout(120_000);
  let fake: FakeAws;
  let restoreEnv: () => void;
  let dir: string;
  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-sla-page-"));
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** The SLA fixture's two accounts gathered from the local endpoint as run `runId`. */
  async function fixtureReport(runId: string) {
    const fleet = makeFleet([member(A, [REGION]), member(B, [REGION])], {
      compliance: settings(),
    });
    registerRoles(fake, fleet);
    loadFixture(fake);
    return gatherCompliance({ fleet, runId, aws: { endpoint: fake.url }, now: () => NOW });
  }

  it("shows the breaches first, fits 1280 px without sideways scrolling, and keeps a screenshot", async () => {
    const report = await fixtureReport("page1");
    const earlier = { ...pointOf(report), runId: "page0", generatedAt: "2026-01-01T00:00:00Z" };
    // A probe the page runs after layout: the widest scroll width and the first table's id.
    const probe =
      "<script>addEventListener('load',function(){var d=document.createElement('pre');" +
      "d.id='probe';d.textContent=JSON.stringify({w:document.documentElement.scrollWidth," +
      "first:document.querySelector('table').id,rows:document.querySelectorAll('#sla-breaches tbody tr').length});" +
      "document.body.appendChild(d);});</script>";
    const html = renderDashboard(report, [earlier, pointOf(report)]).replace(
      "</body>",
      `${probe}</body>`,
    );
    const page = path.join(dir, "dashboard.html");
    await fs.writeFile(page, html);
    // Chromium from the npm registry, or Debian's when installed (test/helpers/browser.ts).
    const browser = await launchChromium(path.join(dir, "profile"));
    let stdout: string;
    const png = path.join(ARTIFACTS, "dashboard-sla.png");
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1280, height: 900 });
      await tab.goto(`file://${page}`, { waitUntil: "load", timeout: 60_000 });
      await tab.waitForSelector("#probe", { timeout: 30_000 });
      stdout = await tab.content();
      await fs.mkdir(ARTIFACTS, { recursive: true });
      await tab.screenshot({ path: png as `${string}.png` });
    } finally {
      await browser.close();
    }
    const m = /<pre id="probe">([^<]*)<\/pre>/.exec(stdout);
    assert.ok(m, "the page's probe did not run");
    const seen = JSON.parse(m[1].replace(/&quot;/g, '"')) as {
      w: number;
      first: string;
      rows: number;
    };
    assert.equal(seen.first, "sla-breaches");
    assert.equal(seen.rows, expected().breaches);
    assert.ok(seen.w <= 1280, `page is ${seen.w}px wide at a 1280px window`);
    assert.ok((await fs.stat(png)).size > 0);
  });

  it("drills down per account: an account opens on click to show its own breaches and instances", async () => {
    const report = await fixtureReport("page2");
    const page = path.join(dir, "dashboard.html");
    await fs.writeFile(page, renderDashboard(report, [pointOf(report)]));
    // The fixture's own numbers: account A's breaching patches and its nodes with anything missing
    // or failed (computed from the fixture, not from the page's code).
    const accountOf = new Map(NODES.map((n) => [n.id, n.account]));
    const breachesOfA = expected().breachList.filter(([node]) => accountOf.get(node) === A);
    const badNodesOfA = NODES.filter(
      (n) => n.account === A && n.patches.some((p) => p.state !== "INSTALLED"),
    ).length;
    const browser = await launchChromium(path.join(dir, "profile"));
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1280, height: 900 });
      await tab.goto(`file://${page}`, { waitUntil: "load", timeout: 60_000 });
      // Run in the page as text: this project compiles without the DOM's types.
      const state = (sel: string) =>
        tab.evaluate(
          `(() => { const d = document.querySelector(${JSON.stringify(sel)});
            const items = d.querySelectorAll(".breaches li");
            return { open: d.open, breaches: items.length,
              instances: d.querySelectorAll(".instances li").length,
              visible: items.length > 0 && items[0].checkVisibility() }; })()`,
        ) as Promise<{ open: boolean; breaches: number; instances: number; visible: boolean }>;
      const sel = `details[data-account="${A}"]`;
      const before = await state(sel);
      assert.equal(before.open, false);
      assert.equal(before.visible, false, "an account's breaches are hidden until it is opened");
      await tab.click(`${sel} summary`);
      const after = await state(sel);
      assert.equal(after.open, true);
      assert.equal(after.visible, true);
      assert.equal(after.breaches, breachesOfA.length);
      assert.equal(after.instances, badNodesOfA);
      const width = (await tab.evaluate("document.documentElement.scrollWidth")) as number;
      assert.ok(width <= 1280, `page is ${width}px wide at a 1280px window once opened`);
    } finally {
      await browser.close();
    }
  });
});
