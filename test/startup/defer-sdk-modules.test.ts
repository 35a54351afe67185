/**
 * automation/startup defers the SDK's closure-serialization modules (TypeScript, Arborist) in our
 * own processes. What it must not change is the SDK's behaviour, so the expected values here are
 * what @pulumi/pulumi itself produces in a process that does not defer them.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { REPO_ROOT } from "../helpers/repo-paths";

const ROOT = REPO_ROOT;
const DEFER = path.join(ROOT, "dist", "automation", "startup", "defer-now.js");

// Run in a fresh process each: the test process has TypeScript loaded already (ts-node).
const PROBE = `
if (process.argv[1] === "defer") require(${JSON.stringify(DEFER)});
const loaded = () =>
  Object.keys(require.cache).filter((f) => /node_modules[\\\\/](typescript|@npmcli[\\\\/]arborist)[\\\\/]/.test(f)).length;
const pulumi = require("@pulumi/pulumi");
const atStart = loaded();
(async () => {
  const offset = 41;
  const closure = await pulumi.runtime.serializeFunction((x) => x + offset);
  const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
  process.stdout.write(JSON.stringify({ atStart, text: closure.text, paths: [...paths.keys()].sort() }));
})();
`;

interface Probe {
  atStart: number;
  text: string;
  paths: string[];
}

async function probe(mode: "defer" | "plain"): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", PROBE, mode], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Probe;
}

describe("start-up: the SDK's closure-serialization modules load on first use", function () {
  this.timeout(120_000);

  it("are not loaded with the SDK, and serializeFunction and computeCodePaths give what they give without the deferral", async () => {
    const [deferred, plain] = await Promise.all([probe("defer"), probe("plain")]);
    // Without the deferral, requiring @pulumi/pulumi loads TypeScript and Arborist's files.
    assert.ok(plain.atStart > 10, `plain start loaded ${plain.atStart} files`);
    // With it, only the two stand-ins are in the module cache.
    assert.equal(deferred.atStart, 2);
    // The SDK's own output, from the process that did not defer anything.
    assert.equal(deferred.text, plain.text);
    assert.ok(plain.text.includes("offset"), "the closure captures the variable");
    assert.deepEqual(deferred.paths, plain.paths);
    assert.ok(plain.paths.length > 0);
  });
});
