/**
 * `patchfleet check`: what the fleet (or a program) would deploy and what the policy pack would
 * block, offline.
 */
import * as path from "path";
import {
  CheckInputError,
  outputNote,
  renderHtml,
  renderText,
  runCheck,
  wasInterrupted,
} from "../check";
import { CheckProgress } from "./check-progress";
import { CliIO, UsageError, checkOutputPath, parseOptions, writeOutputFile } from "./io";
import type { Command } from "./main";

const HELP = `patchfleet check: synthesize a fleet or a Pulumi program offline and run the policy pack

Usage:
  patchfleet check --fleet <file> [options]
  patchfleet check --program <dir-or-file> [--stack <name>] [options]

Runs every target (the central account and each member, all their regions; or the program) under
the Pulumi SDK's mock runtime, with no cloud credentials and no Pulumi CLI, collects every resource
it would register and evaluates the patchfleet policy pack on them.

Options:
  --fleet <file>           fleet YAML file
  --program <path>         Pulumi TypeScript/JavaScript program (directory or entry file)
  --stack <name>           read the program's config from Pulumi.<name>.yaml
  --policy-config <json>   policy config, as for \`pulumi preview --policy-pack-config\`
  --json                   print one JSON document instead of text
  --html <file>            also write a self-contained HTML report
  --workers <n>            worker processes (default: the number of CPUs)
  --batch-size <n>         targets per worker process before it is replaced (default 150)

A checked program's console output goes to stderr (the first 4 MiB; past that, all of it is saved
to a file whose path is printed). A target that runs longer than 120 s fails (set
PATCHFLEET_CHECK_TIMEOUT_MS to change it); its worker gets SIGTERM, then SIGKILL 2 s later
(PATCHFLEET_KILL_GRACE_MS).

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad input (invalid fleet or
policy config, or a program that fails to load) or an output that could not be written,
130 interrupted.
`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new UsageError(`--${name} must be a whole number of at least 1, got "${value}"`);
  }
  return Number(value);
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, {
    fleet: "string",
    program: "string",
    stack: "string",
    "policy-config": "string",
    json: "boolean",
    html: "string",
    workers: "string",
    "batch-size": "string",
  });
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"; use --fleet or --program`);
  }
  if ((options.fleet === undefined) === (options.program === undefined)) {
    throw new UsageError(
      "give exactly one of --fleet <file> or --program <dir-or-file>, e.g. " +
        "`patchfleet check --fleet examples/fleet.yaml`",
    );
  }
  if (options.stack !== undefined && options.program === undefined) {
    throw new UsageError("--stack applies to --program only");
  }
  const htmlFile =
    options.html === undefined ? undefined : checkOutputPath("--html", options.html, io.cwd);
  const progress = new CheckProgress({
    write: io.stderr,
    isTTY: io.stderrIsTTY ?? false,
    env: io.env,
  });
  let outcome;
  try {
    outcome = await runCheck({
      fleet: options.fleet,
      program: options.program,
      stack: options.stack,
      cwd: io.cwd,
      policyConfig: options["policy-config"],
      workers: positiveInt("workers", options.workers),
      batchSize: positiveInt("batch-size", options["batch-size"]),
      signal: io.signal,
      onStart: (n) => progress.start(n),
      onResult: () => progress.targetDone(),
    });
  } catch (err) {
    if (err instanceof CheckInputError) {
      io.stderr(`patchfleet check: ${err.message}\n`);
      for (const issue of err.issues) {
        const line = issue.line === undefined ? "" : ` (line ${issue.line})`;
        io.stderr(`  ${issue.path}: ${issue.message}${line}\n`);
      }
      return 2;
    }
    throw err;
  } finally {
    progress.stop();
  }
  const note = outputNote(outcome.stats.output);
  if (note) io.stderr(`patchfleet check: ${note}\n`);
  const { report } = outcome;
  if (options.json) {
    io.stdout(JSON.stringify(report, null, 2) + "\n");
  } else {
    io.stdout(renderText(report, io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb"));
  }
  if (htmlFile !== undefined && writeOutputFile(io, htmlFile, renderHtml(report))) {
    if (!options.json) io.stdout(`HTML report: ${path.relative(io.cwd, htmlFile) || htmlFile}\n`);
  }
  const failed = report.targets.filter((t) => t.error && !wasInterrupted(t.error));
  // The text report shows failures in place; with --json, stdout is the document alone.
  for (const t of options.json ? failed : []) {
    const where = t.error?.location ? `${t.error.location}: ` : "";
    io.stderr(`patchfleet check: ${t.name} failed to load: ${where}${t.error?.message}\n`);
  }
  if (outcome.interrupted) return 130;
  if (failed.length > 0) return 2;
  return report.summary.mandatory > 0 ? 1 : 0;
}

export const command: Command = {
  summary: "synthesize the fleet or a program offline and run the policy pack",
  help: HELP,
  run,
};
