/**
 * Faults around `patchfleet check`, reproduced with real processes, real signals and real files: a
 * program that ignores SIGTERM and spins, a CLI killed in every way, stdout that is a closed pipe
 * or a full device, and programs that print a lot.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureBuilt, ROOT } from "./cli-helpers";

const BIN = path.join(ROOT, "bin", "patchfleet.js");

/** A process that still runs (a zombie waiting for its reaper does not count). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out: () => string;
  err: () => string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}, stdout?: number): Run {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, PATCHFLEET_FROM_SOURCE: "", NO_COLOR: "1", ...env },
    stdio: ["ignore", stdout ?? "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  return { child, done, out: () => out, err: () => err };
}

/**
 * A program that ignores SIGTERM, starts a grandchild (`sleep`), writes both pids to a file and
 * spins forever without yielding.
 */
const STUBBORN = `
const { spawn } = require("child_process");
const fs = require("fs");
process.on("SIGTERM", () => undefined);
const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
fs.writeFileSync(process.env.PIDS_FILE, JSON.stringify({ worker: process.pid, sleeper: sleeper.pid }));
for (;;) {}
`;

describe("check: process lifecycle, stdout faults and program output (real processes)", function () {
  this.timeout(60_000);
  let tmp: string;
  let pidsFile: string;
  let stubborn: string;

  before(() => {
    ensureBuilt();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-life-"));
    stubborn = path.join(tmp, "stubborn.js");
    fs.writeFileSync(stubborn, STUBBORN);
  });
  beforeEach(() => {
    pidsFile = path.join(tmp, `pids-${Date.now()}.json`);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const pids = () => JSON.parse(fs.readFileSync(pidsFile, "utf8")) as Record<string, number>;
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    PIDS_FILE: pidsFile,
    PATCHFLEET_KILL_GRACE_MS: "300",
    ...extra,
  });
  const assertAllGone = async () => {
    const left = pids();
    // The orphan watch polls every 250 ms; the group kill is immediate.
    await waitFor(
      `pids ${JSON.stringify(left)} to end`,
      () => !Object.values(left).some(running),
      3000,
    );
  };

  it("a program that ignores SIGTERM and spins: timeout, SIGKILL after the grace, the CLI exits, nothing survives", async () => {
    const t0 = Date.now();
    const run = start(
      ["check", "--program", stubborn],
      env({ PATCHFLEET_CHECK_TIMEOUT_MS: "1500" }),
    );
    const { code } = await run.done;
    assert.equal(code, 2, run.err());
    assert.ok(Date.now() - t0 < 30_000);
    assert.match(
      run.out(),
      /failed to load: did not finish within 1\.5 s: it stopped responding; the program may be busy in a loop that never ends/,
    );
    await assertAllGone();
  });

  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    it(`${sig} to the CLI while a program spins: exit 130, the target reported as interrupted, nothing survives`, async () => {
      const html = path.join(tmp, `${sig}.html`);
      const run = start(["check", "--program", stubborn, "--html", html], env());
      await waitFor("the program to start", () => fs.existsSync(pidsFile), 30_000);
      await new Promise((r) => setTimeout(r, 100)); // the pids file is written in full
      run.child.kill(sig);
      const { code } = await run.done;
      assert.equal(code, 130, run.err());
      assert.match(
        run.out(),
        /\n {2}interrupted: the check was stopped while this target was running\n/,
      );
      assert.match(
        run.out(),
        /1 target, 0 resources: 0 mandatory, 0 advisory violations, 1 interrupted/,
      );
      assert.doesNotMatch(run.out() + run.err(), /failed to load|SIGTERM\)|SIGKILL\)/);
      const page = fs.readFileSync(html, "utf8");
      assert.match(page, /Interrupted: the check was stopped while this target was running/);
      assert.doesNotMatch(page, /Failed to load/);
      await assertAllGone();
    });
  }

  it("SIGKILL to the CLI (no handler can run): the worker and its children still end", async () => {
    const run = start(["check", "--program", stubborn], env());
    await waitFor("the program to start", () => fs.existsSync(pidsFile), 30_000);
    await new Promise((r) => setTimeout(r, 100));
    run.child.kill("SIGKILL");
    await run.done;
    await assertAllGone();
  });

  it("two Ctrl-C: the second exits at once with 130 and still ends the worker group", async () => {
    const run = start(["check", "--program", stubborn], env({ PATCHFLEET_KILL_GRACE_MS: "20000" }));
    await waitFor("the program to start", () => fs.existsSync(pidsFile), 30_000);
    await new Promise((r) => setTimeout(r, 100));
    run.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill("SIGINT");
    const { code } = await run.done;
    assert.equal(code, 130);
    await assertAllGone();
  });

  describe("stdout", () => {
    let program: string;
    before(() => {
      // Enough JSON (about 320 KB; the HTML page about 380 KB) that the report cannot sit in a
      // pipe buffer (64 KiB by default on Linux, pipe(7)), from few resources: 20 documents of
      // 16 KB each (300 small roles gave only 57 KB and cost more to synthesize).
      program = path.join(tmp, "many.js");
      fs.writeFileSync(
        program,
        'const aws = require("@pulumi/aws");\n' +
          "const mainSteps = Array.from({ length: 40 }, (_, i) => ({\n" +
          '  action: "aws:runShellScript",\n' +
          '  name: "step" + i,\n' +
          '  inputs: { runCommand: ["echo " + "x".repeat(300)] },\n' +
          "}));\n" +
          'const content = JSON.stringify({ schemaVersion: "2.2", description: "many", mainSteps });\n' +
          "for (let i = 0; i < 20; i++) {\n" +
          '  new aws.ssm.Document("d" + i, { documentType: "Command", content });\n' +
          "}\n",
      );
    });

    it("check --json | head -c 10: ends quietly with the check's own exit code", () => {
      const r = spawnSync(
        "bash",
        [
          "-c",
          `"${process.execPath}" "${BIN}" check --program "${program}" --json 2>"${tmp}/err.txt" | head -c 10; echo " rc=\${PIPESTATUS[0]}"`,
        ],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8", timeout: 60_000 },
      );
      assert.equal(r.stdout, '{\n  "targe rc=0\n');
      assert.equal(fs.readFileSync(path.join(tmp, "err.txt"), "utf8"), "");
    });

    it("check > /dev/full: exit 2 with one line on stderr, no stack trace", async () => {
      const full = fs.openSync("/dev/full", "w");
      const run = start(["check", "--program", program], {}, full);
      fs.closeSync(full);
      const { code } = await run.done;
      assert.equal(code, 2);
      assert.equal(
        run.err(),
        "patchfleet: cannot write to standard output: ENOSPC: no space left on device, write\n",
      );
    });

    it("check --html /dev/full: exit 2, and /dev/full is still the device", async () => {
      const run = start(["check", "--program", program, "--html", "/dev/full"]);
      const { code } = await run.done;
      assert.equal(code, 2, run.err());
      assert.match(run.err(), /^patchfleet: could not write \/dev\/full: ENOSPC/m);
      assert.ok(fs.statSync("/dev/full").isCharacterDevice());
    });
  });

  describe("a checked program's console output", () => {
    it("20,001 lines on stdout and console.error of a program that succeeds all reach stderr", async () => {
      const program = path.join(tmp, "lines.js");
      fs.writeFileSync(
        program,
        'for (let i = 0; i < 20001; i++) console.log("line " + i);\n' +
          'console.error("from console.error");\n',
      );
      const run = start(["check", "--program", program]);
      const { code } = await run.done;
      assert.equal(code, 0, run.err().slice(-500));
      const lines = run.err().split("\n");
      assert.equal(lines.filter((l) => /^line \d+$/.test(l)).length, 20001);
      assert.ok(lines.includes("line 20000"));
      assert.ok(lines.includes("from console.error"));
      assert.doesNotMatch(run.out(), /line \d/);
    });

    it("past the limit the rest is spooled: the CLI says how much there was and where all of it is", async () => {
      const program = path.join(tmp, "volume.js");
      // 24 MiB in 64 KiB writes, on both streams.
      fs.writeFileSync(
        program,
        'const chunk = "x".repeat(65535) + "\\n";\n' +
          "for (let i = 0; i < 192; i++) process.stdout.write(chunk);\n" +
          "for (let i = 0; i < 192; i++) process.stderr.write(chunk);\n",
      );
      const run = start(["check", "--program", program], {
        PATCHFLEET_CHECK_OUTPUT_LIMIT: String(1024 * 1024),
      });
      const { code } = await run.done;
      assert.equal(code, 0, run.err().slice(-500));
      // What is shown stops at the last whole chunk under the limit, and the pipe decides the
      // chunks: just under 1 MiB reads as KiB.
      const note =
        /patchfleet check: programs printed 24\.0 MiB in 384 lines; only the first (\S+ (?:MiB|KiB)) are shown above; all of it is in (\S+)\n/.exec(
          run.err(),
        );
      assert.ok(note, run.err().slice(-500));
      assert.equal(fs.statSync(note[2]).size, 384 * 65536);
      assert.ok(run.err().length < 2 * 1024 * 1024);
      fs.rmSync(path.dirname(note[2]), { recursive: true, force: true });
    });
  });
});
