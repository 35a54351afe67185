/**
 * Finding the Pulumi CLI. The runner resolves it once per run and hands the same PulumiCommand to
 * every workspace: otherwise each LocalWorkspace runs `pulumi version` on its own, which costs a
 * process per stack and lets two stacks of one run use two different CLIs if PATH changes.
 */
import * as fs from "fs";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { InputError } from "../../domain";

/** Inline programs need `destroy`/`refresh` with `--client`, which the CLI gained in 3.181.0. */
export const MINIMUM_PULUMI_VERSION = "3.181.0";

export const PULUMI_INSTALL_HINT =
  "Install the Pulumi CLI (https://www.pulumi.com/docs/iac/download-install/), for example " +
  "`curl -fsSL https://get.pulumi.com | sh` or `brew install pulumi/tap/pulumi`, make sure " +
  "`pulumi version` works in this shell, then run patchfleet again.";

/** The CLI is missing or unusable. A missing prerequisite: the CLI exits 2 with this message. */
export class PulumiCliError extends InputError {}

export interface ResolvePulumiOptions {
  /** Environment whose PATH is searched. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** An installation root holding `bin/pulumi`; skips the PATH search. */
  root?: string;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of the first executable `pulumi` on PATH, or undefined. */
export function findPulumiOnPath(env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd", "pulumi"] : ["pulumi"];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    for (const name of names) {
      const candidate = path.resolve(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Locates the CLI and checks its version, before any stack is touched. Throws PulumiCliError with
 * the install hint when it is missing, cannot run, or is too old.
 */
export async function resolvePulumiCli(options: ResolvePulumiOptions = {}): Promise<PulumiCommand> {
  const env = options.env ?? process.env;
  let root = options.root;
  if (root === undefined) {
    const found = findPulumiOnPath(env);
    if (found === undefined) {
      throw new PulumiCliError(
        `the Pulumi CLI (\`pulumi\`) was not found on PATH. ${PULUMI_INSTALL_HINT}`,
      );
    }
    // PulumiCommand.get takes an installation root and runs <root>/bin/pulumi; every installer
    // (get.pulumi.com, Homebrew, Chocolatey, distro packages) puts the binary in a bin directory.
    root = path.basename(path.dirname(found)) === "bin" ? path.dirname(path.dirname(found)) : "";
  } else if (!isExecutable(path.join(root, "bin", "pulumi"))) {
    throw new PulumiCliError(
      `the Pulumi CLI was not found at ${path.join(root, "bin", "pulumi")}. ${PULUMI_INSTALL_HINT}`,
    );
  }
  let command: PulumiCommand;
  try {
    command = await PulumiCommand.get({ root: root === "" ? undefined : root });
  } catch (err) {
    const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new PulumiCliError(
      `the Pulumi CLI could not be used (${message.trim()}). ${PULUMI_INSTALL_HINT}`,
    );
  }
  const version = command.version?.version;
  if (version !== undefined && compareVersions(version, MINIMUM_PULUMI_VERSION) < 0) {
    throw new PulumiCliError(
      `the Pulumi CLI at ${command.command} is version ${version}; patchfleet needs ` +
        `${MINIMUM_PULUMI_VERSION} or newer. ${PULUMI_INSTALL_HINT}`,
    );
  }
  return command;
}

/** Compares the numeric major.minor.patch of two versions (pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, "").split(/[-+]/)[0].split(".").map(Number);
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
