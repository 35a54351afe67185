// Loaded by mocha (.mocharc.json and .mocharc.dist.json "require") in the main process and in
// every parallel worker.
//
// mochaGlobalSetup (main process, once, before any worker starts): dist/ must be current, because
// the CLI tests run the compiled CLI and the offline check forks the compiled worker. `npm test`
// builds before mocha, so this finds dist/ fresh and returns; a lone `npx mocha <file>` after an
// edit builds once here instead of in each test file (and never twice at once in two workers).
//
// mochaHooks (per test file in parallel mode): with PATCHFLEET_TEST_TIMING=<file>, appends one
// JSON line per test file: its wall time, the worker's own CPU time, and the CPU time of the child
// processes it started and reaped (Linux /proc), so `npm test` can name the costliest files. A
// compiled test (dist/test/x.test.js, as `npm test` runs them) is named by its source,
// test/x.test.ts, as test/file-times.json names it.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- mocha loads this file as CommonJS */
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const ROOT = path.join(__dirname, "..", "..");
const BUILT = [
  path.join(ROOT, "dist", "automation", "cli", "main.js"),
  path.join(ROOT, "dist", "automation", "check", "worker.js"),
];
const SOURCES = ["automation", "components", "policy-pack", "domain"];

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "node_modules") {
      newest = Math.max(newest, newestSource(full));
    } else if (entry.name.endsWith(".ts")) {
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** Whether dist/ holds a build at least as new as every source file. */
function distIsCurrent() {
  const built = Math.min(...BUILT.map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  const source = Math.max(...SOURCES.map((d) => newestSource(path.join(ROOT, d))));
  return built >= source;
}

/** Compiles the project when dist/ is missing or older than a source file. */
function ensureBuilt() {
  if (distIsCurrent()) return;
  process.stderr.write("[mocha] dist/ is older than the sources: building it once (tsc)\n");
  // Type errors elsewhere do not stop tsc from emitting; what matters here is a fresh dist/.
  spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.json"],
    {
      cwd: ROOT,
      stdio: "ignore",
    },
  );
  for (const f of BUILT) {
    if (!fs.existsSync(f)) throw new Error(`build did not produce ${f}; run npm run build`);
  }
}

/** A test file's path from the repository root, a compiled test's named by its TypeScript source. */
function sourceName(file) {
  const relative = path.relative(ROOT, file).split(path.sep).join("/");
  const compiled = /^dist\/(test\/.+)\.js$/.exec(relative);
  return compiled ? `${compiled[1]}.ts` : relative;
}

/** CPU seconds of this process's reaped children (user + system), from /proc/self/stat. */
function childCpuSeconds() {
  try {
    const stat = fs.readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat(5) (cutime, cstime), counted from field 3 here; clock ticks of 1/100 s.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

const timingFile = process.env.PATCHFLEET_TEST_TIMING;
let started;

const mochaHooks = timingFile
  ? {
      beforeAll() {
        started = { at: Date.now(), cpu: process.cpuUsage(), children: childCpuSeconds() };
      },
      afterAll() {
        const root = this.test && this.test.parent;
        const files = root ? [...new Set(root.suites.map((s) => s.file).filter(Boolean))] : [];
        const cpu = process.cpuUsage(started.cpu);
        const line = {
          file: files.length === 1 ? sourceName(files[0]) : "(several files)",
          wallS: (Date.now() - started.at) / 1000,
          cpuS: (cpu.user + cpu.system) / 1e6,
          childCpuS: childCpuSeconds() - started.children,
        };
        fs.appendFileSync(timingFile, `${JSON.stringify(line)}\n`);
      },
    }
  : {};

module.exports = { mochaHooks, mochaGlobalSetup: ensureBuilt, ensureBuilt, distIsCurrent };
