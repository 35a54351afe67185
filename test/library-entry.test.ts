import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./helpers/repo-paths";

// Tools embed patchfleet as `require("patchfleet/automation")`: resolve it the way a consumer's
// node_modules would, against the compiled build that `npm ci` / `npm test` produce.
describe("library entry point", () => {
  it("exposes the runner, the offline check and fleet operations as patchfleet/automation", () => {
    const root = REPO_ROOT;
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
});
