import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckProgress } from "../../automation/cli/check-progress";
import { main } from "../../automation/cli/main";
import { captureIO } from "../helpers/cli-io";

/** Cursor movement and line erasing (CSI sequences), and carriage returns. */
const CURSOR = /\x1b\[|\r/;

describe("check: progress and messages", () => {
  const sink = (isTTY: boolean, env: NodeJS.ProcessEnv) => {
    const s = { text: "", isTTY, env, write: (t: string) => (s.text += t) };
    return s;
  };

  it("on a terminal: a status line at once, redrawn in place, erased before the report", async () => {
    const s = sink(true, { TERM: "xterm-256color" });
    const p = new CheckProgress(s, 20);
    p.start(300);
    assert.equal(s.text, "\r\x1b[2Kchecking: 0/300 targets done (0 s)");
    p.targetDone();
    await new Promise((r) => setTimeout(r, 60));
    p.stop();
    assert.match(s.text, /\r\x1b\[2Kchecking: 1\/300 targets done \(0 s\)/);
    assert.ok(s.text.endsWith("\r\x1b[2K"));
  });

  it("TERM=dumb gets plain lines without cursor movement; a pipe gets nothing", async () => {
    const dumb = sink(true, { TERM: "dumb" });
    const p = new CheckProgress(dumb, 20);
    p.start(3);
    await new Promise((r) => setTimeout(r, 60));
    p.stop();
    assert.equal(dumb.text, "checking: 0/3 targets done (0 s)\n");
    assert.doesNotMatch(dumb.text, CURSOR);
    const pipe = sink(false, { TERM: "xterm" });
    const q = new CheckProgress(pipe, 20);
    q.start(3);
    q.stop();
    assert.equal(pipe.text, "");
  });

  it("check prints the fleet file's line for each problem, as preview does", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-msg-"));
    try {
      const file = path.join(dir, "fleet.yaml");
      fs.writeFileSync(
        file,
        'central:\n  account: "111111111111"\n  regions: [us-east-1]\n  bogus: 1\nmembers: []\npatchGroups: {}\n',
      );
      const check = captureIO({ cwd: dir });
      assert.equal(await main(["check", "--fleet", "fleet.yaml"], check), 2);
      const preview = captureIO({ cwd: dir });
      assert.equal(await main(["preview", "--fleet", "fleet.yaml"], preview), 2);
      for (const io of [check, preview]) {
        assert.match(io.err, /central\.bogus: unknown key; .* \(line 4\)\n/);
        assert.match(io.err, /patchGroups: must define at least one patch group \(line 6\)\n/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
