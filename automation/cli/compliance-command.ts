/**
 * `patchfleet compliance`: the patch compliance of every member account-region in one report, as
 * text, JSON, or a self-contained HTML dashboard.
 */
import * as path from "path";
import { AwsSessions } from "../ops/aws";
import { ComplianceReport, Totals, gatherCompliance } from "../ops/compliance";
import { compliancePercent, renderDashboard } from "../ops/dashboard";
import { newRunId } from "../ops/run-store";
import { loadFleetOption } from "./fleet-options";
import { CliIO, UsageError, parseOptions } from "./io";
import { CommandOutputs, jsonDocument } from "./outputs";
import type { Command } from "./main";
import {
  gateFailure,
  historyText,
  historyWith,
  parseFailOn,
  recordHistory,
  renderSlaSection,
} from "./compliance-sla";

const SPEC = {
  fleet: "string",
  json: "boolean",
  html: "string",
  report: "string",
  concurrency: "string",
  details: "string",
  "fail-on": "string",
  history: "boolean",
  "mean-time-to-patch": "boolean",
} as const;

const HELP = `Usage: patchfleet compliance --fleet <file> [options]

Reads the patch state of every member account and region (assuming each member's readRole) and
reports it per instance, per patch group, per account-region and for the whole fleet: installed,
missing and failed patches, critical and security patches missing, and the last patch operation.
An account-region that cannot be read is reported with the reason, never dropped.

Options:
  --fleet <file>        fleet file (required)
  --json                print the report as JSON on stdout
  --html <file>         write a self-contained HTML dashboard (sortable tables) to <file>
  --report <file>       also write the JSON report to <file>
  --concurrency <n>     account-regions read at the same time (default 8)
  --details <n>         missing/failed patch titles listed per non-compliant instance; 0 skips
                        those calls (default 20)
  --fail-on <what>      exit 1 for CI gates: "breach" when any missing or failed patch is older
                        than its SLA (compliance.slaDays), "noncompliant" when any node is not
                        compliant or any account-region could not be read
  --mean-time-to-patch  also read installed patches to report the mean days from release to
                        install (one more call per node, plus patch catalog look-ups)
  --history             print the recorded runs and the trend (no AWS call); every run is
                        recorded in compliance.history.file beside the fleet file

Every missing or failed patch is dated from SSM's patch catalog and measured against the fleet's
SLA (compliance.slaDays); breaches are listed first. Nodes whose last scan is older than
compliance.maxScanAgeDays, and nodes whose SSM agent is not online, are counted.

Needs credentials that can assume each member's readRole (ExternalId when configured), found the
AWS SDK's way (AWS_PROFILE and SSO profiles, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, instance
roles). Endpoints follow AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>; PATCHFLEET_AWS_ENDPOINT
is a shorthand that sends every AWS call to one URL.

Nodes that never reported a patch state count as "no data", not as non-compliant; the fleet line
says how many account-regions were read and gives a percentage of what was read only.

Exit codes: 0 every account-region with a read role was read, 1 one could not be read, 2 bad input
or no AWS credentials at all, 130 interrupted.
`;

function whole(
  option: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function percentText(x: Pick<Totals, "compliant" | "nonCompliant">): string {
  const p = compliancePercent(x);
  return p === undefined ? "no data" : `${p}% compliant`;
}

function extras(x: Totals): string {
  return (
    (x.noData > 0 ? `, ${x.noData} no data` : "") +
    (x.unknown > 0 ? `, ${x.unknown} unknown (baseline not readable)` : "")
  );
}

export function renderComplianceReport(report: ComplianceReport): string {
  const lines: string[] = [];
  for (const t of report.targets) {
    if (t.state === "SUCCEEDED") {
      const x = t.totals;
      lines.push(
        `  ${t.account} ${t.name} ${t.region}: ${percentText(x)}, ` +
          `${x.compliant}/${x.compliant + x.nonCompliant} reporting instances${extras(x)}, ` +
          `${x.missing} missing, ${x.failed} failed, ` +
          `${x.criticalNonCompliant} critical, ${x.securityNonCompliant} security` +
          (t.lastOperationTime ? `; last ${t.lastOperation} ${t.lastOperationTime}` : ""),
      );
    } else {
      lines.push(`  ${t.account} ${t.name} ${t.region}: ${t.state}: ${t.reason}`);
    }
  }
  const x = report.totals;
  const read = `${x.targetsRead}/${x.targets} account-regions read`;
  // A fleet with account-regions that were not read is not "compliant": the figure covers only
  // what was read, and says so first.
  const head =
    x.targetsRead < x.targets
      ? `Fleet: only ${read}` +
        (x.targetsFailed > 0 ? ` (${x.targetsFailed} unreadable)` : "") +
        `; of what was read: ${percentText(x)}`
      : `Fleet: ${percentText(x)}`;
  lines.push(
    `${head}, ${x.compliant}/${x.compliant + x.nonCompliant} reporting instances${extras(x)}, ` +
      `${x.missing} missing, ${x.failed} failed, ${x.criticalNonCompliant} critical, ` +
      `${x.securityNonCompliant} security` +
      (x.targetsRead < x.targets ? "" : `; ${read}`),
  );
  return lines.join("\n") + "\n";
}

export function complianceExitCode(report: ComplianceReport): number {
  if (report.interrupted) return 130;
  return report.totals.targetsFailed > 0 ? 1 : 0;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, SPEC);
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; see \`patchfleet compliance --help\``,
    );
  }
  const concurrency = whole("--concurrency", options.concurrency, 1, 256);
  const detailLimit = whole("--details", options.details, 0, 1000);
  const failOn = parseFailOn(options["fail-on"]);
  // Output paths are checked before any AWS call, so a long read is never lost to a bad path.
  const outputs = new CommandOutputs(io, options);
  const fleet = await loadFleetOption(
    options.fleet === undefined ? undefined : path.resolve(io.cwd, options.fleet),
  );
  if (options.history) {
    io.stdout(await historyText(fleet));
    return 0;
  }
  // The SDK version is pinned by patchfleet; its notice about future Node versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Without any credentials nothing can be read: say how to provide them before any AWS call.
  await new AwsSessions({ runId: "check" }).checkCredentials();
  const report = await gatherCompliance({
    progress: (line) => io.stderr(`${line}\n`),
    fleet,
    runId: newRunId(),
    aws: io.env.PATCHFLEET_AWS_ENDPOINT ? { endpoint: io.env.PATCHFLEET_AWS_ENDPOINT } : {},
    concurrency,
    detailLimit,
    signal: io.signal,
    meanTimeToPatch: options["mean-time-to-patch"] === true,
  });
  const notes = outputs.note;
  if (outputs.json) io.stdout(jsonDocument(report));
  else io.stdout(renderComplianceReport(report));
  outputs.writeReport(() => jsonDocument(report));
  if (outputs.htmlFile !== undefined) {
    const history = await historyWith(fleet, report);
    if (outputs.writeHtml(() => renderDashboard(report, history))) {
      notes(`dashboard written to ${options.html}\n`);
    }
  }
  if (!options.json) io.stdout(renderSlaSection(report));
  if (!report.interrupted) {
    try {
      for (const note of await recordHistory(fleet, report, io.cwd, {
        endpoint: io.env.PATCHFLEET_AWS_ENDPOINT,
      }))
        notes(`${note}\n`);
    } catch (err) {
      io.stderr(`warning: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  const code = complianceExitCode(report);
  const gate = failOn === undefined ? undefined : gateFailure(report, failOn);
  if (code === 0 && gate !== undefined) {
    io.stderr(`--fail-on ${failOn}: ${gate}\n`);
    return 1;
  }
  return code;
}

export const command: Command = {
  summary: "read patch compliance of every member account-region (text, JSON, HTML dashboard)",
  help: HELP,
  run,
};
