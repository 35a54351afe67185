import { strict as assert } from "assert";
import * as fsSync from "fs";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/cli/main";
import type { CliIO } from "../../automation/cli/io";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY } from "./fixtures";

const A = "222222222222";

const FLEET = `central:
  account: "${CENTRAL}"
  regions: [us-east-1]
  operationsRole: arn:aws:iam::${CENTRAL}:role/patchfleet-operations
members:
  - account: "${A}"
    name: prod-a
    regions: [us-east-1]
    readRole: arn:aws:iam::${A}:role/patchfleet-read
patchGroups:
  web-linux:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules:
      - patchFilters:
          - key: CLASSIFICATION
            values: [Security]
        approveAfterDays: 7
`;

function io(env: NodeJS.ProcessEnv, cwd: string, onOut: (t: string) => void = () => undefined) {
  const out = { out: "", err: "" };
  const value: CliIO = {
    stdout: (t) => {
      out.out += t;
      onOut(t);
    },
    stderr: (t) => void (out.err += t),
    isTTY: false,
    env,
    cwd,
    signal: new AbortController().signal,
  };
  return Object.assign(out, { io: value });
}

describe("patch and compliance output paths", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let dir: string;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    fake.baseKeys.set(CENTRAL_KEY, CENTRAL);
    fake.roles.set(`arn:aws:iam::${CENTRAL}:role/patchfleet-operations`, { account: CENTRAL });
    fake.roles.set(`arn:aws:iam::${A}:role/patchfleet-read`, { account: A });
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-RunPatchBaseline`, {
      type: "Automation",
      sharedWith: [A],
    });
    for (const t of [CENTRAL, A])
      fake.resourceGroups.add(`${t}/us-east-1/patchfleet-patch-targets`);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-out-"));
    await fs.writeFile(path.join(dir, "fleet.yaml"), FLEET);
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("patch --report below a file exits 2 before any AWS call", async () => {
    await fs.writeFile(path.join(dir, "nope"), "");
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(
      ["patch", "--fleet", "fleet.yaml", "--operation", "Scan", "--report", "nope/r.json"],
      c.io,
    );
    assert.equal(code, 2);
    assert.equal(
      c.err,
      `patchfleet patch: --report nope/r.json: ${path.join(dir, "nope")} is not a directory; ` +
        "choose another path\n",
    );
    assert.equal(fake.calls.length, 0);
    assert.equal(fake.executions.size, 0);
  });

  it("patch --report naming a directory exits 2 before any AWS call", async () => {
    await fs.mkdir(path.join(dir, "out"));
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
    const code = await main(
      ["patch", "--fleet", "fleet.yaml", "--operation", "Scan", "--report", "out"],
      c.io,
    );
    assert.equal(code, 2);
    assert.equal(
      c.err,
      `patchfleet patch: --report out: ${path.join(dir, "out")} is a directory; name a file ` +
        "inside it instead\n",
    );
    assert.equal(fake.calls.length, 0);
  });

  it("compliance --html and --report below a file exit 2 before any AWS call", async () => {
    await fs.writeFile(path.join(dir, "gone"), "");
    for (const [flag, file] of [
      ["--html", "gone/d.html"],
      ["--report", "gone/r.json"],
    ]) {
      const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir);
      const code = await main(["compliance", "--fleet", "fleet.yaml", flag, file], c.io);
      assert.equal(code, 2);
      assert.equal(
        c.err,
        `patchfleet compliance: ${flag} ${file}: ${path.join(dir, "gone")} is not a directory; ` +
          "choose another path\n",
      );
    }
    assert.equal(fake.calls.length, 0);
  });

  it("a report write that fails after the run is exit 2 and says why", async () => {
    const outDir = path.join(dir, "out");
    await fs.mkdir(outDir);
    // The directory disappears while the automation runs, after the path was checked.
    const c = io({ PATCHFLEET_AWS_ENDPOINT: fake.url }, dir, (t) => {
      if (t.startsWith("starting ")) fsSync.rmSync(outDir, { recursive: true, force: true });
    });
    const code = await main(
      [
        "patch",
        "--fleet",
        "fleet.yaml",
        "--operation",
        "Scan",
        "--poll-seconds",
        "0.01",
        "--report",
        "out/r.json",
        "--state-dir",
        "runs",
      ],
      c.io,
    );
    // The run succeeded, but the report the user asked for is lost: exit 2 (docs/reliability.md).
    assert.equal(code, 2);
    assert.equal(fake.executions.size, 1);
    const file = path.join(outDir, "r.json");
    assert.match(
      c.err,
      new RegExp(`^patchfleet: could not write ${file.replace(/[.]/g, "\\.")}: ENOENT`),
    );
    assert.match(c.out, /Scan: 2 succeeded, 0 failed, 0 cancelled, 0 skipped, 0 still running\n$/);
    assert.doesNotMatch(c.out, /report written/);
  });
});
