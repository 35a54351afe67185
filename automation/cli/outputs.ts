/**
 * `--json`, `--report <file>` and `--html <file>`, the same way for every command: the files are
 * checked before any work starts, written after it, and what is said about them goes where it
 * does not spoil the document (stderr with --json, stdout otherwise).
 */
import { CliIO, checkOutputPath, writeOutputFile } from "./io";

export interface OutputFlags {
  json?: boolean;
  report?: string;
  html?: string;
}

type Content = string | Iterable<string>;

/** A value as the JSON document patchfleet prints and writes: indented, one final newline. */
export function jsonDocument(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

export class CommandOutputs {
  /** Whether stdout carries the JSON document alone. */
  readonly json: boolean;
  /** Absolute paths of the files asked for. */
  readonly reportFile: string | undefined;
  readonly htmlFile: string | undefined;

  /** Checks the output paths (a UsageError names a bad one) before any work starts. */
  constructor(
    private readonly io: CliIO,
    private readonly flags: OutputFlags,
  ) {
    this.json = flags.json === true;
    this.reportFile =
      flags.report === undefined ? undefined : checkOutputPath("--report", flags.report, io.cwd);
    this.htmlFile =
      flags.html === undefined ? undefined : checkOutputPath("--html", flags.html, io.cwd);
  }

  /** Notes about the run and its outputs: on stderr with --json, else on stdout. */
  readonly note = (text: string): void => (this.json ? this.io.stderr : this.io.stdout)(text);

  /** With --json, `value` as the JSON document on stdout and `text` on stderr; else `text`. */
  print(value: unknown, text: string): void {
    if (this.json) {
      this.io.stdout(jsonDocument(value));
      this.io.stderr(text);
    } else {
      this.io.stdout(text);
    }
  }

  /**
   * Writes --report (when asked for) with the document `content` makes, and says so. A failure is
   * printed and recorded for the exit code by writeOutputFile.
   */
  writeReport(content: () => Content): void {
    if (this.reportFile !== undefined && writeOutputFile(this.io, this.reportFile, content())) {
      this.note(`report written to ${this.flags.report}\n`);
    }
  }

  /** Writes --html (when asked for); true when it was written. */
  writeHtml(content: () => Content): boolean {
    return this.htmlFile !== undefined && writeOutputFile(this.io, this.htmlFile, content());
  }
}
