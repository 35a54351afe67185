/**
 * The CLI's exit codes, and the one place where an error a command throws becomes one. Commands
 * return the code of their result (a report's failures, an interrupt); anything they throw comes
 * here.
 */
import { InputError, OperationError } from "../../domain";
import type { CliIO } from "./io";

export const EXIT = {
  /** Everything succeeded. */
  ok: 0,
  /** Some target failed, a mandatory violation, or work that could not be completed. */
  failed: 1,
  /** Bad input, a missing prerequisite, or an output that could not be written. */
  input: 2,
  /** Interrupted (SIGINT). */
  interrupted: 130,
} as const;

/**
 * Reports what `command` threw and returns its exit code: an InputError (2) or an OperationError
 * (1) as its message alone, anything else as an internal error (2) whose stack is printed only with
 * PATCHFLEET_DEBUG set.
 */
export function exitForError(command: string, err: unknown, io: CliIO): number {
  if (err instanceof InputError || err instanceof OperationError) {
    const details = err instanceof InputError ? err.details() : [];
    io.stderr([`patchfleet ${command}: ${err.message}`, ...details].join("\n") + "\n");
    return err instanceof InputError ? EXIT.input : EXIT.failed;
  }
  // A bug of ours: say so plainly, keep the detail for the report, and never lose the exit code.
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`patchfleet ${command}: internal error: ${message}\n`);
  if (io.env.PATCHFLEET_DEBUG) {
    io.stderr(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  return EXIT.input;
}
