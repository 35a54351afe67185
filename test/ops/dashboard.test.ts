import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "puppeteer-core";
import { ComplianceReport, gatherCompliance } from "../../automation/ops/compliance";
import { compliancePercent, escapeHtml, renderDashboard } from "../../automation/ops/dashboard";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL_KEY, makeFleet, makeInstances, member, registerRoles } from "./fixtures";
import { launchChromium } from "../helpers/browser";
import { repoPath } from "../helpers/repo-paths";

const ARTIFACTS = repoPath("test-artifacts");
const A = "222222222222";
const B = "333333333333";

/**
 * Opens `url` in a new tab (viewport `width`×`height`), waits for the page's own script to run,
 * and returns the serialized DOM and every URL the page asked for.
 */
async function open(
  browser: Browser,
  url: string,
  width = 1280,
  height = 800,
): Promise<{ dom: string; requests: string[]; page: Page }> {
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.setViewport({ width, height });
  await page.goto(url, { waitUntil: "load", timeout: 60_000 });
  const dom = await page.content();
  return { dom, requests, page };
}

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();
}

/** The cells of every `<tr {attr}="...">` row, keyed by that attribute. */
function rows(dom: string, attr: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const re = new RegExp(`<tr ${attr}="([^"]*)">([\\s\\S]*?)</tr>`, "g");
  for (const m of dom.matchAll(re)) {
    const cells = [...m[2].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => text(c[1]));
    out.push([text(m[1]), cells]);
  }
  return out;
}

describe("compliance dashboard in headless Chromium", function () {
  this.timeout(120_000);
  let fake: FakeAws;
  let restoreEnv: () => void;
  let report: ComplianceReport;
  let dir: string;
  let file: string;
  let browser: Browser | undefined;

  before(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    const fleet = makeFleet([
      member(A, ["us-east-1", "eu-west-1"], { name: "payments <prod>" }),
      member(B, ["us-east-1"]),
    ]);
    registerRoles(fake, fleet);
    fake.unassumable.add(`arn:aws:iam::${B}:role/patchfleet-read`);
    fake.instances.set(`${A}/us-east-1`, makeInstances("a", 9));
    fake.instances.set(`${A}/eu-west-1`, makeInstances("e", 4));
    report = await gatherCompliance({
      fleet,
      runId: "dash1",
      aws: { endpoint: fake.url },
      now: () => new Date("2026-11-25T12:00:00Z"),
    });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-dash-"));
    file = path.join(dir, "dashboard.html");
    await fs.writeFile(file, renderDashboard(report));
    browser = await launchChromium(path.join(dir, "profile"));
  });
  after(async () => {
    await browser?.close();
    await fake?.stop();
    restoreEnv?.();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("is self-contained: no external scripts, styles, images or fonts", async () => {
    const html = await fs.readFile(file, "utf8");
    assert.doesNotMatch(html, /<(script|link|img|iframe)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /url\(|@import|https?:\/\//i);
    assert.match(html, /<td>payments &lt;prod&gt;<\/td>/);
  });

  it("shows the same numbers as the JSON report", async () => {
    const { dom, requests } = await open(browser!, `file://${file}`);
    // Nothing but the page itself was loaded.
    assert.deepEqual(requests, [`file://${file}`]);
    const totals = Object.fromEntries(
      [...dom.matchAll(/<dd data-total="([a-zA-Z]+)">([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]),
    );
    const t = report.totals;
    assert.deepEqual(totals, {
      targets: String(t.targets),
      targetsFailed: String(t.targetsFailed),
      instances: String(t.instances),
      compliant: String(t.compliant),
      nonCompliant: String(t.nonCompliant),
      // One of three account-regions could not be read: the figure covers what was read and says so.
      percent: `${compliancePercent(t)}% of ${t.targetsRead}/${t.targets} account-regions read`,
      missing: String(t.missing),
      failed: String(t.failed),
      criticalNonCompliant: String(t.criticalNonCompliant),
      securityNonCompliant: String(t.securityNonCompliant),
    });
    assert.deepEqual(totals.instances, "13");
    assert.deepEqual(totals.targetsFailed, "1");

    const targetRows = rows(dom, "data-target");
    assert.deepEqual(
      targetRows.map(([key, c]) => [
        key,
        c[3],
        c[4],
        c[5],
        c[6],
        c[7],
        c[8],
        c[9],
        c[10],
        c[11],
        c[12],
        c[13],
      ]),
      report.targets.map((x) => [
        `${x.account}/${x.region}`,
        x.state,
        String(x.totals.instances),
        String(x.totals.compliant),
        String(x.totals.nonCompliant),
        x.state === "SUCCEEDED" ? `${compliancePercent(x.totals)}%` : "not read",
        String(x.totals.missing),
        String(x.totals.failed),
        String(x.totals.criticalNonCompliant),
        String(x.totals.securityNonCompliant),
        x.lastOperation ?? "-",
        x.lastOperationTime ?? "-",
      ]),
    );
    assert.match(dom, /style="width:66%"/); // us-east-1 of A: 6 of 9 compliant, floor(66.7)

    assert.deepEqual(rows(dom, "data-unread"), [
      [
        `${B}/us-east-1`,
        [B, "acct-333", "us-east-1", "FAILED", text(escapeHtml(report.targets[2].reason))],
      ],
    ]);
    assert.match(report.targets[2].reason, /AccessDenied/);

    const groupRows = rows(dom, "data-group");
    assert.deepEqual(
      groupRows.map(([g, c]) => [g, c[1], c[2], c[3], c[5], c[6]]),
      [
        ["al2023-prod", "7", "4", "3", "6", "3"],
        ["ubuntu-prod", "6", "4", "2", "4", "0"],
      ],
    );

    const bad = rows(dom, "data-instance");
    const expected = report.targets.flatMap((x) =>
      x.instances
        .filter((i) => !i.compliant)
        .map((i) => [
          i.instanceId,
          x.account,
          x.region,
          i.patchGroup,
          String(i.missing),
          String(i.failed),
          [...i.failedPatches.map((p) => `failed: ${p}`), ...i.missingPatches].join(""),
        ]),
    );
    assert.equal(expected.length, 5);
    assert.deepEqual(
      bad.map(([id, c]) => [id, c[2], c[3], c[4], c[5], c[6], c[9]]),
      expected,
    );
  });

  it("sorts tables in the page (opened sorted by instance count, descending)", async () => {
    const { dom } = await open(browser!, `file://${file}#sort=targets:4:desc`);
    assert.deepEqual(
      rows(dom, "data-target").map(([key, c]) => [key, c[4]]),
      [
        [`${A}/us-east-1`, "9"],
        [`${A}/eu-west-1`, "4"],
        [`${B}/us-east-1`, "0"],
      ],
    );
    assert.match(dom, /<th data-col="4" title="click to sort" class="desc">Instances<\/th>/);
  });

  it("keeps a screenshot as a test artifact", async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    const png = path.join(ARTIFACTS, "dashboard.png");
    await fs.rm(png, { force: true });
    const { page } = await open(browser!, `file://${file}`, 1280, 2000);
    await page.screenshot({ path: png as `${string}.png` });
    const head = (await fs.readFile(png)).subarray(0, 8);
    assert.deepEqual([...head], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
