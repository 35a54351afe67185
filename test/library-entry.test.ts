import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

// Tools embed patchfleet as `require("patchfleet/automation")`: resolve it the way a consumer's
// node_modules would, against the compiled build that `npm ci` / `npm test` produce.
describe("library entry point", () => {
  it("exposes the runner, the offline check and fleet operations as patchfleet/automation", () => {
    const root = path.join(__dirname, "..");
    const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-consumer-"));
    try {
      fs.mkdirSync(path.join(consumer, "node_modules"));
      fs.symlinkSync(root, path.join(consumer, "node_modules", "patchfleet"), "dir");
      const script =
        "const a = require('patchfleet/automation');" +
        "process.stdout.write(JSON.stringify([typeof a.runFleet, typeof a.loadFleet," +
        " typeof a.runRollout, typeof a.check.runCheck, typeof a.runPatch, typeof a.gatherCompliance," +
        " typeof a.renderDashboard, require.resolve('patchfleet/automation')]))";
      const out = JSON.parse(
        execFileSync(process.execPath, ["-e", script], { cwd: consumer, encoding: "utf8" }),
      );
      assert.deepEqual(out.slice(0, 7), Array(7).fill("function"));
      assert.equal(out[7], path.join(fs.realpathSync(root), "dist", "automation", "index.js"));
    } finally {
      fs.rmSync(consumer, { recursive: true, force: true });
    }
  });

  it("leaves `pulumi up` running index.ts, now that package.json's main is the library", () => {
    const root = path.join(__dirname, "..");
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
      main?: string;
      runtime: { name: string };
    };
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      main: string;
      exports: Record<string, { default: string }>;
    };
    // Pulumi.yaml `main`: "Path to the Pulumi program, relative to the location of Pulumi.yaml"
    // (https://www.pulumi.com/docs/iac/concepts/projects/project-file/). The Node.js language
    // host reads package.json's exports["."] or main only when Pulumi.yaml sets no main
    // (@pulumi/pulumi cmd/run/run.js: `if (!hasEntrypoint)`), and those now name the library.
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.main, "index.ts");
    assert.ok(fs.existsSync(path.join(root, project.main)));
    assert.equal(pkg.main, "dist/components/index.js");
    assert.equal(pkg.exports["."].default, "./dist/components/index.js");
    const runJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    assert.match(runJs, /const hasEntrypoint = argv\._\[0\] !== "\.";/);
    assert.match(
      runJs,
      /if \(!hasEntrypoint\) \{\s*\/\/ Check if package\.json specifies an entrypoint/,
    );
  });
});
