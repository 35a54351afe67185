import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { closest } from "../../components/config-util";
import { InputError } from "../../domain";

/**
 * What a CLI command may touch of the outside world, injectable so commands run in-process in
 * tests: output streams, TTY-ness, environment, working directory, and an interrupt signal.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  isTTY: boolean;
  /** Whether stderr (where live progress goes) is a terminal. @default false */
  stderrIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on the first SIGINT. A second SIGINT exits the process (bin only). */
  signal: AbortSignal;
  /** Resolves once what was written to stdout has gone out (or failed). */
  flush?: () => Promise<void>;
  /** The Pulumi CLI for stack commands. @default the `pulumi` on env.PATH, resolved per run */
  pulumiCommand?: PulumiCommand;
}

/** Bad input or a missing prerequisite: the CLI prints the message alone and exits 2. */
export class UsageError extends InputError {}

/**
 * The process's own streams and signals.
 *
 * stdout: a reader that goes away (`patchfleet check --json | head -c 10`, EPIPE) ends the output
 * quietly, as Unix tools do: the rest is discarded and the command keeps its own exit code (a
 * deployment in flight is not abandoned because nobody reads its log). Any other write error (a
 * full disk, `> /dev/full`) is one line on stderr and exit 2.
 *
 * Signals: the first SIGINT or SIGTERM aborts `signal` (running work stops, the report is still
 * written); a second one exits at once, 130 (SIGINT) or 143 (SIGTERM). Child processes are ended
 * by their owners' exit handlers either way.
 */
export function defaultIO(): CliIO {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: "SIGINT" | "SIGTERM") => {
    interrupts += 1;
    if (interrupts === 1) {
      writeStderr(
        `\npatchfleet: ${sig === "SIGINT" ? "interrupt" : "SIGTERM"} received; finishing running ` +
          `work (${sig === "SIGINT" ? "Ctrl-C" : "signal"} again to exit now)\n`,
      );
      controller.abort();
    } else {
      process.exit(sig === "SIGINT" ? 130 : 143);
    }
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));

  let stdoutState: "open" | "closed" | "failed" = "open";
  let stderrOpen = true;
  const writeStderr = (t: string) => {
    if (stderrOpen) process.stderr.write(t);
  };
  // Nothing is left to tell anyone once stderr itself is gone.
  process.stderr.on("error", () => {
    stderrOpen = false;
  });
  const io: CliIO = {
    stdout: (t) => {
      if (stdoutState === "open") process.stdout.write(t);
    },
    stderr: writeStderr,
    isTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    // Write errors arrive as events after the write returned: let them arrive before the exit code
    // is settled.
    flush: () =>
      new Promise<void>((resolve) => {
        if (stdoutState !== "open") return resolve();
        process.stdout.write("", () => setImmediate(resolve));
      }),
  };
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (stdoutState !== "open") return;
    if (err.code === "EPIPE") {
      stdoutState = "closed";
      return;
    }
    stdoutState = "failed";
    writeStderr(`patchfleet: cannot write to standard output: ${err.message}\n`);
    noteOutputFailure(io, "standard output");
  });
  return io;
}

/**
 * A command's options, read with Node's `util.parseArgs`: `--name value`, `--name=value` and
 * boolean `--flag`. Its refusals are worded for patchfleet: an unknown option names the closest
 * known one and lists them all; a missing value or a value on a flag names the option.
 */
export interface OptionSpec {
  [name: string]: "string" | "boolean";
}
export type ParsedOptions<S extends OptionSpec> = {
  [K in keyof S]?: S[K] extends "boolean" ? boolean : string;
};

export function parseOptions<S extends OptionSpec>(
  argv: string[],
  spec: S,
): { options: ParsedOptions<S>; positionals: string[] } {
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }])),
    // Not strict: every refusal below names the option in patchfleet's words.
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const seen = new Set<number>();
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
    } else if (token.kind === "option-terminator") {
      throw unknownOption("", spec);
    } else if (!token.rawName.startsWith("--")) {
      // `-x` (and each letter of `-xyz`) is an argument, as patchfleet has no short options.
      if (!seen.has(token.index)) positionals.push(argv[token.index]);
      seen.add(token.index);
    } else if (spec[token.name] === undefined) {
      throw unknownOption(token.name, spec);
    } else if (spec[token.name] === "boolean") {
      if (token.inlineValue) throw new UsageError(`--${token.name} takes no value`);
      options[token.name] = true;
    } else {
      // An option that follows is not a value: `--fleet --json` misses the file.
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith("--"))) {
        throw new UsageError(`--${token.name} needs a value`);
      }
      options[token.name] = token.value;
    }
  }
  return { options: options as ParsedOptions<S>, positionals };
}

function unknownOption(name: string, spec: OptionSpec): UsageError {
  const known = Object.keys(spec);
  const near = name === "" ? undefined : closest(name, known);
  return new UsageError(
    `unknown option --${name}; ${near === undefined ? "" : `did you mean --${near}? `}` +
      `known options: ${known.map((k) => `--${k}`).join(", ")}`,
  );
}

/**
 * Prepares, before any work starts, an output file named by `flag`: creates its missing directories
 * and checks that they are writable directories and that the path is not itself a directory. A run
 * that took minutes must never end in "could not write the report". Returns the absolute path.
 */
export function checkOutputPath(flag: string, file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const why = refusal(abs);
  if (why !== undefined) throw new UsageError(`${flag} ${file}: ${why}`);
  // A device or FIFO (/dev/stdout, a named pipe) is written through: its directory needs no write
  // permission. A symlink's target is written beside that target.
  const target = statOrNone(abs);
  if (target && !target.isFile()) return abs;
  const dir = path.dirname(target ? fs.realpathSync(abs) : abs);
  // Walk up to the nearest existing ancestor, then create each missing level one at a time: a
  // recursive mkdir never returns under some virtual file systems (e.g. below /proc).
  const missing: string[] = [];
  let existing = dir;
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  if (!fs.statSync(existing).isDirectory()) {
    throw new UsageError(`${flag} ${file}: ${existing} is not a directory; choose another path`);
  }
  for (const level of missing) {
    try {
      fs.mkdirSync(level);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new UsageError(
        `${flag} ${file}: cannot create the directory ${level} (${reason}); choose another path`,
      );
    }
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(
      `${flag} ${file}: the directory ${dir} is not writable; choose another path`,
    );
  }
  return abs;
}

/**
 * The output files and streams of a command that could not be written, by the CliIO they were
 * reported on. `main` turns any into exit 2 (after an interrupt, 130 stays), so no caller has to
 * remember to.
 */
const outputFailures = new WeakMap<object, string[]>();

/** Records that an output of the command run with `io` was lost (the message is already printed). */
export function noteOutputFailure(io: object, what: string): void {
  const list = outputFailures.get(io) ?? [];
  list.push(what);
  outputFailures.set(io, list);
}

/** What `noteOutputFailure` recorded for `io`. */
export function failedOutputs(io: object): readonly string[] {
  return outputFailures.get(io) ?? [];
}

/** stat (following links), or undefined when there is nothing there to stat (ENOENT, ENOTDIR). */
function statOrNone(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** "0444" for a mode's permission bits. */
function modeBits(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, "0");
}

/**
 * Why `abs` must not be written, or undefined. A regular file without any write bit is refused even
 * for root, who passes every access check: the mode is what the owner asked for.
 */
function refusal(abs: string): string | undefined {
  const st = statOrNone(abs);
  if (!st) return undefined;
  if (st.isDirectory()) return `${abs} is a directory; name a file inside it instead`;
  if (st.isFile() && (st.mode & 0o222) === 0) {
    return `${abs} is read-only (mode ${modeBits(st.mode)}); make it writable (chmod u+w) or choose another path`;
  }
  return undefined;
}

/**
 * Writes an output file after the work is done:
 * - a new or regular file is replaced atomically (temp file beside it, then rename), keeping the
 *   old file's permission bits;
 * - a symlink is followed and its target written the same way (the link stays a link);
 * - a device, FIFO or socket is written through (`--html /dev/stdout`), never replaced;
 * - a read-only file is refused.
 * A failure is printed on stderr, recorded for `main` (exit 2) and returned as false, never thrown.
 */
export function writeOutputFile(
  io: Pick<CliIO, "stderr">,
  abs: string,
  content: string | Iterable<string>,
): boolean {
  let target = abs;
  let tmp: string | undefined;
  try {
    // Follow symlinks to what they name: a dangling link is written where it points.
    for (let hops = 0; fs.lstatSync(target, { throwIfNoEntry: false })?.isSymbolicLink(); hops++) {
      if (hops > 40) throw Object.assign(new Error("too many symbolic links"), { code: "ELOOP" });
      target = path.resolve(path.dirname(target), fs.readlinkSync(target));
    }
    const why = refusal(target);
    if (why !== undefined) throw new Error(why);
    const st = statOrNone(target);
    if (st && !st.isFile()) {
      // A device, FIFO or socket: write through it; ENOSPC from /dev/full surfaces here.
      writeContent(target, content);
      return true;
    }
    tmp = `${target}.${process.pid}.tmp`;
    writeContent(tmp, content, st ? st.mode & 0o777 : 0o666);
    if (st) fs.chmodSync(tmp, st.mode & 0o7777);
    fs.renameSync(tmp, target);
    return true;
  } catch (err) {
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr(`patchfleet: could not write ${abs}: ${reason}\n`);
    noteOutputFailure(io, abs);
    return false;
  }
}

/** Writes a string, or a document piece by piece (a large report is never one string). */
/** Writes every chunk in full (a device may take part of a write), then closes the file. */
function writeContent(file: string, content: string | Iterable<string>, mode?: number): void {
  const fd = fs.openSync(file, "w", mode);
  try {
    for (const chunk of typeof content === "string" ? [content] : content) {
      const data = Buffer.from(chunk);
      for (let off = 0; off < data.length;) off += fs.writeSync(fd, data, off);
    }
  } finally {
    fs.closeSync(fd);
  }
}
