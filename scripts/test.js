#!/usr/bin/env node
// `npm test`: every check of the suite, with the machine's two cores kept busy, and the wall time of
// each phase at the end (this is also the suite's benchmark: `node scripts/test.js`).
//
// The build (tsc, which also type-checks), eslint, prettier and the one-@pulumi/pulumi check are
// independent. mocha needs dist/ (the CLI tests run the compiled CLI), so it starts as soon as the
// build is done, in mocha's parallel mode (two workers), while the checks run one after another
// beside the build and mocha.
// Each phase's output is printed whole when the suite ends, in a fixed order, then the phase
// times, then mocha's output: its closing line is "N passed, N failed, N skipped".
"use strict";
const { spawn } = require("child_process");
const os = require("os");

const PHASES = ["deps:check", "build", "lint", "format:check", "test:unit"];

/** Runs `npm run -s <script>`, collecting its output; resolves with its exit code and timing. */
function runScript(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    process.stderr.write(`[suite] ${script} started\n`);
    const child = spawn(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "-s", script], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("close", (code, signal) => {
      const ms = Date.now() - started;
      process.stderr.write(`[suite] ${script} ${code === 0 ? "passed" : "FAILED"} (${fmt(ms)})\n`);
      resolve({ script, code: code ?? 1, signal, ms, output: Buffer.concat(chunks).toString() });
    });
  });
}

function fmt(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function main() {
  const started = Date.now();
  const results = new Map();
  const record = async (script) => results.set(script, await runScript(script));
  await Promise.all([
    // One core: the build, then mocha (whose two workers mostly wait on child processes).
    (async () => {
      await record("build");
      await record("test:unit");
    })(),
    // The other: the checks that need nothing built.
    (async () => {
      for (const script of ["deps:check", "lint", "format:check"]) await record(script);
    })(),
  ]);
  const wall = Date.now() - started;

  const lines = PHASES.map((name) => {
    const r = results.get(name);
    return `  ${name.padEnd(13)} ${fmt(r.ms).padStart(8)}  ${r.code === 0 ? "ok" : "FAILED"}`;
  });
  const table =
    `\nsuite phases (wall time each; build then mocha, beside deps:check, lint, format:check)\n` +
    `${lines.join("\n")}\n  ${"total".padEnd(13)} ${fmt(wall).padStart(8)}  on ${os.availableParallelism()} cores\n`;
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
