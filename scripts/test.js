#!/usr/bin/env node
// `npm test`: the suite's checks with the machine's two cores kept busy, then the wall and CPU time
// of each phase and the ten costliest test files (`npm run bench:test` prints the same as a
// benchmark).
//
// The build (tsc -b, which also type-checks) and the one-@pulumi/pulumi check are independent.
// mocha needs dist/ (the CLI tests run the compiled CLI), so it starts as soon as the build is
// done, in mocha's parallel mode, while the check runs beside the build.
// mocha runs the tests as tsc compiled them (dist/test/**/*.test.js, .mocharc.dist.json), not
// under ts-node: loading the product's modules through ts-node cost each worker ~7 s of CPU
// (~1.3 s compiled), and ts-node's source-map hook made every stack the Pulumi SDK reads costly.
// `npx mocha test/x.test.ts` (.mocharc.json, ts-node) runs the same tests from their sources.
// The type-aware eslint pass and prettier are `npm run lint`, a step of its own that CI runs
// (README, "Development", says why).
// Each phase's output is printed whole when the suite ends, in a fixed order, then the phase
// times, then mocha's output: its closing line is "N passed, N failed, N skipped".
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const PHASES = ["deps:check", "build", "test:unit"];
const ROOT = path.join(__dirname, "..");
const MOCHA = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");
/** mocha's settings for the compiled tests: no ts-node, `.js` files, the same hooks and reporter. */
const MOCHARC_DIST = path.join(ROOT, ".mocharc.dist.json");
/**
 * mocha's parallel workers: two per core. Much of a test's wall time is spent waiting (on the
 * processes it starts, an SDK's retry back-off, a timer), and a second worker per core fills it.
 * Measured with `npm run bench:test` on 2 cores: 2 workers 93 and 94 s, 3 workers 85 s, 4 workers
 * 80 and 86 s, 5 workers 87 s (more workers cost more CPU in start-up and contention).
 */
const JOBS = 2 * os.availableParallelism();
/** Each test file's wall time in a reference run; `npm run bench:test` writes it. */
const TIMES = path.join(ROOT, "test", "file-times.json");

/** CPU seconds (user + system) of this process's reaped children, from /proc/self/stat (Linux). */
function childCpuSeconds() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // stat(5) fields 16 and 17 (cutime, cstime), in clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** mocha, in parallel mode, on the given compiled test files in that order. */
function compiledMocha(files) {
  return [
    process.execPath,
    [MOCHA, "--config", MOCHARC_DIST, "--parallel", "--jobs", String(JOBS), ...files],
  ];
}

/**
 * A package.json script as `npm run` runs it (a shell, node_modules/.bin first on PATH), without
 * starting npm itself: npm's own start-up was about 1.5 s of CPU per phase.
 */
function packageScript(script) {
  const command = require(path.join(ROOT, "package.json")).scripts[script];
  const bin = path.join(ROOT, "node_modules", ".bin");
  return process.platform === "win32"
    ? ["npm.cmd", ["run", "-s", script], process.env]
    : [
        "sh",
        ["-c", command],
        { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
      ];
}

// `node scripts/test.js --phase <script> [file...]`: runs the package.json script (for test:unit,
// mocha on the given compiled files in that order) with inherited output, then reports the CPU
// time of everything it started on fd 3 (the processes are reaped by then).
if (process.argv[2] === "--phase") {
  const [script, ...files] = process.argv.slice(3);
  const [command, args, env] =
    script === "test:unit" ? [...compiledMocha(files), process.env] : packageScript(script);
  const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], cwd: ROOT, env });
  child.on("close", (code) => {
    try {
      fs.writeSync(3, JSON.stringify({ cpuS: childCpuSeconds() }));
    } catch {
      // No fd 3: run by hand.
    }
    process.exitCode = code ?? 1;
  });
  return;
}

// `node scripts/test.js --unit` (`npm run test:unit`, after its tsc -b): npm test's mocha phase
// alone, the compiled tests longest first.
if (process.argv[2] === "--unit") {
  const [command, args] = compiledMocha(compiledTestFiles());
  spawn(command, args, { stdio: "inherit" }).on("close", (code) => {
    process.exitCode = code ?? 1;
  });
  return;
}

/**
 * The test files, longest first, so that mocha's parallel workers (which take files in the order
 * given) do not end on one long file while the other worker sits idle. The order comes from the
 * wall times in test/file-times.json, which `npm run bench:test` rewrites; a file it does not list
 * yet goes first. The files are the *.test.ts files under test/, except test/engine/ (which is
 * `npm run test:engine`).
 */
function testFilesLongestFirst() {
  const files = fs
    .readdirSync(path.join(ROOT, "test"), { recursive: true })
    .map((f) => path.join("test", f).split(path.sep).join("/"))
    .filter((f) => f.endsWith(".test.ts") && !f.startsWith("test/engine/"))
    .sort();
  let times = {};
  try {
    times = JSON.parse(fs.readFileSync(TIMES, "utf8"));
  } catch {
    // No times: name order.
  }
  const weight = (f) => times[f] ?? Infinity;
  return files
    .map((f, i) => ({ f, i, w: weight(f) }))
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.f);
}

/**
 * The compiled form of each test file, dist/test/x.test.js for test/x.test.ts, longest first. The
 * list comes from the TypeScript files, so a test deleted from test/ whose JavaScript tsc left
 * behind in dist/test/ does not run.
 */
function compiledTestFiles() {
  return testFilesLongestFirst().map((f) => path.posix.join("dist", f.replace(/\.ts$/, ".js")));
}

/** Runs one phase, collecting its output; resolves with its exit code, wall and CPU time. */
function runScript(script, env, files = []) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stderr.write(`[suite] ${script} started\n`);
    const child = spawn(process.execPath, [__filename, "--phase", script, ...files], {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env,
    });
    const chunks = [];
    let cpu = "";
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.stdio[3].on("data", (d) => (cpu += d.toString()));
    child.on("close", (code, signal) => {
      const ms = Date.now() - started;
      let cpuS = NaN;
      try {
        cpuS = JSON.parse(cpu).cpuS;
      } catch {
        // Reported as unknown.
      }
      process.stderr.write(`[suite] ${script} ${code === 0 ? "passed" : "FAILED"} (${fmt(ms)})\n`);
      resolve({
        script,
        code: code ?? 1,
        signal,
        ms,
        cpuS,
        output: Buffer.concat(chunks).toString(),
      });
    });
  });
}

function fmt(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Per test file: wall and CPU seconds (its worker's and its child processes'), costliest first. */
function readFileTimes(file) {
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .map((t) => ({ ...t, totalCpuS: t.cpuS + t.childCpuS }))
    .sort((a, b) => b.totalCpuS - a.totalCpuS);
}

async function main() {
  const started = Date.now();
  const timing = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-suite-")),
    "files.jsonl",
  );
  const env = { ...process.env, PATCHFLEET_TEST_TIMING: timing };
  const cpuAtStart = childCpuSeconds();
  const results = new Map();
  const record = async (script, files) => results.set(script, await runScript(script, env, files));
  await Promise.all([
    // The build, then mocha.
    (async () => {
      await record("build");
      await record("test:unit", compiledTestFiles());
    })(),
    // Beside them, the check that needs nothing built.
    record("deps:check"),
  ]);
  const wall = Date.now() - started;
  const cpu = childCpuSeconds() - cpuAtStart;
  const files = readFileTimes(timing);
  fs.rmSync(path.dirname(timing), { recursive: true, force: true });

  const cpuText = (s) => (Number.isFinite(s) ? `${s.toFixed(1)} s` : "?");
  const lines = PHASES.map((name) => {
    const r = results.get(name);
    return `  ${name.padEnd(13)} ${fmt(r.ms).padStart(8)} ${cpuText(r.cpuS).padStart(9)}  ${r.code === 0 ? "ok" : "FAILED"}`;
  });
  const top = files
    .slice(0, 10)
    .map(
      (t) =>
        `  ${cpuText(t.totalCpuS).padStart(8)} ${cpuText(t.childCpuS).padStart(8)} ${cpuText(t.wallS).padStart(8)}  ${t.file}`,
    );
  const table =
    `\nsuite phases (build then mocha, beside deps:check; eslint and prettier are npm run lint)\n` +
    `  ${"phase".padEnd(13)} ${"wall".padStart(8)} ${"CPU".padStart(9)}\n` +
    `${lines.join("\n")}\n` +
    `  ${"total".padEnd(13)} ${fmt(wall).padStart(8)} ${cpuText(cpu).padStart(9)}  on ${os.availableParallelism()} cores\n` +
    (top.length > 0
      ? `\ncostliest test files (CPU with child processes; of that in children; wall; ` +
        `module loading not included)\n${top.join("\n")}\n`
      : "");
  if (process.env.PATCHFLEET_SUITE_JSON) {
    const phases = Object.fromEntries(
      PHASES.map((n) => [
        n,
        { wallS: results.get(n).ms / 1000, cpuS: results.get(n).cpuS, code: results.get(n).code },
      ]),
    );
    fs.writeFileSync(
      process.env.PATCHFLEET_SUITE_JSON,
      JSON.stringify(
        { wallS: wall / 1000, cpuS: cpu, cores: os.availableParallelism(), phases, files },
        null,
        2,
      ),
    );
  }
  // mocha's output goes last, so its "N passed, N failed, N skipped" line closes the log.
  for (const name of PHASES) {
    const r = results.get(name);
    if (name === "test:unit") process.stdout.write(table);
    const out = r.output.trimEnd();
    process.stdout.write(`\n> ${name}${r.code === 0 ? "" : ` (exit ${r.code})`}\n${out}\n`);
  }
  process.exitCode = PHASES.some((name) => results.get(name).code !== 0) ? 1 : 0;
}

void main();
