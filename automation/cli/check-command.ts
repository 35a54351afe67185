/**
 * `patchfleet check`: what the fleet (or a program) would deploy and what the policy pack would
 * block, offline.
 */
import * as path from "path";
import {
  htmlChunks,
  jsonChunks,
  outputNote,
  reportTarget,
  runCheck,
  tallyLine,
  textChunks,
  wasInterrupted,
  type CheckOutcome,
  type ReportTarget,
} from "../check";
import { CheckProgress } from "./check-progress";
import { parseList } from "./fleet-options";
import { CliIO, UsageError, parseOptions } from "./io";
import { CommandOutputs } from "./outputs";
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
  --only <a,b>             only these accounts of the fleet (names or ids)
  --shard <k/n>            only the k-th of n deterministic slices of the fleet's accounts, the
                           central one included: n jobs with k = 1..n check every account once
  --json                   print one JSON document instead of text
  --report <file>          also write the JSON document to <file>
  --html <file>            also write a self-contained HTML report
  --workers <n>            worker processes (default: the number of CPUs)
  --batch-size <n>         targets per worker process before it is replaced (default 150)
  --full-synthesis         synthesize every account on its own (slower; the same report)

Accounts whose configuration is the same up to their account id and regions are synthesized
once, and the others re-stamped from that synthesis: the report is the same as with
--full-synthesis, which checks each account on its own. Reports are written as they are produced,
so a fleet of thousands of accounts never needs its whole report in memory.

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
    only: "string",
    shard: "string",
    json: "boolean",
    report: "string",
    html: "string",
    workers: "string",
    "batch-size": "string",
    "full-synthesis": "boolean",
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
  for (const fleetOnly of ["only", "shard"] as const) {
    if (options[fleetOnly] !== undefined && options.fleet === undefined) {
      throw new UsageError(`--${fleetOnly} applies to --fleet only`);
    }
  }
  const only = options.only === undefined ? undefined : parseList("--only", options.only);
  const outputs = new CommandOutputs(io, options);
  const progress = new CheckProgress({
    write: io.stderr,
    isTTY: io.stderrIsTTY ?? false,
    env: io.env,
  });
  let outcome: CheckOutcome;
  try {
    outcome = await runCheck({
      fleet: options.fleet,
      program: options.program,
      stack: options.stack,
      cwd: io.cwd,
      policyConfig: options["policy-config"],
      only,
      shard: options.shard,
      workers: positiveInt("workers", options.workers),
      batchSize: positiveInt("batch-size", options["batch-size"]),
      fullSynthesis: options["full-synthesis"],
      signal: io.signal,
      onStart: (n) => progress.start(n),
      onResult: () => progress.targetDone(),
    });
  } finally {
    progress.stop();
  }
  const note = outputNote(outcome.stats.output);
  if (note) io.stderr(`patchfleet check: ${note}\n`);
  const { tally } = outcome;
  const failed: ReportTarget[] = [];
  /** The report's targets, built one at a time as they are written, never all at once. */
  function* targets(collectFailures = false): Generator<ReportTarget> {
    for (const result of outcome.results()) {
      const t = reportTarget(result);
      if (collectFailures && t.error && !wasInterrupted(t.error)) failed.push(t);
      yield t;
    }
  }
  const stdout = options.json
    ? jsonChunks(targets(true), tally.summary)
    : textChunks(
        targets(true),
        tallyLine(tally),
        tally.summary.mandatory > 0,
        io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb",
      );
  for (const chunk of stdout) io.stdout(chunk);
  if (options.json) io.stdout("\n");
  const shown = (file: string) => path.relative(io.cwd, file) || file;
  outputs.writeReport(function* () {
    yield* jsonChunks(targets(), tally.summary);
    yield "\n";
  });
  if (outputs.writeHtml(() => htmlChunks(targets(), tallyLine(tally))) && !options.json) {
    io.stdout(`HTML report: ${shown(outputs.htmlFile as string)}\n`);
  }
  // The text report shows failures in place; with --json, stdout is the document alone.
  for (const t of options.json ? failed : []) {
    const where = t.error?.location ? `${t.error.location}: ` : "";
    io.stderr(`patchfleet check: ${t.name} failed to load: ${where}${t.error?.message}\n`);
  }
  if (outcome.interrupted) return 130;
  if (tally.failed > 0) return 2;
  return tally.summary.mandatory > 0 ? 1 : 0;
}

export const command: Command = {
  summary: "synthesize the fleet or a program offline and run the policy pack",
  help: HELP,
  run,
};
