import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkOutputPath, failedOutputs, UsageError, writeOutputFile } from "../automation/cli/io";
import { main } from "../automation/cli/main";
import { captureIO } from "./helpers/cli-io";
import { repoPath } from "./helpers/repo-paths";

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
      ["check", "--fleet", repoPath("examples", "fleet.yaml"), "--html", "x/r.html"],
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

  describe("what an output path points at (real file types)", () => {
    it("a regular file is replaced atomically and keeps its permission bits", () => {
      const file = path.join(dir, "r.json");
      fs.writeFileSync(file, "old\n", { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      const before = fs.statSync(file).ino;
      const io = captureIO();
      assert.equal(writeOutputFile(io, file, "new\n"), true);
      assert.equal(fs.readFileSync(file, "utf8"), "new\n");
      // A new inode: the content was renamed into place, never truncated and rewritten.
      assert.notEqual(fs.statSync(file).ino, before);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(fs.readdirSync(dir), ["r.json"]);
    });

    it("a symlink is followed: its target is written and the link stays a link", () => {
      fs.mkdirSync(path.join(dir, "real"));
      const target = path.join(dir, "real", "report.html");
      fs.writeFileSync(target, "old");
      const link = path.join(dir, "latest.html");
      fs.symlinkSync("real/report.html", link);
      assert.equal(checkOutputPath("--html", "latest.html", dir), link);
      const io = captureIO();
      assert.equal(writeOutputFile(io, link, "<p>new</p>\n"), true, io.err);
      assert.ok(fs.lstatSync(link).isSymbolicLink());
      assert.equal(fs.readlinkSync(link), "real/report.html");
      assert.equal(fs.readFileSync(target, "utf8"), "<p>new</p>\n");
      // A dangling link is written where it points.
      const dangling = path.join(dir, "next.html");
      fs.symlinkSync("real/next.html", dangling);
      assert.equal(writeOutputFile(io, dangling, "x"), true, io.err);
      assert.ok(fs.lstatSync(dangling).isSymbolicLink());
      assert.equal(fs.readFileSync(path.join(dir, "real", "next.html"), "utf8"), "x");
    });

    it("/dev/full is written through: ENOSPC is reported and recorded, and the device stays a device", () => {
      assert.equal(checkOutputPath("--html", "/dev/full", dir), "/dev/full");
      const io = captureIO();
      assert.equal(writeOutputFile(io, "/dev/full", "<html></html>\n"), false);
      assert.match(
        io.err,
        /^patchfleet: could not write \/dev\/full: ENOSPC: no space left on device/,
      );
      assert.equal(io.err.split("\n").length, 2, io.err);
      assert.deepEqual(failedOutputs(io), ["/dev/full"]);
      assert.ok(fs.statSync("/dev/full").isCharacterDevice());
    });

    it("a FIFO is written through to its reader and stays a FIFO", async () => {
      const fifo = path.join(dir, "pipe");
      assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
      const reader = spawn("cat", [fifo], { stdio: ["ignore", "pipe", "inherit"] });
      let got = "";
      reader.stdout.on("data", (d: Buffer) => (got += d.toString()));
      const done = new Promise((resolve) => reader.on("close", resolve));
      assert.equal(checkOutputPath("--report", "pipe", dir), fifo);
      const io = captureIO();
      assert.equal(writeOutputFile(io, fifo, '{"ok":true}\n'), true, io.err);
      await done;
      assert.equal(got, '{"ok":true}\n');
      assert.ok(fs.lstatSync(fifo).isFIFO());
    });

    it("a read-only (0444) file is refused up front and at write time, even for root", () => {
      const file = path.join(dir, "keep.json");
      fs.writeFileSync(file, "precious\n");
      fs.chmodSync(file, 0o444);
      assert.throws(
        () => checkOutputPath("--report", "keep.json", dir),
        usage(
          `--report keep.json: ${file} is read-only (mode 0444); make it writable (chmod u+w) or choose another path`,
        ),
      );
      const io = captureIO();
      assert.equal(writeOutputFile(io, file, "overwritten\n"), false);
      assert.match(io.err, /is read-only \(mode 0444\)/);
      assert.equal(fs.readFileSync(file, "utf8"), "precious\n");
      assert.equal(fs.statSync(file).mode & 0o777, 0o444);
    });

    it("a symlink to a read-only file is refused too", () => {
      const file = path.join(dir, "keep.json");
      fs.writeFileSync(file, "precious\n");
      fs.chmodSync(file, 0o444);
      fs.symlinkSync("keep.json", path.join(dir, "alias.json"));
      assert.throws(
        () => checkOutputPath("--report", "alias.json", dir),
        /read-only \(mode 0444\)/,
      );
    });
  });
});
