/**
 * The dashboard's SLA part, shown first: the SLA breaches (sortable, oldest first), the controls
 * they are evidence for, and compliance % and breaches over time as inline SVG (no external
 * assets). renderDashboard places it under the fleet totals.
 */
import { escapeHtml } from "../html/escape-html";
import type { ComplianceReport } from "./compliance";
import { CONTROLS } from "./frameworks";
import type { HistoryPoint } from "./history-store";

function td(value: string | number, sort?: string | number): string {
  const s = sort === undefined ? "" : ` data-sort="${escapeHtml(String(sort))}"`;
  return `<td${s}>${escapeHtml(String(value))}</td>`;
}

const W = 640;
const H = 180;
const PAD = 32;

/** One polyline scaled to [0, max] on the y axis; x spread evenly over the runs. */
function line(values: (number | undefined)[], max: number, color: string, label: string): string {
  const pts: string[] = [];
  values.forEach((v, i) => {
    if (v === undefined) return;
    const x = PAD + (values.length === 1 ? 0 : (i * (W - 2 * PAD)) / (values.length - 1));
    const y = H - PAD - (max === 0 ? 0 : (v * (H - 2 * PAD)) / max);
    pts.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  return (
    `<polyline data-series="${label}" fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>` +
    pts
      .map((p) => {
        const [x, y] = p.split(",");
        return `<circle cx="${x}" cy="${y}" r="3" fill="${color}"/>`;
      })
      .join("")
  );
}

/** Compliance % (left scale 0–100) and SLA breaches (right scale 0–max) per recorded run. */
export function historyChart(points: readonly HistoryPoint[]): string {
  if (points.length < 2) {
    return `<p id="history-chart" class="meta">${points.length} run(s) recorded; the chart needs two.</p>`;
  }
  const maxBreaches = Math.max(1, ...points.map((p) => p.breaches ?? 0));
  const first = points[0].generatedAt.slice(0, 10);
  const last = points[points.length - 1].generatedAt.slice(0, 10);
  return (
    `<svg id="history-chart" role="img" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px;background:#fff;border:1px solid #d8dde6">` +
    `<title>Compliance and SLA breaches over ${points.length} runs</title>` +
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#99a"/>` +
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#99a"/>` +
    `<text x="4" y="${PAD + 4}" font-size="10">100%</text><text x="4" y="${H - PAD}" font-size="10">0</text>` +
    `<text x="${W - PAD + 4}" y="${PAD + 4}" font-size="10">${maxBreaches}</text>` +
    `<text x="${PAD}" y="${H - 8}" font-size="10">${escapeHtml(first)}</text>` +
    `<text x="${W - PAD}" y="${H - 8}" font-size="10" text-anchor="end">${escapeHtml(last)}</text>` +
    line(
      points.map((p) => p.compliancePercent),
      100,
      "#2e9d5b",
      "compliance",
    ) +
    line(
      points.map((p) => p.breaches),
      maxBreaches,
      "#cf3a3a",
      "breaches",
    ) +
    `<text x="${PAD + 8}" y="${PAD - 10}" font-size="11" fill="#2e9d5b">compliance %</text>` +
    `<text x="${PAD + 110}" y="${PAD - 10}" font-size="11" fill="#cf3a3a">SLA breaches</text>` +
    `</svg>`
  );
}

export function slaSectionHtml(report: ComplianceReport, history: readonly HistoryPoint[]): string {
  const sla = report.sla;
  const parts: string[] = [];
  if (sla) {
    const rows = report.targets.flatMap((t) =>
      (t.sla?.findings ?? [])
        .filter((f) => f.breach)
        .map(
          (f) =>
            `<tr data-breach="${escapeHtml(`${f.instanceId}/${f.kbId}`)}">` +
            td(f.severity) +
            td(f.ageDays!) +
            td(f.slaDays!) +
            td(f.ageDays! - f.slaDays!) +
            td(f.instanceId) +
            td(t.account) +
            td(t.region) +
            td(f.patchGroup) +
            `<td style="white-space:normal">${escapeHtml(f.kbId)} ${escapeHtml(f.title)}</td>` +
            `<td style="white-space:normal">${escapeHtml(f.cveIds.join(", ") || "-")}</td>` +
            "</tr>",
        ),
    );
    const headers = [
      "Severity",
      "Age (days)",
      "SLA (days)",
      "Overdue (days)",
      "Instance",
      "Account",
      "Region",
      "Patch group",
      "Patch",
      "CVEs",
    ];
    const ths = headers
      .map((h, i) => `<th data-col="${i}" title="click to sort">${escapeHtml(h)}</th>`)
      .join("");
    const s = sla.summary;
    parts.push(
      `<h2>SLA breaches (${s.breaches})</h2>`,
      `<div class="meta" id="sla-summary">SLA days: ${escapeHtml(
        Object.entries(sla.slaDays)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
      )} · ${s.unknownAge} missing patch(es) of unknown age · ${s.staleNodes} node(s) with no scan in ${sla.maxScanAgeDays} days · ${s.offlineNodes} node(s) with the agent not online</div>`,
      `<table id="sla-breaches" class="sortable"><thead><tr>${ths}</tr></thead><tbody>\n` +
        (rows.length ? rows.join("\n") : `<tr><td colspan="${headers.length}">none</td></tr>`) +
        `\n</tbody></table>`,
      `<p class="meta" id="controls">Evidence for ${escapeHtml(
        CONTROLS.map((c) => `${c.framework} ${c.control}`).join(", "),
      )}; evidence, not certification (docs/compliance-frameworks.md).</p>`,
    );
  }
  parts.push(`<h2>Over time</h2>`, historyChart(history));
  return parts.join("\n");
}
