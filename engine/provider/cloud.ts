/**
 * The stand-in provider's "cloud": one JSON file per account and region (IAM per account, S3
 * bucket names once for all accounts, as AWS scopes them) in the directory named by
 * PATCHFLEET_STANDIN_CLOUD. Several provider processes write at once (one per provider resource
 * and stack), so every change takes a lock file first.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Scope {
  account: string;
  region: string;
}

export type Records = Record<string, Record<string, Record<string, unknown>>>;

export function cloudDir(): string {
  const dir = process.env.PATCHFLEET_STANDIN_CLOUD;
  if (!dir) {
    throw new Error(
      "PATCHFLEET_STANDIN_CLOUD is not set: the stand-in AWS provider needs a directory for its state",
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The file that holds resources of `type` in `scope`. */
export function fileOf(type: string, scope: Scope): string {
  if (type.startsWith("aws:iam/")) return `${scope.account}-iam.json`;
  if (type === "aws:s3/bucket:Bucket") return "s3-bucket-names.json";
  return `${scope.account}-${scope.region}.json`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs `fn` on the records of `file` under an exclusive lock and saves what it leaves. */
export async function withRecords<T>(file: string, fn: (records: Records) => T): Promise<T> {
  const full = path.join(cloudDir(), file);
  const lock = `${full}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2000) throw err;
      await sleep(5);
    }
  }
  try {
    const records: Records = fs.existsSync(full)
      ? (JSON.parse(fs.readFileSync(full, "utf8")) as Records)
      : {};
    const result = fn(records);
    for (const [type, byId] of Object.entries(records)) {
      if (Object.keys(byId).length === 0) delete records[type];
    }
    fs.writeFileSync(`${full}.tmp`, JSON.stringify(records, null, 2));
    fs.renameSync(`${full}.tmp`, full);
    return result;
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Every record in the cloud, by file: what the engine tests inspect. */
export function snapshot(dir: string): Record<string, Records> {
  const out: Record<string, Records> = {};
  if (!fs.existsSync(dir)) return out;
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith(".json"))
      out[f] = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Records;
  }
  return out;
}
