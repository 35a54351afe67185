/** `patchfleet rings status --fleet <file>`: the ring rollout as the run store records it. */
import * as path from "path";
import { renderRingsStatus, ringsStatus } from "../ops/rings/ring-status";
import { loadFleetOption } from "./fleet-options";
import { CliIO, UsageError, parseOptions } from "./io";
import type { Command } from "./main";

const SPEC = { fleet: "string", json: "boolean", "state-dir": "string" } as const;

const HELP = `Usage: patchfleet rings status --fleet <file> [--json] [--state-dir <dir>]

Per ring of the fleet's rings: whether it started and finished in the current rollout, what it
installed (per OS and patch group), its gate and soak, and what the next ring will get. Reads the
run store only (.patchfleet/runs beside the fleet file); makes no AWS call.
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, SPEC);
  if (positionals[0] !== "status" || positionals.length > 1) {
    throw new UsageError("usage: patchfleet rings status --fleet <file>");
  }
  const fleet = await loadFleetOption(
    options.fleet === undefined ? undefined : path.resolve(io.cwd, options.fleet),
  );
  if (fleet.rings === undefined) {
    throw new UsageError(`${options.fleet}: has no rings: (docs/fleet-file.md "Rings")`);
  }
  const stateDir =
    options["state-dir"] === undefined ? undefined : path.resolve(io.cwd, options["state-dir"]);
  const report = await ringsStatus(fleet, stateDir);
  io.stdout(options.json ? JSON.stringify(report, null, 2) + "\n" : renderRingsStatus(report));
  return 0;
}

export const command: Command = {
  summary: "show a ring rollout: per ring what it installed, its gate, what the next ring gets",
  help: HELP,
  run,
};
