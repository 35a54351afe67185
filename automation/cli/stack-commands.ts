/**
 * `patchfleet preview|up|refresh|destroy|drift|outputs`: one stack operation over the fleet.
 */
import * as path from "path";
import { buildReport, exitCodeFor } from "../stacks/run-report";
import { runFleet, StackOperation } from "../stacks/run-fleet";
import { CliIO, parseOptions, UsageError } from "./io";
import { CommandOutputs, jsonDocument } from "./outputs";
import type { Command } from "./main";
import { loadFleetOption, parseCountOrPercent, parseList } from "./fleet-options";
import { ProgressRenderer } from "./render";

const SPEC = {
  fleet: "string",
  only: "string",
  shard: "string",
  "max-concurrent": "string",
  "failure-tolerance": "string",
  json: "boolean",
  report: "string",
  "clear-pending-creates": "boolean",
  "break-lock": "boolean",
  help: "boolean",
} as const;

const SUMMARIES: Record<StackOperation, string> = {
  preview: "preview the changes to every stack of the fleet",
  up: "deploy the patch topology: central stack first, then members",
  refresh: "refresh every stack's state from AWS (clears pending operations)",
  destroy: "destroy every stack: members first, central last",
  drift: "fail every stack whose resources differ from the fleet file",
  outputs: "show every stack's outputs",
};

function help(op: StackOperation): string {
  return `Usage: patchfleet ${op} --fleet <file> [options]

${SUMMARIES[op][0].toUpperCase()}${SUMMARIES[op].slice(1)}.

Options:
  --fleet <file>              fleet file (required)
  --only <a,b>                only these accounts (names or ids; the central one may be named)
  --shard <k/n>               only the k-th of n deterministic slices of the members (CI matrix);
                              the central stack is left to a separate \`--only <central>\` run
  --max-concurrent <N|P%>     member stacks in flight at once (default: fleet rollout.maxConcurrent)
  --failure-tolerance <N|P%>  member failures tolerated before stopping (default: fleet file)
  --json                      print the report as JSON on stdout (progress goes to stderr)
  --report <file>             also write the report as JSON to <file>
${
  op === "refresh"
    ? "  --clear-pending-creates     drop creates an interrupted update left pending (delete or\n" +
      "                              import anything they created in AWS first)\n"
    : ""
}${
    op === "outputs"
      ? ""
      : "  --break-lock                remove a stale fleet lock (its run is gone) before running\n"
  }  --help                      this text

Environment: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (passphrase secrets),
AWS credentials for the deploying principal. The Pulumi CLI must be on PATH.

One run at a time per fleet: a run holds .patchfleet.lock beside the state, and a second run
stops with exit 2 naming the holder (pid, host, since).

Exit codes: 0 every stack succeeded, 1 a stack failed or was cancelled, 2 bad input, a missing
prerequisite or a locked fleet, 130 interrupted.
`;
}

async function run(op: StackOperation, argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, SPEC);
  if (options["clear-pending-creates"] && op !== "refresh") {
    throw new UsageError("--clear-pending-creates only applies to `patchfleet refresh`");
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; see \`patchfleet ${op} --help\``,
    );
  }
  const maxConcurrent =
    options["max-concurrent"] === undefined
      ? undefined
      : parseCountOrPercent("--max-concurrent", options["max-concurrent"], 1);
  const failureTolerance =
    options["failure-tolerance"] === undefined
      ? undefined
      : parseCountOrPercent("--failure-tolerance", options["failure-tolerance"], 0);
  const only = options.only === undefined ? undefined : parseList("--only", options.only);
  const outputs = new CommandOutputs(io, options);
  const fleet = await loadFleetOption(
    options.fleet === undefined ? undefined : path.resolve(io.cwd, options.fleet),
  );

  // With --json, stdout carries only the report; progress goes to stderr.
  const progressSink = options.json
    ? { write: io.stderr, isTTY: false }
    : {
        write: io.stdout,
        // A terminal that cannot move its cursor gets the plain, one-line-per-change log.
        isTTY: io.isTTY && io.env.TERM !== "dumb",
        columns: process.stdout.columns || undefined,
      };
  const renderer = new ProgressRenderer(progressSink, op);
  const result = await runFleet({
    fleet,
    operation: op,
    only,
    shard: options.shard,
    maxConcurrent,
    failureTolerance,
    signal: io.signal,
    // Ctrl-C in a terminal reaches the pulumi processes too (same foreground process group);
    // forwarding it would be their second interrupt, which makes Pulumi abandon the step in
    // flight. Elsewhere (CI, `kill -INT`), only patchfleet was signalled: forward it once.
    interruptOperations: !process.stdin.isTTY,
    clearPendingCreates: options["clear-pending-creates"],
    breakLock: options["break-lock"],
    env: io.env,
    pulumiCommand: io.pulumiCommand,
    onEvent: (e) => renderer.onEvent(e),
  });
  const report = buildReport(result);
  if (op === "outputs" && !outputs.json) {
    for (const t of report.targets) {
      if (t.outputs) io.stdout(`${t.stackName}: ${JSON.stringify(t.outputs)}\n`);
    }
  }
  outputs.print(report, renderer.summary(report));
  outputs.writeReport(() => jsonDocument(report));
  return exitCodeFor(report);
}

function command(op: StackOperation): Command {
  return { summary: SUMMARIES[op], help: help(op), run: (argv, io) => run(op, argv, io) };
}

export const commands: Record<StackOperation, Command> = {
  preview: command("preview"),
  up: command("up"),
  refresh: command("refresh"),
  destroy: command("destroy"),
  drift: command("drift"),
  outputs: command("outputs"),
};
