// A stack trace's frames in tsc's output (dist/**/*.js) pointed back at the TypeScript lines they
// were compiled from, through the .js.map files tsc writes beside them ("sourceMap": true).
//
// The reporter (test/summary-reporter.js) maps failed tests' stacks with it, once each, when it
// prints them. `npm test` also has Node map every stack in its test processes
// (test/helpers/source-maps.js, about 1 s of CPU); this keeps a failure readable in a run without
// that (a compiled test run with other settings) at no cost until a test fails.
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- loaded by mocha's reporter as CommonJS */
const fs = require("fs");
const path = require("path");
const { SourceMap } = require("module");

const ROOT = path.join(__dirname, "..", "..");
const DIST = path.join(ROOT, "dist") + path.sep;

/** @type {Map<string, {map: SourceMap, dir: string} | null>} */
const maps = new Map();

function mapOf(file) {
  let hit = maps.get(file);
  if (hit === undefined) {
    hit = null;
    try {
      const payload = JSON.parse(fs.readFileSync(`${file}.map`, "utf8"));
      hit = {
        map: new SourceMap(payload),
        dir: path.join(path.dirname(file), payload.sourceRoot ?? ""),
      };
    } catch {
      // No map (or not readable): the frame stays as it is.
    }
    maps.set(file, hit);
  }
  return hit;
}

/** `file:line:column` of the source position, or undefined when there is none. */
function sourcePosition(file, line, column) {
  const m = mapOf(file);
  if (!m) return undefined;
  // SourceMap#findEntry takes and gives zero-based lines and columns; stack frames are one-based.
  const entry = m.map.findEntry(line - 1, column - 1);
  if (!entry || entry.originalSource === undefined) return undefined;
  const source = path.resolve(m.dir, entry.originalSource);
  return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
}

/**
 * The stack with each frame in `dist` (the repository's dist/ unless given) that has a source map
 * replaced by its TypeScript position. mocha's stack filter has made paths under the working
 * directory relative by then; they stay relative.
 */
function sourceMappedStack(stack, dist = DIST) {
  if (typeof stack !== "string") return stack;
  return stack
    .split("\n")
    .map((line) =>
      /^\s+at /.test(line)
        ? line.replace(/([^\s():]+\.js):(\d+):(\d+)/g, (whole, file, l, c) => {
            const absolute = path.resolve(file);
            if (!absolute.startsWith(dist)) return whole;
            const source = sourcePosition(absolute, Number(l), Number(c));
            if (!source) return whole;
            return path.isAbsolute(file) ? source : path.relative(process.cwd(), source);
          })
        : line,
    )
    .join("\n");
}

module.exports = { sourceMappedStack };
