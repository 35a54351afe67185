#!/usr/bin/env node
// `npm run bench:test`: runs the whole suite (`npm test`) and prints its wall time and CPU time
// (user + system of every process it started), per phase and in total, and the ten test files
// that cost the most CPU, after the suite's own output. The machine is often shared: CPU time is
// the figure that compares across runs; wall time is what a developer waits. A passing run rewrites
// test/file-times.json, the order in which `npm test` hands files to mocha (longest first).
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- a plain Node script */
const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-bench-"));
const out = path.join(dir, "suite.json");
const run = spawnSync(process.execPath, [path.join(__dirname, "..", "scripts", "test.js")], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, PATCHFLEET_SUITE_JSON: out },
});
const s = JSON.parse(fs.readFileSync(out, "utf8"));
fs.rmSync(dir, { recursive: true, force: true });

const sec = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} s` : "?");
const load = os.loadavg()[0].toFixed(1);
console.log(`\nnpm test on ${s.cores} cores (load average now ${load})`);
console.log(`  ${"phase".padEnd(13)} ${"wall".padStart(8)} ${"CPU".padStart(8)}`);
for (const [name, p] of Object.entries(s.phases)) {
  console.log(
    `  ${name.padEnd(13)} ${sec(p.wallS).padStart(8)} ${sec(p.cpuS).padStart(8)}  ${p.code === 0 ? "ok" : "FAILED"}`,
  );
}
console.log(`  ${"total".padEnd(13)} ${sec(s.wallS).padStart(8)} ${sec(s.cpuS).padStart(8)}`);
console.log(
  `\nten costliest test files: CPU (worker + its child processes), of that in children, wall`,
);
for (const f of s.files.slice(0, 10)) {
  console.log(
    `  ${sec(f.totalCpuS).padStart(8)} ${sec(f.childCpuS).padStart(8)} ${sec(f.wallS).padStart(8)}  ${f.file}`,
  );
}
if (run.status === 0) {
  // The order `npm test` hands files to mocha's workers in: longest first (scripts/test.js).
  const times = Object.fromEntries(
    s.files
      .map((f) => [f.file, Math.round(f.wallS * 10) / 10])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  fs.writeFileSync(
    path.join(__dirname, "..", "test", "file-times.json"),
    `${JSON.stringify(times, null, 2)}\n`,
  );
  console.log("\ntest/file-times.json rewritten with these wall times");
}
process.exitCode = run.status ?? 1;
