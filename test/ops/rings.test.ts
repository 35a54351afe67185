import { strict as assert } from "assert";
import { promises as fs } from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { main } from "../../automation/cli/main";
import type { Ring } from "../../automation/fleet/rings-settings";
import { RingRefusal, runRing } from "../../automation/ops/rings/ring-run";
import type { RingRunOptions } from "../../automation/ops/rings/ring-run";
import { RingStore } from "../../automation/ops/rings/ring-store";
import { ringsStatus } from "../../automation/ops/rings/ring-status";
import { captureIO } from "../helpers/cli-io";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, instanceId, makeFleet, member, registerRoles } from "./fixtures";

const A = "222222222222";
const B = "333333333333";
const T0 = new Date("2026-03-03T02:00:00Z");

function rings(gate: Ring["gate"] = { minSucceededPercent: 100, minCompliantPercent: 50 }): Ring[] {
  return [
    {
      name: "canary",
      accounts: [CENTRAL, A],
      soakHours: 0,
      gate: {},
      maintenanceWindows: {},
      accountWindows: {},
    },
    {
      name: "production",
      accounts: [B],
      soakHours: 24,
      gate,
      maintenanceWindows: {},
      accountWindows: {},
    },
  ];
}

describe("patch rings against the local SSM/STS endpoint", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  let stateDir: string;
  let clock: Date;
  const fleet = makeFleet([member(A, ["us-east-1"]), member(B, ["us-east-1"])], {
    rings: rings(),
    freezes: [],
  });
  const node = instanceId("ring-a", 0);
  const windows = instanceId("ring-a", 1);

  function options(extra: Partial<RingRunOptions> = {}): RingRunOptions {
    return {
      fleet,
      ring: "canary",
      operation: "Install",
      reboot: "RebootIfNeeded",
      stateDir,
      aws: { endpoint: fake.url, requestTimeoutMs: 5000 },
      poll: { initialMs: 5, maxMs: 20 },
      now: () => clock,
      ...extra,
    };
  }

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    fake.strictPatches = true;
    await fake.start();
    registerRoles(fake, fleet);
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A, B],
    });
    // The canary's nodes. Titles and ids as DescribeInstancePatches reports them: on Linux KBId is
    // the package name and architecture and Title name.arch:epoch:version-release (API reference,
    // DescribeInstancePatches filter samples: KBId "java-1.7.0-openjdk.x86_64"); on Windows KBId
    // is the KB number ("KB4480056").
    fake.instances.set(`${A}/us-east-1`, [
      {
        id: node,
        platform: "Amazon Linux",
        patchGroup: "web-linux",
        patches: [
          {
            kbId: "openssl.x86_64",
            title: "openssl.x86_64:1:3.0.8-1.amzn2023.0.14",
            state: "INSTALLED",
            installedTime: T0,
          },
          {
            kbId: "kernel.x86_64",
            title: "kernel.x86_64:0:6.1.79-99.164.amzn2023",
            state: "INSTALLED_PENDING_REBOOT",
            installedTime: T0,
          },
          // Installed before the canary's run: not part of what the ring promotes.
          {
            kbId: "curl.x86_64",
            title: "curl.x86_64:0:8.5.0-1.amzn2023.0.2",
            state: "INSTALLED",
            installedTime: new Date(T0.getTime() - 86_400_000),
          },
          // Approved later and still missing on the canary: never promoted.
          { kbId: "glibc.x86_64", title: "glibc.x86_64:0:2.34-100.amzn2023", state: "MISSING" },
        ],
      },
      {
        id: windows,
        platform: "Microsoft Windows Server 2022 Datacenter",
        patchGroup: "windows-app",
        patches: [
          {
            kbId: "KB5034129",
            title:
              "2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)",
            state: "INSTALLED",
            installedTime: T0,
          },
        ],
      },
    ]);
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "patchfleet-rings-"));
    clock = T0;
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it("patches the first ring alone, then promotes exactly what it installed to the next ring", async () => {
    const canary = await runRing(options());
    assert.equal(canary.kind, "patched");
    let starts = fake.callsOf("StartAutomationExecution");
    assert.equal(starts.length, 1);
    const first = starts[0].body as {
      TargetLocations: { Accounts: string[] }[];
      Parameters: Record<string, string[]>;
    };
    assert.deepEqual(
      first.TargetLocations.flatMap((l) => l.Accounts),
      [CENTRAL, A],
    );
    assert.equal(first.Parameters.InstallOverrideList, undefined);

    // The soak (24 h) has passed.
    clock = new Date(T0.getTime() + 25 * 3_600_000);
    const production = await runRing(options({ ring: "production" }));
    assert.equal(production.kind, "patched");
    starts = fake.callsOf("StartAutomationExecution");
    assert.equal(starts.length, 2);
    const second = starts[1].body as {
      TargetLocations: { Accounts: string[] }[];
      Parameters: Record<string, string[]>;
    };
    assert.deepEqual(
      second.TargetLocations.flatMap((l) => l.Accounts),
      [B],
    );

    // The installed patches are read with the State filter values the API reference gives
    // (Installed | InstalledOther | InstalledPendingReboot), each request valid by botocore's model.
    const reads = fake.callsOf("DescribeInstancePatches", A, "us-east-1");
    assert.deepEqual(
      reads.map((c) => c.body.Filters),
      [node, windows].map(() => [
        { Key: "State", Values: ["Installed", "InstalledPendingReboot", "InstalledOther"] },
      ]),
    );

    // InstallOverrideList: "If your file is stored in a private bucket, you must specify an Amazon
    // S3 path-style URL" (s3://bucket/key), file name without ` ' " $ (AWS-RunPatchBaseline,
    // Systems Manager user guide).
    const url = second.Parameters.InstallOverrideList?.[0] ?? "";
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
    assert.ok(m, url);
    assert.equal(m[1], "patchfleet-logs-111111111111");
    assert.doesNotMatch(m[2], /[`'"$]/);
    const object = fake.s3Objects.get(`${m[1]}/${m[2]}`);
    assert.ok(object, "the list is in the central log bucket");
    assert.equal(object.account, CENTRAL);
    // "patches:" with one entry per patch, `id` required and `title` the version
    // (AWS-RunPatchBaseline, "Valid YAML content formats"): what the endpoint reported as
    // installed during the canary's run, nothing installed before it, nothing missing.
    assert.deepEqual(parse(object.body), {
      patches: [
        {
          id: "KB5034129",
          title:
            "2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)",
        },
        { id: "kernel.x86_64", title: "kernel.x86_64:0:6.1.79-99.164.amzn2023" },
        { id: "openssl.x86_64", title: "openssl.x86_64:1:3.0.8-1.amzn2023.0.14" },
      ],
    });
    // The ring records keep it: what canary installed and what production was given.
    const rollout = await new RingStore(stateDir, fleet.file).load();
    assert.equal(rollout?.rings.production.installOverrideList, url);
    assert.equal(rollout?.rings.production.promoted, 3);
    assert.deepEqual(
      rollout?.rings.canary.installed?.groups.map((g) => [
        g.platform,
        g.patchGroup,
        g.patches.length,
      ]),
      [
        ["Amazon Linux", "web-linux", 2],
        ["Microsoft Windows Server 2022 Datacenter", "windows-app", 1],
      ],
    );

    const status = await ringsStatus(fleet, stateDir);
    assert.deepEqual(
      status.rings.map((r) => [r.name, r.state, r.gate]),
      [
        ["canary", "finished", "none (first ring)"],
        ["production", "finished", "succeeded ≥ 100 %, compliant ≥ 50 %"],
      ],
    );
    assert.deepEqual(status.rings[0].installed, [
      "Amazon Linux / web-linux: kernel.x86_64:0:6.1.79-99.164.amzn2023, openssl.x86_64:1:3.0.8-1.amzn2023.0.14",
      "Microsoft Windows Server 2022 Datacenter / windows-app: 2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)",
    ]);
    assert.equal(status.rings[0].next, `production got 3 patch(es): ${url}`);

    // Running a finished ring again starts nothing.
    const again = await runRing(options({ ring: "production" }));
    assert.equal(again.kind, "already-finished");
    assert.equal(fake.callsOf("StartAutomationExecution").length, 2);
  });

  it("refuses the next ring before the soak has passed, naming how far off it is", async () => {
    await runRing(options());
    clock = new Date(T0.getTime() + 20 * 3_600_000);
    await assert.rejects(runRing(options({ ring: "production" })), (err: Error) => {
      assert.ok(err instanceof RingRefusal);
      assert.match(
        err.message,
        /soak: ring production starts 24 h after ring canary finished \(2026-03-03T02:00:00.000Z\); 4 h 0 min to go/,
      );
      return true;
    });
    assert.equal(fake.callsOf("StartAutomationExecution").length, 1);
  });

  it("a failing gate refuses the next ring with exit 2; --force starts it and records the reason", async () => {
    fake.plan = {
      parentStatuses: ["CompletedWithFailure"],
      defaultTargetStatus: "Success",
      targetStatuses: { [`${A}/us-east-1`]: "Failed" },
    };
    await runRing(options());
    clock = new Date(T0.getTime() + 25 * 3_600_000);
    const dir = path.dirname(stateDir);
    const file = path.join(stateDir, "fleet.yaml");
    await fs.writeFile(
      file,
      `central:
  account: "${CENTRAL}"
  regions: [us-east-1]
  operationsRole: arn:aws:iam::${CENTRAL}:role/patchfleet-operations
members:
  - { account: "${A}", name: prod-a, regions: [us-east-1], readRole: "arn:aws:iam::${A}:role/patchfleet-read" }
  - { account: "${B}", name: prod-b, regions: [us-east-1], readRole: "arn:aws:iam::${B}:role/patchfleet-read" }
runbookName: patchfleet-patch
logBucket: patchfleet-logs-111111111111
patchGroups:
  web-linux:
    operatingSystem: AMAZON_LINUX_2023
    approvalRules: [{ patchFilters: [{ key: CLASSIFICATION, values: [Security] }], approveAfterDays: 7 }]
rings:
  - { name: canary, accounts: ["${CENTRAL}", prod-a] }
  - { name: production, accounts: [prod-b], gate: { minSucceededPercent: 100 } }
`,
    );
    // The CLI's fleet is its own file: run its canary, failing in A, through the CLI too.
    const env = { PATCHFLEET_AWS_ENDPOINT: fake.url };
    const args = [
      "--fleet",
      file,
      "--operation",
      "Install",
      "--poll-seconds",
      "0.01",
      "--state-dir",
      stateDir,
    ];
    const c1 = captureIO({ env, cwd: dir });
    assert.equal(await main(["patch", ...args, "--ring", "canary"], c1), 1, c1.err);
    const c2 = captureIO({ env, cwd: dir });
    assert.equal(await main(["patch", ...args, "--ring", "production"], c2), 2);
    assert.match(
      c2.err,
      /gate minSucceededPercent 100: ring canary succeeded in 1 of 2 account-region\(s\) \(50 %\), 50 % short/,
    );
    const startsBefore = fake.callsOf("StartAutomationExecution").length;
    const c3 = captureIO({ env, cwd: dir });
    const code = await main(
      ["patch", ...args, "--ring", "production", "--force", "hotfix for CVE-2026-0001", "--json"],
      c3,
    );
    assert.equal(code, 0, c3.err);
    assert.equal(fake.callsOf("StartAutomationExecution").length, startsBefore + 1);
    const report = JSON.parse(c3.out) as { ring: { forced: string } };
    assert.equal(report.ring.forced, "hotfix for CVE-2026-0001");
    const runFiles = (await fs.readdir(stateDir)).filter((f) => f.startsWith("patch-run-"));
    const records = await Promise.all(
      runFiles.map(
        async (f) =>
          JSON.parse(await fs.readFile(path.join(stateDir, f), "utf8")) as {
            ring?: { forced?: string };
          },
      ),
    );
    assert.ok(records.some((r) => r.ring?.forced === "hotfix for CVE-2026-0001"));
    const c4 = captureIO({ env, cwd: dir });
    assert.equal(await main(["rings", "status", "--fleet", file, "--state-dir", stateDir], c4), 0);
    assert.match(c4.out, /production: finished.*\n.*\n  forced: hotfix for CVE-2026-0001/);
  });

  it("refuses Install during a freeze and still runs Scan", async () => {
    const frozen = {
      ...fleet,
      freezes: [
        {
          start: "2026-03-01T00:00:00.000Z",
          end: "2026-03-05T23:59:59.000Z",
          reason: "quarter close",
        },
      ],
    };
    await assert.rejects(
      runRing(options({ fleet: frozen })),
      /Install is frozen for ring canary until 2026-03-05T23:59:59.000Z \(quarter close\); Scan still runs/,
    );
    const scan = await runRing(options({ fleet: frozen, operation: "Scan" }));
    assert.equal(scan.kind, "patched");
    assert.equal(fake.callsOf("StartAutomationExecution").length, 1);
  });
});
