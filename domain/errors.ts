/**
 * The two kinds of error patchfleet reports to a person as its message alone, never as a stack
 * trace. Components, the policy pack and automation all throw subclasses of these; the CLI maps
 * them to exit codes in one place (automation/cli/exit-codes.ts).
 */

/** One problem of an input, where it is and how to fix it. */
export interface InputIssue {
  /** Where the problem is, e.g. `members[2].regions[0]` or `--policy-config`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** The line of the input file, when the input was a file. */
  line?: number;
}

/**
 * Bad input or a missing prerequisite (an invalid fleet file or stack config, an unknown option, no
 * Pulumi CLI, a locked fleet): nothing was changed, the message says what to fix. The CLI exits 2.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  /** Lines the CLI prints below the message (one per issue); none by default. */
  details(): string[] {
    return [];
  }
}

/**
 * Work was started and could not be completed (an automation that could not be started or
 * followed). The message says what happened and how to continue. The CLI exits 1.
 */
export class OperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** `  <path>: <message> (line N)`: how an issue is shown below its error's message. */
export function issueLine(issue: InputIssue): string {
  return `  ${issue.path}: ${issue.message}${issue.line === undefined ? "" : ` (line ${issue.line})`}`;
}
