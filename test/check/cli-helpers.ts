/**
 * Running `patchfleet check` the way a user does: the bin script, as a child process, on the
 * compiled JavaScript under dist/ (rebuilt first when a source is newer than the build).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT, repoPath } from "../helpers/repo-paths";

export const ROOT = REPO_ROOT;
const BIN = path.join(ROOT, "bin", "patchfleet.js");

/**
 * Compiles the project when dist/ is missing or older than a source file. mocha's global setup
 * (test/helpers/suite-hooks.js) has already done this once before any test file ran, so here it
 * only confirms that dist/ is current.
 */
export function ensureBuilt(): void {
  // A CommonJS mocha plugin in test/ (tsc does not copy it to dist/test/): named from the root.
  const hooks = repoPath("test", "helpers", "suite-hooks.js");
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS mocha plugin
  (require(hooks) as { ensureBuilt: () => void }).ensureBuilt();
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Child process ids of `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Runs `node bin/patchfleet.js <args>` in `cwd` (the repository root by default). */
export function runCli(
  args: string[],
  cwd = ROOT,
  env: NodeJS.ProcessEnv = {},
  /** Send SIGINT once the CLI has started its first worker process (polled for up to 30 s). */
  interruptWhenWorking = false,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, PATCHFLEET_FROM_SOURCE: "", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    let poll: NodeJS.Timeout | undefined;
    if (interruptWhenWorking) {
      const deadline = Date.now() + 30_000;
      poll = setInterval(() => {
        if (child.pid !== undefined && childPids(child.pid).length > 0) {
          child.kill("SIGINT");
          clearInterval(poll);
        } else if (Date.now() > deadline) {
          clearInterval(poll);
        }
      }, 20);
    }
    child.on("close", (code) => {
      if (poll) clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}
