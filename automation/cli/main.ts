/**
 * The patchfleet CLI: one file per command under automation/cli/, dispatched from here. Commands
 * return an exit code; only this module's caller (bin/patchfleet.js) sets it on the process.
 *
 * Exit codes (./exit-codes.ts): 0 success, 1 some target failed or a mandatory violation, 2 bad
 * input or missing prerequisite, 130 interrupted.
 */
// First: the SDK's closure-serialization modules are deferred before any command loads the SDK.
import "../startup/defer-now";
import { EXIT, exitForError } from "./exit-codes";
import { CliIO, defaultIO, failedOutputs } from "./io";

export interface Command {
  /** One line for `patchfleet --help`. */
  summary: string;
  /** Full `--help` text of the command. */
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

type CommandLoader = () => Promise<Command>;

// Lazy so that `patchfleet check` never loads the Automation API, and `patchfleet up` never loads
// the mock runtime.
const COMMANDS: Record<string, CommandLoader> = {
  check: async () => (await import("./check-command")).command,
  preview: async () => (await import("./stack-commands")).commands.preview,
  up: async () => (await import("./stack-commands")).commands.up,
  refresh: async () => (await import("./stack-commands")).commands.refresh,
  destroy: async () => (await import("./stack-commands")).commands.destroy,
  drift: async () => (await import("./stack-commands")).commands.drift,
  outputs: async () => (await import("./stack-commands")).commands.outputs,
  "policy-config": async () => (await import("./policy-config-command")).command,
  patch: async () => (await import("./patch-command")).command,
  compliance: async () => (await import("./compliance-command")).command,
  rings: async () => (await import("./rings-command")).command,
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

async function topLevelHelp(): Promise<string> {
  const lines = [
    "patchfleet: patch management for AWS fleets as code",
    "",
    "Usage: patchfleet <command> [options]",
    "",
    "Commands:",
  ];
  for (const name of COMMAND_NAMES) {
    let summary: string;
    try {
      summary = (await COMMANDS[name]()).summary;
    } catch {
      summary = "(unavailable in this build)";
    }
    lines.push(`  ${name.padEnd(14)} ${summary}`);
  }
  lines.push("", "Run `patchfleet <command> --help` for a command's options.");
  return lines.join("\n") + "\n";
}

export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  let code = await dispatch(argv, io);
  await io.flush?.();
  // An output the user asked for was lost (a full disk, a read-only --html file): the run did not
  // do what it was asked, whatever its own result. An interrupt keeps its code.
  if (failedOutputs(io).length > 0 && code !== EXIT.interrupted) code = EXIT.input;
  return code;
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(await topLevelHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    io.stdout(`${(require("../../package.json") as { version: string }).version}\n`);
    return 0;
  }
  const loader = COMMANDS[name];
  if (!loader) {
    io.stderr(
      `patchfleet: unknown command "${name}". Commands: ${COMMAND_NAMES.join(", ")}. ` +
        `Run \`patchfleet --help\`.\n`,
    );
    return 2;
  }
  const command = await loader();
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return exitForError(name, err, io);
  }
}
