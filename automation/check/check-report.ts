/**
 * The check's report in its three forms: one JSON document, plain text per target, and a
 * self-contained HTML page.
 */
import { escapeHtml as esc } from "../html/escape-html";
import { INTERRUPTED, NOT_CHECKED, wasInterrupted } from "./types";
import type { CheckViolation, ProgramFailure, TargetResult } from "./types";

export interface ReportResource {
  type: string;
  name: string;
  region: string;
  inputs: Record<string, unknown>;
}

export interface ReportTarget {
  name: string;
  account: string;
  regions: string[];
  resources: ReportResource[];
  violations: CheckViolation[];
  /** What the program logged through `pulumi.log.warn`; present only when there is some. */
  warnings?: string[];
  /** Present only when the target's program failed to load or run. */
  error?: ProgramFailure;
}

export interface CheckReport {
  targets: ReportTarget[];
  summary: { targets: number; resources: number; mandatory: number; advisory: number };
}

/** One target of the report, from its result. */
export function reportTarget(r: TargetResult): ReportTarget {
  const t: ReportTarget = {
    name: r.name,
    account: r.account,
    regions: r.regions,
    resources: r.resources.map((res) => ({
      type: res.type,
      name: res.name,
      region: res.region,
      inputs: res.inputs,
    })),
    violations: r.violations.map((v) => ({
      policy: v.policy,
      enforcementLevel: v.enforcementLevel,
      ...(v.resourceType !== undefined ? { resourceType: v.resourceType } : {}),
      ...(v.resourceName !== undefined ? { resourceName: v.resourceName } : {}),
      message: v.message,
    })),
  };
  if (r.warnings.length > 0) t.warnings = r.warnings;
  if (r.failure) t.error = r.failure;
  return t;
}

/** The report's totals, plus the targets that failed to load and those never checked. */
export interface ReportTally {
  summary: CheckReport["summary"];
  failed: number;
  notChecked: number;
  /** Targets that were running when the check was stopped. */
  interrupted: number;
}

/** Adds `count` targets like `r` (a target's shape: resources, violation levels, error). */
export function addToTally(
  tally: ReportTally,
  r: Pick<TargetResult, "resources" | "violations" | "failure">,
  count = 1,
): ReportTally {
  const s = tally.summary;
  s.targets += count;
  s.resources += r.resources.length * count;
  for (const v of r.violations) {
    if (v.enforcementLevel === "mandatory") s.mandatory += count;
    if (v.enforcementLevel === "advisory") s.advisory += count;
  }
  if (r.failure?.message === NOT_CHECKED) tally.notChecked += count;
  else if (r.failure?.message === INTERRUPTED) tally.interrupted += count;
  else if (r.failure) tally.failed += count;
  return tally;
}

export function emptyTally(): ReportTally {
  return {
    summary: { targets: 0, resources: 0, mandatory: 0, advisory: 0 },
    failed: 0,
    notChecked: 0,
    interrupted: 0,
  };
}

export function buildReport(results: readonly TargetResult[]): CheckReport {
  const targets = results.map(reportTarget);
  const all = targets.flatMap((t) => t.violations);
  return {
    targets,
    summary: {
      targets: targets.length,
      resources: targets.reduce((n, t) => n + t.resources.length, 0),
      mandatory: all.filter((v) => v.enforcementLevel === "mandatory").length,
      advisory: all.filter((v) => v.enforcementLevel === "advisory").length,
    },
  };
}

/** The report as JSON text, piece by piece: the same bytes as JSON.stringify(report, null, 2). */
export function* jsonChunks(
  targets: Iterable<ReportTarget>,
  summary: CheckReport["summary"],
): Generator<string> {
  let first = true;
  for (const t of targets) {
    yield `${first ? '{\n  "targets": [\n' : ",\n"}    ${JSON.stringify(t, null, 2).replace(/\n/g, "\n    ")}`;
    first = false;
  }
  yield `${first ? '{\n  "targets": []' : "\n  ]"},\n  "summary": ${JSON.stringify(summary, null, 2).replace(/\n/g, "\n  ")}\n}`;
}

/** Resource counts by type, most common first, then by type name. */
export function countByType(resources: readonly { type: string }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function summaryLine(report: CheckReport): string {
  const notChecked = report.targets.filter((t) => t.error?.message === NOT_CHECKED).length;
  const interrupted = report.targets.filter((t) => t.error?.message === INTERRUPTED).length;
  const failed = report.targets.filter((t) => t.error && !wasInterrupted(t.error)).length;
  return tallyLine({ summary: report.summary, failed, notChecked, interrupted });
}

/** The closing line of the text report (and the HTML page's summary). */
export function tallyLine({ summary: s, failed, notChecked, interrupted }: ReportTally): string {
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return (
    `${plural(s.targets, "target")}, ${plural(s.resources, "resource")}: ` +
    `${s.mandatory} mandatory, ${s.advisory} advisory ` +
    `${s.mandatory + s.advisory === 1 ? "violation" : "violations"}` +
    (failed > 0 ? `, ${failed} failed to load` : "") +
    (interrupted > 0 ? `, ${interrupted} interrupted` : "") +
    (notChecked > 0 ? `, ${notChecked} not checked (interrupted)` : "")
  );
}

interface Style {
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}
const PLAIN: Style = { bold: (s) => s, red: (s) => s, yellow: (s) => s, dim: (s) => s };
const ANSI: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  red: (s) => `\x1b[31m${s}\x1b[39m`,
  yellow: (s) => `\x1b[33m${s}\x1b[39m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
};

/** Continuation lines of a multi-line message, indented under its first line. */
function indent(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}

/** The text report: per target its resource counts by type and its violations, then the summary. */
export function renderText(report: CheckReport, color: boolean): string {
  return [
    ...textChunks(report.targets, summaryLine(report), report.summary.mandatory > 0, color),
  ].join("");
}

/** The text report piece by piece: one chunk per target, then the summary line. */
export function* textChunks(
  targets: Iterable<ReportTarget>,
  line: string,
  mandatory: boolean,
  color: boolean,
): Generator<string> {
  const st = color ? ANSI : PLAIN;
  for (const t of targets) {
    const out: string[] = [];
    const where = t.regions.join(", ");
    out.push(
      st.bold(`${t.name} (${t.account}) ${where}`) +
        (t.error ? "" : `: ${t.resources.length} resources`),
    );
    if (wasInterrupted(t.error)) {
      out.push(st.dim(`  ${t.error?.message}`), "");
      yield out.join("\n") + "\n";
      continue;
    }
    if (t.error) {
      out.push(
        st.red(
          indent(
            `  failed to load: ${t.error.location ? `${t.error.location}: ` : ""}${t.error.message}`,
            "    ",
          ),
        ),
      );
      out.push("");
      yield out.join("\n") + "\n";
      continue;
    }
    for (const [type, n] of countByType(t.resources))
      out.push(`  ${String(n).padStart(4)}  ${type}`);
    for (const w of t.warnings ?? []) out.push(`  ${st.yellow("warning")} ${w}`);
    for (const v of t.violations) {
      const level =
        v.enforcementLevel === "mandatory" ? st.red("mandatory") : st.yellow(v.enforcementLevel);
      const resource = v.resourceName ? ` ${v.resourceType ?? ""} "${v.resourceName}"` : "";
      out.push(`  ${level} ${v.policy}${resource}`);
      out.push(indent(`      ${v.message}`, "      "));
    }
    out.push("");
    yield out.join("\n") + "\n";
  }
  yield (mandatory ? st.red(line) : st.bold(line)) + "\n";
}

/** A single HTML page with inline styles, no scripts or external assets. */
export function renderHtml(report: CheckReport, title = "patchfleet check"): string {
  return [...htmlChunks(report.targets, summaryLine(report), title)].join("");
}

/** The HTML page piece by piece: the head and summary, one chunk per target, the end. */
export function* htmlChunks(
  targets: Iterable<ReportTarget>,
  line: string,
  title = "patchfleet check",
): Generator<string> {
  let parts: string[] = [];
  parts.push(
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    "<style>",
    "body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1f24}",
    "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}",
    "th{background:#f6f8fa}.mandatory{color:#b42318;font-weight:600}.advisory{color:#9a6700}",
    ".error{color:#b42318}.note{color:#57606a}code{font-family:ui-monospace,monospace}details{margin:.25rem 0 1rem}",
    "pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:20rem}",
    "</style></head><body>",
    `<h1>${esc(title)}</h1>`,
    `<p id="summary">${esc(line)}</p>`,
  );
  for (const t of targets) {
    yield parts.join("\n") + "\n";
    parts = [];
    parts.push(
      `<section><h2>${esc(t.name)} <small>${esc(t.account)} · ${esc(t.regions.join(", "))}</small></h2>`,
    );
    if (wasInterrupted(t.error)) {
      const text = t.error?.message ?? "";
      parts.push(`<p class="note">${esc(text[0].toUpperCase() + text.slice(1))}</p></section>`);
      continue;
    }
    if (t.error) {
      const loc = t.error.location ? `${t.error.location}: ` : "";
      parts.push(`<p class="error">Failed to load: ${esc(loc + t.error.message)}</p></section>`);
      continue;
    }
    for (const w of t.warnings ?? []) parts.push(`<p class="advisory">Warning: ${esc(w)}</p>`);
    if (t.violations.length > 0) {
      parts.push("<table><tr><th>Level</th><th>Policy</th><th>Resource</th><th>Message</th></tr>");
      for (const v of t.violations) {
        parts.push(
          `<tr><td class="${esc(v.enforcementLevel)}">${esc(v.enforcementLevel)}</td>` +
            `<td><code>${esc(v.policy)}</code></td>` +
            `<td><code>${esc(v.resourceType ?? "")}</code> ${esc(v.resourceName ?? "")}</td>` +
            `<td>${esc(v.message)}</td></tr>`,
        );
      }
      parts.push("</table>");
    } else {
      parts.push("<p>No violations.</p>");
    }
    parts.push("<table><tr><th>Resources</th><th>Type</th></tr>");
    for (const [type, n] of countByType(t.resources)) {
      parts.push(`<tr><td>${n}</td><td><code>${esc(type)}</code></td></tr>`);
    }
    parts.push("</table>");
    parts.push(`<details><summary>Inputs of ${t.resources.length} resources</summary>`);
    for (const r of t.resources) {
      parts.push(
        `<p><code>${esc(r.type)}</code> <b>${esc(r.name)}</b> ${esc(r.region)}</p>` +
          `<pre>${esc(JSON.stringify(r.inputs, null, 2))}</pre>`,
      );
    }
    parts.push("</details></section>");
  }
  parts.push("</body></html>");
  yield parts.join("\n") + "\n";
}
