/**
 * The compliance dashboard: one self-contained HTML page (inline CSS and JS, no external assets)
 * rendered from a ComplianceReport. Numbers are rendered into the page, so it reads the same with
 * scripts off; the inline script only adds sorting.
 */
import type { ComplianceReport, PatchGroupCompliance, Totals } from "./compliance";
import { addTotals, emptyTotals } from "./compliance";
import { escapeHtml } from "../html/escape-html";
import { slaSectionHtml } from "./dashboard-sla";
import type { HistoryPoint } from "./history-store";

export { escapeHtml } from "../html/escape-html";

/**
 * Compliant share of the nodes that reported a patch state, in whole percent (floor, so 99.6 %
 * never shows as 100); undefined when none did ("no data" is not compliance).
 */
export function compliancePercent(
  t: Pick<Totals, "compliant" | "nonCompliant">,
): number | undefined {
  const reported = t.compliant + t.nonCompliant;
  return reported === 0 ? undefined : Math.floor((t.compliant * 100) / reported);
}

function cell(value: string | number, sortValue?: string | number, attrs = ""): string {
  const sv = sortValue === undefined ? "" : ` data-sort="${escapeHtml(String(sortValue))}"`;
  return `<td${sv}${attrs}>${typeof value === "number" ? value : escapeHtml(value)}</td>`;
}

function bar(percent: number | undefined): string {
  if (percent === undefined) return `<span title="no node reported a patch state">no data</span>`;
  const cls = percent >= 95 ? "ok" : percent >= 80 ? "warn" : "bad";
  return (
    `<div class="bar" title="${percent}% compliant"><div class="fill ${cls}" ` +
    `style="width:${percent}%"></div><span>${percent}%</span></div>`
  );
}

/** The columns of a Totals row (per target and per patch group), compliance bar included. */
const TOTALS_HEADERS = [
  "Instances",
  "Compliant",
  "Non-compliant",
  "Compliance",
  "Missing",
  "Failed",
  "Critical",
  "Security",
];

/** The cells under TOTALS_HEADERS; `percentCell` is the whole Compliance cell. */
function totalsCells(t: Totals, percentCell: string): string {
  return (
    cell(t.instances) +
    cell(t.compliant) +
    cell(t.nonCompliant) +
    percentCell +
    cell(t.missing) +
    cell(t.failed) +
    cell(t.criticalNonCompliant) +
    cell(t.securityNonCompliant)
  );
}

function table(id: string, headers: string[], rows: string[]): string {
  const ths = headers
    .map((h, i) => `<th data-col="${i}" title="click to sort">${escapeHtml(h)}</th>`)
    .join("");
  const body = rows.length ? rows.join("\n") : `<tr><td colspan="${headers.length}">none</td></tr>`;
  return `<table id="${id}" class="sortable"><thead><tr>${ths}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#5b6475;margin-bottom:16px}
details.account{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:6px 12px;margin:6px 0}
details.account summary{cursor:pointer;font-weight:600}details.account h3{font-size:14px;margin:10px 0 4px}
#fleet-totals{display:flex;flex-wrap:wrap;gap:12px;margin:0}
#fleet-totals div{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:8px 14px;min-width:110px}
#fleet-totals dt{color:#5b6475;font-size:12px}#fleet-totals dd{margin:0;font-size:20px;font-weight:600}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border:1px solid #d8dde6;padding:4px 8px;text-align:left;vertical-align:top}
td{white-space:normal;overflow-wrap:anywhere}
th{background:#eef1f5;cursor:pointer;user-select:none}th.asc::after{content:" \\25B2"}th.desc::after{content:" \\25BC"}
.bar{position:relative;width:96px;height:16px;background:#e5e8ee;border-radius:3px;overflow:hidden}
.bar .fill{height:100%}.bar .ok{background:#2e9d5b}.bar .warn{background:#d9a21b}.bar .bad{background:#cf3a3a}
.bar span{position:absolute;left:6px;top:0;font-size:11px;line-height:16px}
.state-FAILED{color:#cf3a3a;font-weight:600}.state-SKIPPED{color:#8a6d00}
ul.patches{margin:0;padding-left:16px}
`;

// Sorts a table by the clicked column: numbers numerically, everything else as text. A link
// ending in #sort=<table>:<column>:<asc|desc> opens the page sorted that way.
const SCRIPT = `
function sortTable(table, col, asc) {
  table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
  var th = table.querySelector('th[data-col="' + col + '"]');
  if (th) th.classList.add(asc ? "asc" : "desc");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  function key(row) {
    var c = row.cells[col];
    if (!c) return "";
    var v = c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent;
    var n = Number(v);
    return v !== "" && !isNaN(n) ? n : String(v).toLowerCase();
  }
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    var r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return asc ? r : -r;
  });
  rows.forEach(function (r) { body.appendChild(r); });
}
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () {
      sortTable(table, Number(th.getAttribute("data-col")), !th.classList.contains("asc"));
    });
  });
});
var initial = /^#sort=([a-z-]+):([0-9]+):(asc|desc)$/.exec(location.hash);
if (initial) {
  var t = document.getElementById(initial[1]);
  if (t) sortTable(t, Number(initial[2]), initial[3] === "asc");
}
`;

/**
 * One native <details> per account (works without scripts): the summary gives its compliance and
 * breach count; opened, its regions, its SLA breaches and its non-compliant instances.
 */
function accountDrillDown(report: ComplianceReport): string {
  const byAccount = new Map<string, ComplianceReport["targets"]>();
  for (const t of report.targets)
    byAccount.set(t.account, [...(byAccount.get(t.account) ?? []), t]);
  return [...byAccount.entries()]
    .map(([account, targets]) => {
      const sum = emptyTotals();
      for (const t of targets) if (t.state === "SUCCEEDED") addTotals(sum, t.totals);
      const p = compliancePercent(sum);
      const breaches = targets.flatMap((t) =>
        (t.sla?.findings ?? []).filter((f) => f.breach).map((f) => ({ t, f })),
      );
      const unread = targets.filter((t) => t.state !== "SUCCEEDED").length;
      const regions = targets
        .map((t) => {
          const tp = compliancePercent(t.totals);
          const text =
            t.state === "SUCCEEDED"
              ? `${tp === undefined ? "no data" : `${tp}%`} compliant, ${t.totals.instances} instance(s)`
              : `not read (${escapeHtml(t.state)}: ${escapeHtml(t.reason)})`;
          return `<li data-region="${escapeHtml(t.region)}">${escapeHtml(t.region)}: ${text}</li>`;
        })
        .join("");
      const breachItems = breaches
        .map(
          ({ t, f }) =>
            `<li data-breach="${escapeHtml(`${f.instanceId}/${f.kbId}`)}">${escapeHtml(f.severity)} ` +
            `${escapeHtml(f.kbId)} on ${escapeHtml(f.instanceId)} (${escapeHtml(t.region)}): ` +
            `${f.ageDays} days, SLA ${f.slaDays}</li>`,
        )
        .join("");
      const instances = targets
        .flatMap((t) => t.instances.filter((i) => !i.compliant).map((i) => ({ t, i })))
        .map(
          ({ t, i }) =>
            `<li data-instance="${escapeHtml(i.instanceId)}">${escapeHtml(i.instanceId)} ` +
            `(${escapeHtml(t.region)}, ${escapeHtml(i.patchGroup)}): ${i.missing} missing, ${i.failed} failed</li>`,
        )
        .join("");
      const name = targets[0].name;
      return (
        `<details class="account" data-account="${escapeHtml(account)}"><summary>` +
        `${escapeHtml(account)} ${escapeHtml(name)} · ` +
        `${p === undefined ? "no data" : `${p}% compliant`} · ${breaches.length} SLA breach(es)` +
        `${unread ? ` · ${unread} region(s) not read` : ""}</summary>` +
        `<h3>Regions</h3><ul>${regions}</ul>` +
        `<h3>SLA breaches</h3>${breachItems ? `<ul class="breaches">${breachItems}</ul>` : "<p>none</p>"}` +
        `<h3>Non-compliant instances</h3>${instances ? `<ul class="instances">${instances}</ul>` : "<p>none</p>"}` +
        `</details>`
      );
    })
    .join("\n");
}

export function renderDashboard(
  report: ComplianceReport,
  history: readonly HistoryPoint[] = [],
): string {
  const t = report.totals;
  const fleetPercent = compliancePercent(t);
  const totalItems: [string, string, number | string][] = [
    ["targets", "Account-regions", t.targets],
    ["targetsFailed", "Unreadable", t.targetsFailed],
    ["instances", "Instances", t.instances],
    ["compliant", "Compliant", t.compliant],
    ["nonCompliant", "Non-compliant", t.nonCompliant],
    [
      "percent",
      "Compliance",
      t.targetsRead < t.targets
        ? `${fleetPercent ?? "no data"}${fleetPercent === undefined ? "" : "%"} of ${t.targetsRead}/${t.targets} account-regions read`
        : fleetPercent === undefined
          ? "no data"
          : `${fleetPercent}%`,
    ],
    ["missing", "Missing patches", t.missing],
    ["failed", "Failed patches", t.failed],
    ["criticalNonCompliant", "Critical missing", t.criticalNonCompliant],
    ["securityNonCompliant", "Security missing", t.securityNonCompliant],
  ];
  const totalsHtml = totalItems
    .map(
      ([key, label, value]) =>
        `<div><dt>${escapeHtml(label)}</dt><dd data-total="${key}">${escapeHtml(String(value))}</dd></div>`,
    )
    .join("");

  const targetRows = report.targets.map((x) => {
    const p = compliancePercent(x.totals);
    return (
      `<tr data-target="${escapeHtml(`${x.account}/${x.region}`)}">` +
      cell(x.account) +
      cell(x.name) +
      cell(x.region) +
      `<td class="state-${x.state}" title="${escapeHtml(x.reason)}">${x.state}</td>` +
      totalsCells(
        x.totals,
        `<td data-sort="${x.state === "SUCCEEDED" ? p : -1}">${x.state === "SUCCEEDED" ? bar(p) : "not read"}</td>`,
      ) +
      cell(x.lastOperation ?? "-") +
      cell(x.lastOperationTime ?? "-") +
      "</tr>"
    );
  });

  const groups = new Map<string, PatchGroupCompliance>();
  for (const target of report.targets) {
    for (const g of target.patchGroups) {
      let sum = groups.get(g.patchGroup);
      if (!sum) {
        sum = { patchGroup: g.patchGroup, ...emptyTotals() };
        groups.set(g.patchGroup, sum);
      }
      addTotals(sum, g);
    }
  }
  const groupRows = [...groups.values()]
    .sort((a, b) => a.patchGroup.localeCompare(b.patchGroup))
    .map((g) => {
      const p = compliancePercent(g);
      return (
        `<tr data-group="${escapeHtml(g.patchGroup)}">` +
        cell(g.patchGroup) +
        totalsCells(g, `<td data-sort="${p ?? -1}">${bar(p)}</td>`) +
        "</tr>"
      );
    });

  const badRows: string[] = [];
  for (const target of report.targets) {
    for (const i of target.instances) {
      if (i.compliant) continue;
      const list = [
        ...i.failedPatches.map((p) => `<li>failed: ${escapeHtml(p)}</li>`),
        ...i.missingPatches.map((p) => `<li>${escapeHtml(p)}</li>`),
      ];
      badRows.push(
        `<tr data-instance="${escapeHtml(i.instanceId)}">` +
          cell(i.instanceId) +
          cell(i.name ?? "-") +
          cell(target.account) +
          cell(target.region) +
          cell(i.patchGroup) +
          cell(i.missing) +
          cell(i.failed) +
          cell(i.criticalNonCompliant) +
          cell(i.securityNonCompliant) +
          `<td>${list.length ? `<ul class="patches">${list.join("")}</ul>` : "-"}</td>` +
          "</tr>",
      );
    }
  }

  const accountsHtml = accountDrillDown(report);

  const unreadRows = report.targets
    .filter((x) => x.state !== "SUCCEEDED")
    .map(
      (x) =>
        `<tr data-unread="${escapeHtml(`${x.account}/${x.region}`)}">` +
        cell(x.account) +
        cell(x.name) +
        cell(x.region) +
        `<td class="state-${x.state}">${x.state}</td>` +
        cell(x.reason) +
        "</tr>",
    );

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>patchfleet compliance</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Fleet patch compliance</h1>
<div class="meta">Generated ${escapeHtml(report.generatedAt)} · run ${escapeHtml(report.runId)}</div>
<dl id="fleet-totals">${totalsHtml}</dl>
${slaSectionHtml(report, history)}
<h2>Per account and region</h2>
${table(
  "targets",
  ["Account", "Name", "Region", "State", ...TOTALS_HEADERS, "Last operation", "Last run"],
  targetRows,
)}
<h2>By account</h2>
<p class="meta">Open an account to see its regions, its SLA breaches and its non-compliant instances.</p>
<div id="accounts">${accountsHtml}</div>
<h2>Account-regions not read</h2>
${table("unread", ["Account", "Name", "Region", "State", "Reason"], unreadRows)}
<h2>Per patch group</h2>
${table("patch-groups", ["Patch group", ...TOTALS_HEADERS], groupRows)}
<h2>Non-compliant instances</h2>
${table(
  "noncompliant",
  [
    "Instance",
    "Name",
    "Account",
    "Region",
    "Patch group",
    "Missing",
    "Failed",
    "Critical",
    "Security",
    "What it misses",
  ],
  badRows,
)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}
