/**
 * The fleet lock, with real processes: two `patchfleet up` runs of one fleet, a lock left by a
 * process that is gone, and a run that exits through a second Ctrl-C.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli/main";
import { LOCK_FILE, type LockHolder } from "../../automation/stacks/fleet-lock";
import { loadFleet } from "../../automation/fleet/parse-fleet";
import { stackName } from "../../automation/stacks/topology-config";
import { ensureBuilt } from "../check/cli-helpers";
import { FakePulumi } from "../fake-pulumi/harness";
import { captureIO } from "../helpers/cli-io";
import { CENTRAL_OUTPUTS } from "./fixtures";
import { REPO_ROOT, repoPath } from "../helpers/repo-paths";

const ROOT = REPO_ROOT;
const BIN = path.join(ROOT, "bin", "patchfleet.js");
const FLEET = repoPath("test", "runner", "fixtures", "fleet.yaml");

describe("fleet lock: one run at a time per fleet (real processes)", function () {
  this.timeout(60_000);
  let fake: FakePulumi;
  let work: string;
  let lockFile: string;
  let central: string;

  before(async () => {
    ensureBuilt();
    central = stackName((await loadFleet(FLEET)).central);
  });

  function setup(centralUp: "ok" | "slow" = "ok", slowMs = 20_000) {
    fake = new FakePulumi({
      stacks: { "*": { outputs: CENTRAL_OUTPUTS }, [central]: { up: centralUp, slowMs } },
    });
    work = path.join(fake.dir, "project");
    fs.mkdirSync(work);
    fs.copyFileSync(FLEET, path.join(work, "fleet.yaml"));
    // The default backend is file:// under .patchfleet/state: the lock sits beside that state.
    lockFile = path.join(work, ".patchfleet", "state", LOCK_FILE);
  }
  afterEach(() => fake?.cleanup());

  function startUp(args: string[] = []) {
    const child = spawn(process.execPath, [BIN, "up", "--fleet", "fleet.yaml", ...args], {
      cwd: work,
      env: { ...fake.env(), PATCHFLEET_FROM_SOURCE: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.resume();
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    return { child, done, err: () => err };
  }

  async function waitFor(ok: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // patchfleet in this process runs the stand-in CLI in process too; the runs started with
  // startUp are real processes throughout.
  const upInProcess = async (extra: string[] = []) => {
    const io = captureIO({ cwd: work, env: fake.env(), pulumiCommand: await fake.command() });
    const code = await main(["up", "--fleet", "fleet.yaml", ...extra], io);
    return { code, err: io.err };
  };

  it("a second up while one runs: exit 2 naming the holder; the first finishes and releases the lock", async () => {
    setup("slow", 4000);
    const first = startUp();
    await waitFor(() => fs.existsSync(lockFile), 30_000);
    const holder = JSON.parse(fs.readFileSync(lockFile, "utf8")) as LockHolder;
    assert.equal(holder.pid, first.child.pid);
    const second = await upInProcess();
    assert.equal(second.code, 2);
    assert.equal(
      second.err,
      `patchfleet up: the fleet is locked by patchfleet up (pid ${first.child.pid} on ` +
        `${os.hostname()}, since ${holder.since}), which is still running; wait for it to finish\n`,
    );
    // A live holder on this host is never overridden, not even when asked.
    assert.equal((await upInProcess(["--break-lock"])).code, 2);
    // The slow central `up` of the fake fails after its delay; the lock goes with the run.
    await first.done;
    assert.ok(!fs.existsSync(lockFile));
    assert.equal(fake.calls("up").filter((c) => c.argv.includes(central)).length, 1);
  });

  it("a stale lock (its process is gone) is reported, and removed only with --break-lock", async () => {
    setup();
    const gone = spawnSync(process.execPath, ["-e", ""]).pid as number;
    const stale: LockHolder = {
      pid: gone,
      host: os.hostname(),
      since: "2025-01-02T03:04:05.000Z",
      operation: "up",
      fleet: path.join(work, "fleet.yaml"),
      token: "0000",
    };
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    fs.writeFileSync(lockFile, JSON.stringify(stale));
    const refused = await upInProcess();
    assert.equal(refused.code, 2);
    assert.equal(
      refused.err,
      `patchfleet up: the fleet is locked by patchfleet up (pid ${gone} on ${os.hostname()}, ` +
        `since 2025-01-02T03:04:05.000Z), which is no longer running: the lock is stale. Run ` +
        "`patchfleet refresh` if that run was interrupted mid-update, and run again with " +
        `--break-lock to remove the lock (${lockFile})\n`,
    );
    assert.equal(fake.calls("up").length, 0);
    const broken = await upInProcess(["--break-lock"]);
    assert.equal(broken.code, 0, broken.err);
    assert.ok(!fs.existsSync(lockFile));
    assert.deepEqual(
      fs.readdirSync(path.dirname(lockFile)).filter((f) => f.includes("lock")),
      [],
    );
  });

  it("a second Ctrl-C exits at once (130) and the lock is still released", async () => {
    setup("slow", 20_000);
    const run = startUp();
    await waitFor(() => fs.existsSync(lockFile), 30_000);
    run.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGINT");
    assert.equal(await run.done, 130, run.err());
    assert.ok(!fs.existsSync(lockFile));
  });

  it("outputs takes no lock: it only reads", async () => {
    setup();
    fs.mkdirSync(path.dirname(lockFile), { recursive: true });
    const live = { pid: process.pid, host: os.hostname(), since: "now", operation: "up" };
    fs.writeFileSync(lockFile, JSON.stringify(live));
    const io = captureIO({ cwd: work, env: fake.env(), pulumiCommand: await fake.command() });
    await main(["outputs", "--fleet", "fleet.yaml"], io);
    assert.doesNotMatch(io.err, /locked/);
  });
});
