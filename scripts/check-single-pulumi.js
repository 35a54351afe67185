#!/usr/bin/env node
// Two copies of @pulumi/pulumi in one tree split the SDK's runtime state (mocks, resource
// registrations, the CrossGuard server): resources registered through one copy are invisible to the
// other. Fail fast when npm resolved a second copy.
"use strict";
const { execFileSync } = require("child_process");

let out;
try {
  out = execFileSync("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"], { encoding: "utf8" });
} catch (err) {
  process.stderr.write(`npm ls @pulumi/pulumi failed:\n${err.stdout || ""}${err.stderr || ""}`);
  process.exit(1);
}
const copies = [
  ...new Set(out.split("\n").filter((l) => l.endsWith("node_modules/@pulumi/pulumi"))),
];
if (copies.length !== 1) {
  process.stderr.write(
    `expected exactly one @pulumi/pulumi in node_modules, found ${copies.length}:\n  ${copies.join("\n  ")}\n` +
      `fix: keep the "overrides" entry for @pulumi/pulumi in package.json and run npm install\n`,
  );
  process.exit(1);
}
process.stdout.write(`one @pulumi/pulumi: ${copies[0]}\n`);
