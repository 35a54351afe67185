/**
 * How long `patchfleet check --fleet <file> --json` takes, how much CPU it uses and how much memory
 * it holds at its peak, for generated fleets of 500, 2,000 and 10,000 account-regions (members in
 * 2 regions, or 1,000 members in 10 at 10,000; 3 patch groups; plus the central account), and how
 * each grows per doubling of the
 * fleet (1.0 is flat, 2.0 linear).
 *
 *   npm run build && node dist/bench/check.js [--sizes 500,2000,10000] [--workers N]
 *       [--batch-size N] [--full-synthesis]
 *
 * Peak memory is the largest sum of the resident set sizes of the CLI process and all its worker
 * processes, sampled from /proc every 25 ms (Linux). CPU is user + system time of the CLI and every
 * process it waited for. The load average is printed with each row: the machine may be shared.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";

const ROOT = [path.join(__dirname, ".."), path.join(__dirname, "..", "..")].find((d) =>
  fs.existsSync(path.join(d, "bin", "patchfleet.js")),
)!;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** SSM's default DocumentPermissionLimit: accounts one document is shared with privately. */
const MAX_SHARED_ACCOUNTS = 1000;
/** Regions enabled by default in every account, so any of them may follow us-east-1. */
const BENCH_REGIONS = [
  "us-east-1",
  "eu-west-1",
  "us-east-2",
  "us-west-2",
  "eu-central-1",
  "eu-west-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "ca-central-1",
];

/**
 * A fleet of `accountRegions` account-regions with three patch groups: members in two regions
 * each while that stays within SSM's default quota of 1,000 accounts a document is shared with
 * (DocumentPermissionLimit), past it 1,000 members in as many regions as it takes. The fleet sets
 * organizationId, so its log bucket policy stays under S3's 20 KB at any size.
 */
export function generateFleet(accountRegions: number): string {
  const example = parse(fs.readFileSync(path.join(ROOT, "examples", "fleet.yaml"), "utf8")) as {
    patchGroups: Record<string, unknown>;
    [key: string]: unknown;
  };
  const perMember = Math.max(2, Math.ceil(accountRegions / MAX_SHARED_ACCOUNTS));
  const regions = BENCH_REGIONS.slice(0, perMember);
  if (regions.length < perMember) throw new Error(`at most ${BENCH_REGIONS.length} regions`);
  const members = Array.from({ length: Math.ceil(accountRegions / perMember) }, (_, i) => ({
    account: String(200000000000 + i),
    name: `member-${String(i + 1).padStart(4, "0")}`,
    regions: i % 2 === 0 ? regions : [...regions].reverse(),
  }));
  const patchGroups = {
    ...example.patchGroups,
    "db-rhel": {
      operatingSystem: "REDHAT_ENTERPRISE_LINUX",
      description: "Database servers on Red Hat Enterprise Linux",
      approvalRules: [
        {
          patchFilters: [
            { key: "CLASSIFICATION", values: ["Security"] },
            { key: "SEVERITY", values: ["Critical", "Important"] },
          ],
          approveAfterDays: 3,
          complianceLevel: "CRITICAL",
        },
      ],
    },
  };
  const groups = Object.keys(patchGroups);
  if (groups.length !== 3) throw new Error(`expected 3 patch groups, got ${groups.join(", ")}`);
  return stringify({
    ...example,
    central: { account: "111111111111", name: "central", regions },
    organizationId: "o-benchexample1",
    members,
    patchGroups,
  });
}

function childrenOf(pid: number): number[] {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.flatMap((t) =>
      fs
        .readFileSync(`/proc/${pid}/task/${t}/children`, "utf8")
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) of this process's waited-for descendants, from /proc/self/stat. */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of stat (cutime, cstime), counted from the state field as 3.
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100;
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function treeRssKiB(pid: number): number {
  let sum = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    sum += rssKiB(p);
    stack.push(...childrenOf(p));
  }
  return sum;
}

interface Measurement {
  accountRegions: number;
  targets: number;
  resources: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakTreeMiB: number;
  exitCode: number | null;
}

async function measure(accountRegions: number, dir: string, extra: string[]): Promise<Measurement> {
  const fleet = path.join(dir, `fleet-${accountRegions}.yaml`);
  fs.writeFileSync(fleet, generateFleet(accountRegions));
  const out = path.join(dir, `report-${accountRegions}.json`);
  const fd = fs.openSync(out, "w");
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [path.join(ROOT, "bin", "patchfleet.js"), "check", "--fleet", fleet, "--json", ...extra],
    { cwd: ROOT, stdio: ["ignore", fd, "inherit"] },
  );
  let peak = 0;
  const timer = setInterval(() => {
    if (child.pid !== undefined) peak = Math.max(peak, treeRssKiB(child.pid));
  }, 25);
  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearInterval(timer);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuSeconds = childrenCpuSeconds() - cpuBefore;
  fs.closeSync(fd);
  // The summary closes the document: read its tail, not 170 MB of targets.
  const size = fs.statSync(out).size;
  const tail = Buffer.alloc(Math.min(size, 4096));
  const rfd = fs.openSync(out, "r");
  fs.readSync(rfd, tail, 0, tail.length, size - tail.length);
  fs.closeSync(rfd);
  const summaryText = /"summary": (\{[^}]*\})\s*\}\s*$/.exec(tail.toString("utf8"))?.[1];
  const report = { summary: JSON.parse(summaryText ?? '{"targets":0,"resources":0}') } as {
    summary: { targets: number; resources: number };
  };
  return {
    accountRegions,
    targets: report.summary.targets,
    resources: report.summary.resources,
    wallSeconds,
    cpuSeconds,
    peakTreeMiB: peak / 1024,
    exitCode,
  };
}

async function main(): Promise<void> {
  const sizes = (arg("sizes") ?? "500,2000,10000").split(",").map(Number);
  const extra: string[] = [];
  for (const opt of ["workers", "batch-size"]) {
    const v = arg(opt);
    if (v !== undefined) extra.push(`--${opt}`, v);
  }
  if (process.argv.includes("--full-synthesis")) extra.push("--full-synthesis");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-bench-check-"));
  console.log(
    `patchfleet check --json on ${os.availableParallelism()} cores, node ${process.version}` +
      (extra.length ? ` (${extra.join(" ")})` : ""),
  );
  console.log(
    "account-regions  targets  resources   wall s    cpu s  peak MiB (all processes)  exit  load (1 min)",
  );
  const rows: Measurement[] = [];
  try {
    for (const size of sizes) {
      const m = await measure(size, dir, extra);
      rows.push(m);
      console.log(
        `${String(m.accountRegions).padStart(15)}  ${String(m.targets).padStart(7)}  ` +
          `${String(m.resources).padStart(9)}  ${m.wallSeconds.toFixed(1).padStart(7)}  ` +
          `${m.cpuSeconds.toFixed(1).padStart(7)}  ` +
          `${m.peakTreeMiB.toFixed(0).padStart(24)}  ${String(m.exitCode).padStart(4)}  ` +
          `${os.loadavg()[0].toFixed(1).padStart(12)}`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // Growth per doubling: (b / a) ^ (1 / log2(size b / size a)); 2.0 is linear, 1.0 flat.
  const perDoubling = (a: number, b: number, sizeRatio: number) =>
    (b / a) ** (1 / Math.log2(sizeRatio));
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    const ratio = b.accountRegions / a.accountRegions;
    console.log(
      `${a.accountRegions} -> ${b.accountRegions} (x${ratio.toFixed(1)}), per doubling: ` +
        `wall x${perDoubling(a.wallSeconds, b.wallSeconds, ratio).toFixed(2)}, ` +
        `cpu x${perDoubling(a.cpuSeconds, b.cpuSeconds, ratio).toFixed(2)}, ` +
        `peak memory x${perDoubling(a.peakTreeMiB, b.peakTreeMiB, ratio).toFixed(2)}`,
    );
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
