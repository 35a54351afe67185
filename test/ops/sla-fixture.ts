/**
 * A synthetic fleet whose patch ages and SLA breaches are known by construction: every patch is
 * described by its severity, state and release age in days, and the expected numbers are worked
 * out here from that description and the SLA table of issue 13 (Critical 14, Important 30,
 * Medium 90, Low 180 days), never from patchfleet's code.
 */
import type { ComplianceSettings } from "../../automation/fleet/compliance-settings";
import type { FakeAws, FakeInstance } from "./fake-aws";
import type { FakeCatalogPatch } from "./fake-patch-catalog";

export const A = "222222222222";
export const B = "333333333333";
export const REGION = "us-east-1";
const DAY = 86_400_000;
/**
 * Midnight UTC today: library tests pass it as `now`; CLI tests run on the real clock, which is
 * less than a day later, so every age in whole days is the same in both.
 */
export const NOW = new Date(Math.floor(Date.now() / DAY) * DAY);
export const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

/** The SLA the fixture is judged by (issue 13's documented defaults), and a 7-day scan limit. */
export const SLA: Record<string, number> = { Critical: 14, Important: 30, Medium: 90, Low: 180 };
export const MAX_SCAN_AGE = 7;

export function settings(): ComplianceSettings {
  return {
    slaDays: { ...SLA },
    maxScanAgeDays: MAX_SCAN_AGE,
    history: { enabled: false, file: "unused.sqlite", logBucket: false },
  };
}

interface PatchSpec {
  title: string;
  kbId: string;
  severity: string;
  state: "MISSING" | "FAILED" | "INSTALLED";
  /** Days since release in the catalog; undefined when the catalog does not list it. */
  releasedDaysAgo?: number;
  installedDaysAgo?: number;
  cves?: string;
}

interface NodeSpec {
  account: string;
  id: string;
  patchGroup: string;
  platform: string;
  ping: "Online" | "ConnectionLost" | "Inactive";
  /** Days since the last scan ended; undefined when the node never reported a patch state. */
  scannedDaysAgo?: number;
  patches: PatchSpec[];
}

const AL2_OPENSSL = "openssl.x86_64:1:1.0.2k-24.amzn2.0.7";
const AL2_ZLIB = "zlib.x86_64:0:1.2.7-19.amzn2.0.2";

export const NODES: NodeSpec[] = [
  {
    account: A,
    id: "i-0000000000000win1",
    patchGroup: "win-prod",
    platform: "Microsoft Windows Server 2022 Datacenter",
    ping: "Online",
    scannedDaysAgo: 2,
    patches: [
      // 20 days > 14: a breach.
      {
        title: "2026-11 Cumulative Update",
        kbId: "KB5000001",
        severity: "Critical",
        state: "MISSING",
        releasedDaysAgo: 20,
        cves: "CVE-2026-0001,CVE-2026-0002",
      },
      // 10 days <= 30: within the SLA.
      {
        title: "2026-11 Servicing Stack",
        kbId: "KB5000002",
        severity: "Important",
        state: "MISSING",
        releasedDaysAgo: 10,
      },
      // Exactly 14 days: due today, not yet a breach.
      {
        title: "2026-11 .NET Update",
        kbId: "KB5000003",
        severity: "Critical",
        state: "FAILED",
        releasedDaysAgo: 14,
      },
      // Installed 30 days after its release: one time-to-patch sample of 30 days.
      {
        title: "2026-10 Defender Update",
        kbId: "KB5000004",
        severity: "Low",
        state: "INSTALLED",
        releasedDaysAgo: 40,
        installedDaysAgo: 10,
      },
    ],
  },
  {
    account: A,
    id: "i-00000000000000al2",
    patchGroup: "al2-prod",
    platform: "Amazon Linux",
    ping: "ConnectionLost",
    scannedDaysAgo: 10,
    patches: [
      // 45 days > 30: a breach.
      {
        title: AL2_OPENSSL,
        kbId: "openssl.x86_64",
        severity: "Important",
        state: "MISSING",
        releasedDaysAgo: 45,
        cves: "CVE-2026-1000",
      },
      // The catalog lists zlib, but not this version: age unknown.
      { title: AL2_ZLIB, kbId: "zlib.x86_64", severity: "Medium", state: "MISSING" },
      // Installed 6 days after release: the second time-to-patch sample.
      {
        title: "bash.x86_64:0:4.2.46-35.amzn2",
        kbId: "bash.x86_64",
        severity: "Low",
        state: "INSTALLED",
        releasedDaysAgo: 16,
        installedDaysAgo: 10,
      },
    ],
  },
  {
    account: A,
    id: "i-00000000000000ubu",
    patchGroup: "ubuntu-prod",
    platform: "Ubuntu",
    ping: "Online",
    scannedDaysAgo: 1,
    // Ubuntu patches are not in the catalog: age unknown, never a breach.
    patches: [{ title: "libc6", kbId: "libc6", severity: "Important", state: "MISSING" }],
  },
  {
    account: B,
    id: "i-0000000000000win2",
    patchGroup: "win-prod",
    platform: "Microsoft Windows Server 2022 Datacenter",
    ping: "Inactive",
    // Never reported a patch state: stale and offline.
    patches: [],
  },
  {
    account: B,
    id: "i-0000000000000win3",
    patchGroup: "win-prod",
    platform: "Microsoft Windows Server 2022 Datacenter",
    ping: "Online",
    scannedDaysAgo: 8,
    patches: [
      // Same KB as win1 (catalog looked up once per run): 20 days > 14, a breach.
      {
        title: "2026-11 Cumulative Update",
        kbId: "KB5000001",
        severity: "Critical",
        state: "MISSING",
        releasedDaysAgo: 20,
      },
    ],
  },
];

/** Loads the nodes and the catalog into the local endpoint. */
export function loadFixture(fake: FakeAws): void {
  fake.strictPatches = true;
  for (const account of [A, B]) {
    const nodes: FakeInstance[] = NODES.filter((n) => n.account === account).map((n) => {
      const missing = n.patches.filter((p) => p.state === "MISSING").length;
      const failed = n.patches.filter((p) => p.state === "FAILED").length;
      const installed = n.patches.filter((p) => p.state === "INSTALLED").length;
      return {
        id: n.id,
        platform: n.platform,
        patchGroup: n.patchGroup,
        pingStatus: n.ping,
        installed,
        missing,
        failed,
        ...(n.scannedDaysAgo === undefined
          ? { noState: true }
          : { operation: "Scan" as const, operationEnd: daysAgo(n.scannedDaysAgo) }),
        patches: n.patches.map((p) => ({
          title: p.title,
          kbId: p.kbId,
          state: p.state,
          severity: p.severity,
          classification: p.kbId.startsWith("KB") ? "SecurityUpdates" : "Security",
          ...(p.cves ? { cveIds: p.cves } : {}),
          ...(p.installedDaysAgo !== undefined
            ? { installedTime: daysAgo(p.installedDaysAgo) }
            : {}),
        })),
      };
    });
    fake.instances.set(`${account}/${REGION}`, nodes);
  }
  const seen = new Set<string>();
  for (const n of NODES) {
    for (const p of n.patches) {
      if (p.releasedDaysAgo === undefined || seen.has(p.title)) continue;
      seen.add(p.title);
      fake.catalog.push(catalogEntry(p));
    }
  }
  // zlib is in the catalog, in another version than the node misses.
  fake.catalog.push({
    id: "zlib-old",
    releaseDate: daysAgo(400),
    title: "zlib.x86_64:0:1.2.7-18.amzn2",
    product: "AmazonLinux2.0",
    name: "zlib",
    version: "1.2.7",
    release: "18.amzn2",
    arch: "x86_64",
  });
}

function catalogEntry(p: PatchSpec): FakeCatalogPatch {
  const released = daysAgo(p.releasedDaysAgo!);
  if (p.kbId.startsWith("KB")) {
    return {
      id: `id-${p.kbId}`,
      releaseDate: released,
      title: `${p.title} (${p.kbId})`,
      product: "WindowsServer2022",
      kbNumber: p.kbId,
      severity: p.severity,
    };
  }
  const m = /^(.+)\.([a-z0-9_]+):([0-9]+):([^-]+)-(.+)$/.exec(p.title)!;
  return {
    id: `id-${m[1]}`,
    releaseDate: released,
    title: p.title,
    product: "AmazonLinux2.0",
    name: m[1],
    arch: m[2],
    version: m[4],
    release: m[5],
    severity: p.severity,
  };
}

/** What the fixture means under the SLA: worked out from NODES and SLA alone. */
export function expected() {
  const findings = NODES.flatMap((n) =>
    n.patches
      .filter((p) => p.state !== "INSTALLED")
      .map((p) => {
        const sla = SLA[p.severity];
        const age = p.releasedDaysAgo;
        return { node: n, patch: p, age, breach: age !== undefined && age > sla };
      }),
  );
  const breaches = findings.filter((f) => f.breach);
  const bySeverity: Record<string, number> = {};
  for (const f of breaches) bySeverity[f.patch.severity] = (bySeverity[f.patch.severity] ?? 0) + 1;
  const samples = NODES.flatMap((n) =>
    n.patches
      .filter((p) => p.state === "INSTALLED")
      .map((p) => p.releasedDaysAgo! - p.installedDaysAgo!),
  );
  const stale = NODES.filter(
    (n) => n.scannedDaysAgo === undefined || n.scannedDaysAgo > MAX_SCAN_AGE,
  );
  const offline = NODES.filter((n) => n.ping !== "Online");
  const oldest = [...breaches].sort((a, b) => b.age! - a.age!)[0];
  return {
    findings: findings.length,
    breaches: breaches.length,
    bySeverity,
    unknownAge: findings.filter((f) => f.age === undefined).length,
    staleNodes: stale.map((n) => n.id).sort(),
    offlineNodes: offline.map((n) => n.id).sort(),
    meanTimeToPatch: samples.reduce((s, d) => s + d, 0) / samples.length,
    samples: samples.length,
    oldest: { id: oldest.node.id, title: oldest.patch.title, age: oldest.age! },
    breachList: breaches.map((f) => [f.node.id, f.patch.kbId]).sort(),
  };
}
