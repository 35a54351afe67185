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
import { A, B, NOW, REGION, expected, loadFixture, settings } from "./sla-fixture";

const ARTIFACTS = path.join(__dirname, "..", "..", "test-artifacts");

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

  it("shows the breaches first, fits 1280 px without sideways scrolling, and keeps a screenshot", async () => {
    const fleet = makeFleet([member(A, [REGION]), member(B, [REGION])], {
      compliance: settings(),
    });
    registerRoles(fake, fleet);
    loadFixture(fake);
    const report = await gatherCompliance({
      fleet,
      runId: "page1",
      aws: { endpoint: fake.url },
      now: () => NOW,
    });
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
});
