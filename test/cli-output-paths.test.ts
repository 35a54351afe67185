import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkOutputPath, UsageError, writeOutputFile } from "../automation/cli/io";
import { main } from "../automation/cli/main";
import { captureIO } from "./helpers/cli-io";

describe("output paths (--report, --html)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-out-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const usage = (message: string) => (e: unknown) =>
    e instanceof UsageError && e.message === message;

  it("accepts a new file in an existing directory and returns its absolute path", () => {
    assert.equal(checkOutputPath("--report", "r.json", dir), path.join(dir, "r.json"));
  });

  it("creates missing directories up front", () => {
    assert.equal(
      checkOutputPath("--report", "a/b/r.json", dir),
      path.join(dir, "a", "b", "r.json"),
    );
    assert.ok(fs.statSync(path.join(dir, "a", "b")).isDirectory());
  });

  it("rejects a file as directory, an uncreatable directory and a directory as file, naming the flag", () => {
    fs.writeFileSync(path.join(dir, "fleet.yaml"), "");
    fs.mkdirSync(path.join(dir, "out"));
    assert.throws(
      () => checkOutputPath("--html", "fleet.yaml/x/y.html", dir),
      usage(
        `--html fleet.yaml/x/y.html: ${path.join(dir, "fleet.yaml")} is not a directory; choose another path`,
      ),
    );
    assert.throws(
      () => checkOutputPath("--report", "/proc/patchfleet-nope/r.json", dir),
      usage(
        "--report /proc/patchfleet-nope/r.json: cannot create the directory /proc/patchfleet-nope (ENOENT); choose another path",
      ),
    );
    assert.throws(
      () => checkOutputPath("--report", "out", dir),
      usage(`--report out: ${path.join(dir, "out")} is a directory; name a file inside it instead`),
    );
  });

  it("writes atomically, and reports a failed write instead of throwing", () => {
    const io = captureIO();
    const file = path.join(dir, "r.json");
    assert.equal(writeOutputFile(io, file, "{}\n"), true);
    assert.equal(fs.readFileSync(file, "utf8"), "{}\n");
    assert.deepEqual(fs.readdirSync(dir), ["r.json"]);
    const gone = path.join(dir, "gone", "r.json");
    assert.equal(writeOutputFile(io, gone, "{}\n"), false);
    assert.match(io.err, new RegExp(`^patchfleet: could not write ${gone}: ENOENT`));
  });

  it("check --html below a file stops with exit 2 before any synthesis", async () => {
    fs.writeFileSync(path.join(dir, "x"), "");
    const io = captureIO({ cwd: dir });
    const code = await main(
      [
        "check",
        "--fleet",
        path.join(__dirname, "..", "examples", "fleet.yaml"),
        "--html",
        "x/r.html",
      ],
      io,
    );
    assert.equal(code, 2);
    assert.equal(io.out, "");
    assert.equal(
      io.err,
      `patchfleet check: --html x/r.html: ${path.join(dir, "x")} is not a directory; choose another path\n`,
    );
  });

  it("up --report into a file-as-directory stops with exit 2 before reading the fleet", async () => {
    fs.writeFileSync(path.join(dir, "fleet.yaml"), "not: [valid");
    const io = captureIO({ cwd: dir });
    const code = await main(["up", "--fleet", "fleet.yaml", "--report", "fleet.yaml/r.json"], io);
    assert.equal(code, 2);
    assert.equal(
      io.err,
      `patchfleet up: --report fleet.yaml/r.json: ${path.join(dir, "fleet.yaml")} is not a directory; choose another path\n`,
    );
  });

  it("policy-config --out below a file stops with exit 2 before reading the fleet", async () => {
    fs.writeFileSync(path.join(dir, "fleet.yaml"), "not: [valid");
    const io = captureIO({ cwd: dir });
    const code = await main(
      ["policy-config", "--fleet", "fleet.yaml", "--account", "a", "--out", "fleet.yaml/p.json"],
      io,
    );
    assert.equal(code, 2);
    assert.equal(
      io.err,
      `patchfleet policy-config: --out fleet.yaml/p.json: ${path.join(dir, "fleet.yaml")} is not a directory; choose another path\n`,
    );
  });
});
