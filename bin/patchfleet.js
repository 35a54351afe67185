#!/usr/bin/env node
// Entry point of the patchfleet CLI. Runs the compiled JavaScript under dist/ (built by `npm ci`
// through the "prepare" script, or `npm run build`); falls back to the TypeScript sources when no
// build exists, which is slower but always current.
"use strict";
const path = require("path");
const fs = require("fs");

const root = path.join(__dirname, "..");
const compiled = path.join(root, "dist", "automation", "cli", "main.js");
let entry;
if (fs.existsSync(compiled) && process.env.PATCHFLEET_FROM_SOURCE !== "1") {
  entry = compiled;
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  entry = path.join(root, "automation", "cli", "main.ts");
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
