/**
 * The engine suite's harness: the real Pulumi CLI from .engine/bin (npm run engine:setup), a
 * PULUMI_HOME, a file:// backend and a stand-in cloud in a fresh temp dir per suite.
 *
 * Without .engine/bin/pulumi the suites skip, saying why, unless PATCHFLEET_REQUIRE_ENGINE is set
 * (CI sets it), in which case they fail.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { snapshot } from "../../engine/provider/cloud";

export const REPO = path.resolve(__dirname, "..", "..");
export const ENGINE_BIN = path.join(REPO, ".engine", "bin");
export const PULUMI = path.join(ENGINE_BIN, "pulumi");
export const CENTRAL = "111111111111";

/** Call in a suite's `before`: skips (or fails under PATCHFLEET_REQUIRE_ENGINE) without the engine. */
export function requireEngine(ctx: Mocha.Context): void {
  if (fs.existsSync(PULUMI)) return;
  const why = `${PULUMI} is missing: run \`npm run engine:setup\` (needs Go) for the engine suite`;
  if (process.env.PATCHFLEET_REQUIRE_ENGINE) throw new Error(why);
  console.log(`  skipped: ${why}`);
  ctx.skip();
}

export interface Sandbox {
  dir: string;
  cloud: string;
  backend: string;
  env: NodeJS.ProcessEnv;
}

export function sandbox(name: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `patchfleet-engine-${name}-`));
  const cloud = path.join(dir, "cloud");
  const backend = path.join(dir, "state");
  fs.mkdirSync(backend, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${ENGINE_BIN}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "patchfleet-engine-tests",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // Never download a plugin: the stand-in provider on PATH must be the one the engine runs.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PATCHFLEET_STANDIN_CLOUD: cloud,
    PATCHFLEET_STANDIN_ACCOUNT: CENTRAL,
    AWS_REGION: "us-east-1",
  };
  delete env.PULUMI_ACCESS_TOKEN;
  return { dir, cloud, backend, env };
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

export function pulumi(
  sb: Sandbox,
  args: string[],
  cwd: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Result {
  const t = Date.now();
  const r = spawnSync(PULUMI, [...args, "--non-interactive"], {
    cwd,
    env: { ...sb.env, ...extraEnv },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - t) / 1000 };
}

/** Like `pulumi`, failing the test with the CLI's output when it exits non-zero. */
export function pulumiOk(sb: Sandbox, args: string[], cwd: string): Result {
  const r = pulumi(sb, args, cwd);
  if (r.status !== 0) {
    throw new Error(`pulumi ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** The processes below `pid`, read from /proc (the engine suite runs on Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * Runs a command asynchronously (for interrupts and concurrent locks). `killTree` ends it with
 * everything it started, as a lost machine would: the CLI starts its plugins (language host,
 * provider) in process groups of their own, so killing the CLI or its group leaves them running.
 */
export function start(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const killTree = (signal: NodeJS.Signals) => {
    const pid = child.pid as number;
    for (const p of [pid, ...descendants(pid)]) {
      try {
        process.kill(p, signal);
      } catch {
        // already gone
      }
    }
  };
  return {
    child,
    done,
    killTree,
    output: () => stdout + stderr,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** Polls `ready` every 50 ms until it holds, failing after `ms`. */
export async function waitFor(what: string, ready: () => boolean, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A closed gate for the stand-in cloud (PATCHFLEET_STANDIN_GATE): every provider call of a
 * process started with `env` waits until `open()`. `reached()` says a call is waiting, i.e. the
 * engine is inside an operation (it records a pending operation and holds the stack's lock
 * before it calls the provider).
 */
export function gate(sb: Sandbox, name: string) {
  const file = path.join(sb.dir, `gate-${name}`);
  fs.writeFileSync(file, "closed");
  fs.rmSync(`${file}.reached`, { force: true });
  return {
    env: { ...sb.env, PATCHFLEET_STANDIN_GATE: file },
    reached: () => fs.existsSync(`${file}.reached`),
    open: () => fs.rmSync(file, { force: true }),
  };
}

/** Resources left in the stand-in cloud, as "<file> <type> <id>" lines. */
export function cloudResources(sb: Sandbox): string[] {
  const lines: string[] = [];
  for (const [file, records] of Object.entries(snapshot(sb.cloud))) {
    for (const [type, byId] of Object.entries(records)) {
      for (const id of Object.keys(byId)) lines.push(`${file} ${type} ${id}`);
    }
  }
  return lines.sort();
}

/** Writes a stack config file for the repo's own program. */
export function writeYaml(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A copy of the program's own files (not a fixture): Pulumi.yaml, index.ts and what it imports. */
export function copyProgram(dest: string): string {
  for (const f of ["Pulumi.yaml", "index.ts", "tsconfig.json", "package.json"]) {
    fs.copyFileSync(path.join(REPO, f), path.join(dest, f));
  }
  for (const d of ["components", "domain"]) {
    fs.cpSync(path.join(REPO, d), path.join(dest, d), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dest, "node_modules"));
  return dest;
}
