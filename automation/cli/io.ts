import * as fs from "fs";
import * as path from "path";

/**
 * What a CLI command may touch of the outside world, injectable so commands run in-process in
 * tests: output streams, TTY-ness, environment, working directory, and an interrupt signal.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on the first SIGINT. A second SIGINT exits the process (bin only). */
  signal: AbortSignal;
}

/** Bad input or a missing prerequisite: the CLI prints the message alone and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function defaultIO(): CliIO {
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write(
        "\npatchfleet: interrupt received; finishing running work (Ctrl-C again to exit now)\n",
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  };
}

/**
 * A small, strict argument parser: `--name value`, `--name=value` and boolean `--flag`. Unknown
 * options are errors that name the option and list the known ones.
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
  const options: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec)
        .map((k) => `--${k}`)
        .join(", ");
      throw new UsageError(`unknown option --${name}; known options: ${known}`);
    }
    if (kind === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new UsageError(`--${name} needs a value`);
    }
    options[name] = value;
  }
  return { options: options as ParsedOptions<S>, positionals };
}

/**
 * Prepares, before any work starts, an output file named by `flag`: creates its missing directories
 * and checks that they are writable directories and that the path is not itself a directory. A run
 * that took minutes must never end in "could not write the report". Returns the absolute path.
 */
export function checkOutputPath(flag: string, file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const dir = path.dirname(abs);
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
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    throw new UsageError(`${flag} ${file}: ${abs} is a directory; name a file inside it instead`);
  }
  return abs;
}

/**
 * Writes an output file after the work is done, atomically (temp file, then rename). A failure is
 * reported on stderr and returned as false, never thrown: the caller keeps the run's own exit code.
 */
export function writeOutputFile(
  io: Pick<CliIO, "stderr">,
  abs: string,
  content: string | Iterable<string>,
): boolean {
  const tmp = `${abs}.${process.pid}.tmp`;
  try {
    writeContent(tmp, content);
    fs.renameSync(tmp, abs);
    return true;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    const reason = err instanceof Error ? err.message : String(err);
    io.stderr(`patchfleet: could not write ${abs}: ${reason}\n`);
    return false;
  }
}

/** Writes a string, or a document piece by piece (a large report is never one string). */
function writeContent(file: string, content: string | Iterable<string>): void {
  if (typeof content === "string") {
    fs.writeFileSync(file, content);
    return;
  }
  const fd = fs.openSync(file, "w");
  try {
    for (const chunk of content) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}
