/**
 * `patchfleet patch`: preflight, start the fleet's runbook in every account-region of the fleet from the
 * central account, follow it to the end and report each account-region once.
 */
import * as path from "path";
import { PATCH_OPERATIONS, PatchOperation, REBOOT_OPTIONS, RebootOption } from "../../domain";
import { AwsSessions } from "../ops/aws";
import { PatchReport, runPatch } from "../ops/patch";
import { loadFleetOption } from "./fleet-options";
import { CliIO, UsageError, parseOptions } from "./io";
import { CommandOutputs, jsonDocument } from "./outputs";
import type { Command } from "./main";
import { ringRun } from "./ring-options";

const SPEC = {
  fleet: "string",
  operation: "string",
  reboot: "string",
  json: "boolean",
  report: "string",
  "state-dir": "string",
  "poll-seconds": "string",
  ring: "string",
  force: "string",
  "new-rollout": "boolean",
} as const;

const HELP = `Usage: patchfleet patch --fleet <file> --operation Scan|Install [options]

Starts the fleet's patch runbook from the central account in every account and region of the
fleet, one region after another (rollout.regionOrder first, then the fleet file's order; one
multi-account Systems Manager automation per region), follows each to the end and reports each
account-region once, with its state and where its patch logs are. A region with more failures
than rollout.failureTolerance stops the run: later regions are not started (CANCELLED).

Before anything starts, a preflight checks that the runbook exists in the central account and is
shared with every member account in every target region, that the resource group exists in every
account-region with a readRole (read with that role), and that the rollout and execution role name can be sent to
SSM; every problem is listed with its fix.

Options:
  --fleet <file>          fleet file (required)
  --operation <op>        Scan (report missing patches) or Install (required)
  --reboot <option>       RebootIfNeeded (default) or NoReboot
  --json                  print the report as JSON on stdout (progress goes to stderr)
  --report <file>         also write the JSON report to <file>
  --state-dir <dir>       where runs are kept (default: .patchfleet/runs beside the fleet file)
  --poll-seconds <n>      first wait between status checks, growing to 60 s (default 5)
  --ring <name>           patch one ring of the fleet's rings: (Install: only after the ring
                          before has finished, soaked and passed its gate; installs exactly what
                          that ring installed)
  --force "<reason>"      start a ring (or Install during a freeze) despite a refusal; recorded
  --new-rollout           with the first ring: start a new ring rollout

A run keeps its ClientToken in the state directory until its automation has ended: running the
same command again after a timeout or an interrupt continues that run and never starts a second
automation. Ctrl-C stops waiting (the automation keeps running) and prints the command that stops it.

Needs credentials for the central account (or central.operationsRole in the fleet file, which
patchfleet assumes), found the AWS SDK's way (AWS_PROFILE and SSO profiles, AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY, instance roles), and iam:PassRole on the administration role, which the
start passes to SSM as AutomationAssumeRole. Endpoints follow AWS_ENDPOINT_URL and
AWS_ENDPOINT_URL_<SERVICE>; PATCHFLEET_AWS_ENDPOINT is a shorthand that sends every AWS call to one
URL. Every AWS call is bounded by a timeout; one still waiting after 10 s is reported.

Exit codes: 0 every account-region succeeded (or skipped), 1 an account-region failed, was
cancelled or its result is unknown, or the automation could not be started, 2 bad input, no AWS
credentials at all, or a preflight problem,
130 interrupted (the automation is still running).
`;

function pick<T extends string>(option: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${option} must be one of ${allowed.join(", ")}, got "${raw}"`);
}

export function renderPatchReport(report: PatchReport): string {
  const lines: string[] = [];
  const ring = report.ring;
  if (ring) {
    lines.push(
      `Ring ${ring.name} (rollout ${ring.rolloutId})` +
        (ring.installOverrideList ? `: installs only ${ring.installOverrideList}` : "") +
        (ring.forced !== undefined ? `; forced: ${ring.forced}` : ""),
    );
  }
  if (report.preflight.length > 0) {
    lines.push(`Preflight found ${report.preflight.length} problem(s); nothing was started:`);
    for (const p of report.preflight)
      lines.push(`  ${p.target}: ${p.message}`, `    fix: ${p.fix}`);
  }
  for (const e of report.executions) {
    if (e.executionId) {
      lines.push(
        `Run ${report.runId} ${e.region}: execution ${e.executionId} ${e.executionStatus ?? ""}` +
          (e.executionStatus
            ? `, ${e.failed} of ${e.targets} failed (tolerance ${e.tolerance})`
            : ""),
      );
    } else if (e.notStarted) {
      lines.push(`Run ${report.runId} ${e.region}: not started: ${e.notStarted}`);
    }
  }
  for (const t of report.targets) {
    lines.push(
      `  ${t.state.padEnd(11)} ${t.account} ${t.name} ${t.region}: ${t.reason}` +
        (t.state === "SKIPPED" && report.preflight.length > 0 ? "" : `  logs: ${t.logLocation}`),
    );
  }
  const s = report.summary;
  lines.push(
    `${report.operation}: ${s.SUCCEEDED} succeeded, ${s.FAILED} failed, ${s.CANCELLED} cancelled, ` +
      `${s.SKIPPED} skipped, ${s.IN_PROGRESS} still running` +
      (s.UNKNOWN > 0 ? `, ${s.UNKNOWN} unknown (not documented)` : ""),
  );
  if (report.interrupted && report.stopCommand) {
    lines.push(
      "Stopped waiting; the automation is still running. Run the same patch command to follow it " +
        "again, or stop it with:",
      `  ${report.stopCommand}`,
    );
  }
  for (const n of report.notes) lines.push(`note: ${n}`);
  return lines.join("\n") + "\n";
}

export function patchExitCode(report: PatchReport): number {
  if (report.preflight.length > 0) return 2;
  if (report.interrupted) return 130;
  const s = report.summary;
  return s.FAILED + s.CANCELLED + s.UNKNOWN > 0 ? 1 : 0;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, SPEC);
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; see \`patchfleet patch --help\``,
    );
  }
  if (options.operation === undefined) {
    throw new UsageError("--operation Scan|Install is required (Scan only reports)");
  }
  const operation = pick<PatchOperation>("--operation", options.operation, PATCH_OPERATIONS);
  const reboot = pick<RebootOption>("--reboot", options.reboot ?? "RebootIfNeeded", REBOOT_OPTIONS);
  let pollMs: number | undefined;
  if (options["poll-seconds"] !== undefined) {
    const n = Number(options["poll-seconds"]);
    if (!(n > 0 && n <= 3600)) {
      throw new UsageError(
        `--poll-seconds must be a number of seconds above 0 and at most 3600 (e.g. 5), got "${options["poll-seconds"]}"`,
      );
    }
    pollMs = Math.round(n * 1000);
  }
  // A patch run can take hours: an output path that cannot be written is refused before any AWS
  // call, not discovered after the run.
  const outputs = new CommandOutputs(io, options);
  const fleet = await loadFleetOption(
    options.fleet === undefined ? undefined : path.resolve(io.cwd, options.fleet),
  );
  // The SDK version is pinned by patchfleet; its notice about future Node versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Without any credentials nothing can start: say how to provide them before any AWS call.
  await new AwsSessions({ runId: "check" }).checkCredentials();
  const patchOptions = {
    fleet,
    operation,
    reboot,
    stateDir:
      options["state-dir"] === undefined ? undefined : path.resolve(io.cwd, options["state-dir"]),
    aws: io.env.PATCHFLEET_AWS_ENDPOINT ? { endpoint: io.env.PATCHFLEET_AWS_ENDPOINT } : {},
    poll: pollMs === undefined ? undefined : { initialMs: pollMs },
    signal: io.signal,
    log: (line: string) => outputs.note(`${line}\n`),
  };
  const ringed = await ringRun(options, patchOptions);
  if (typeof ringed === "string") {
    outputs.note(`${ringed}\n`);
    return 0;
  }
  const report = ringed ?? (await runPatch(patchOptions));
  outputs.print(report, renderPatchReport(report));
  outputs.writeReport(() => jsonDocument(report));
  return patchExitCode(report);
}

export const command: Command = {
  summary: "start patching (Scan or Install) in every account-region of the fleet and follow it",
  help: HELP,
  run,
};
