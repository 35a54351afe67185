/**
 * Compliance history: every `compliance` run's snapshot in one SQLite file beside the fleet file
 * (compliance.history.file), and the trends across runs.
 *
 * The engine is sql.js: SQLite compiled to WebAssembly, shipped inside its npm package. It needs no
 * native build, so `npm ci` works on a machine with Node.js 20 alone. The alternatives were
 * measured here and do not: node:sqlite exists only from Node 22.5; better-sqlite3 13.x needs
 * Node 22; better-sqlite3 12.x runs on Node 20 but its prebuilt binary is downloaded from GitHub
 * at install time, and without that download it compiles SQLite from C with node-gyp (Python, make,
 * a C++ compiler, minutes of CPU). The file is a standard SQLite 3 database: the sqlite3 shell,
 * DB Browser or Athena-side tools read it.
 *
 * sql.js keeps the database in memory; `record` reads the file, adds the run and writes the whole
 * file back through a temporary file and a rename, so a crash never leaves half a database. Two
 * runs finishing at the same moment on one machine could lose one snapshot (last writer wins).
 */
import * as fs from "fs";
import * as path from "path";
import initSqlJs, { type Database, type SqlJsStatic } from "sql.js";
import type { ComplianceReport } from "./compliance";
import { InputError } from "../../domain";

let engine: Promise<SqlJsStatic> | undefined;
function sqlite(): Promise<SqlJsStatic> {
  engine ??= initSqlJs();
  return engine;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  generated_at TEXT NOT NULL,
  instances INTEGER NOT NULL,
  compliant INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  breaches INTEGER,
  stale_nodes INTEGER,
  offline_nodes INTEGER,
  targets INTEGER NOT NULL,
  targets_read INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  state TEXT NOT NULL,
  instances INTEGER NOT NULL,
  compliant INTEGER NOT NULL,
  breaches INTEGER,
  PRIMARY KEY (run_id, account, region)
);
CREATE TABLE IF NOT EXISTS breaches (
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  kb_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  age_days INTEGER NOT NULL,
  release_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(generated_at);
`;

/** One run as the history holds it. */
export interface HistoryPoint {
  runId: string;
  generatedAt: string;
  instances: number;
  compliant: number;
  /** compliant / instances in percent, one decimal; undefined when no instance was read. */
  compliancePercent?: number;
  missing: number;
  failed: number;
  breaches?: number;
  staleNodes?: number;
  offlineNodes?: number;
  targets: number;
  targetsRead: number;
}

export class HistoryError extends InputError {}

/** The history file of a fleet: compliance.history.file relative to the fleet file's folder. */
export function historyPath(fleetFile: string, file: string): string {
  return path.resolve(path.dirname(fleetFile), file);
}

async function open(file: string, create: boolean): Promise<Database | undefined> {
  const SQL = await sqlite();
  let bytes: Buffer | undefined;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new HistoryError(
        `cannot read the compliance history ${file}: ${(err as Error).message}`,
      );
    }
    if (!create) return undefined;
  }
  let db: Database;
  try {
    db = new SQL.Database(bytes);
    db.run(SCHEMA);
  } catch (err) {
    throw new HistoryError(
      `${file} is not a patchfleet compliance history (${(err as Error).message}); move it away or set compliance.history.file`,
    );
  }
  return db;
}

function save(db: Database, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, db.export());
  fs.renameSync(tmp, file);
}

/** Adds one run's snapshot to the history file (created when absent). */
export async function recordSnapshot(file: string, report: ComplianceReport): Promise<void> {
  const db = (await open(file, true))!;
  try {
    const t = report.totals;
    const sla = report.sla?.summary;
    db.run("BEGIN");
    db.run("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
      report.runId,
      report.generatedAt,
      t.instances,
      t.compliant,
      t.missing,
      t.failed,
      sla?.breaches ?? null,
      sla?.staleNodes ?? null,
      sla?.offlineNodes ?? null,
      t.targets,
      t.targetsRead,
    ]);
    db.run("DELETE FROM targets WHERE run_id = ?", [report.runId]);
    db.run("DELETE FROM breaches WHERE run_id = ?", [report.runId]);
    for (const x of report.targets) {
      db.run("INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?)", [
        report.runId,
        x.account,
        x.region,
        x.state,
        x.totals.instances,
        x.totals.compliant,
        x.sla?.summary.breaches ?? null,
      ]);
      for (const f of x.sla?.findings ?? []) {
        if (!f.breach) continue;
        db.run("INSERT INTO breaches VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
          report.runId,
          x.account,
          x.region,
          f.instanceId,
          f.kbId,
          f.severity,
          f.ageDays!,
          f.releaseDate!,
        ]);
      }
    }
    db.run("COMMIT");
    save(db, file);
  } finally {
    db.close();
  }
}

/** Every recorded run, oldest first; empty when the file does not exist yet. */
export async function readHistory(file: string): Promise<HistoryPoint[]> {
  const db = await open(file, false);
  if (!db) return [];
  try {
    const out: HistoryPoint[] = [];
    const st = db.prepare("SELECT * FROM runs ORDER BY generated_at, run_id");
    while (st.step()) {
      const r = st.getAsObject() as Record<string, string | number | null>;
      const instances = Number(r.instances);
      const compliant = Number(r.compliant);
      out.push({
        runId: String(r.run_id),
        generatedAt: String(r.generated_at),
        instances,
        compliant,
        ...(instances > 0
          ? { compliancePercent: Math.floor((compliant / instances) * 1000) / 10 }
          : {}),
        missing: Number(r.missing),
        failed: Number(r.failed),
        ...(r.breaches !== null ? { breaches: Number(r.breaches) } : {}),
        ...(r.stale_nodes !== null ? { staleNodes: Number(r.stale_nodes) } : {}),
        ...(r.offline_nodes !== null ? { offlineNodes: Number(r.offline_nodes) } : {}),
        targets: Number(r.targets),
        targetsRead: Number(r.targets_read),
      });
    }
    st.free();
    return out;
  } finally {
    db.close();
  }
}

/** The report as a history point (the same figures `recordSnapshot` stores). */
export function pointOf(report: ComplianceReport): HistoryPoint {
  const t = report.totals;
  const sla = report.sla?.summary;
  return {
    runId: report.runId,
    generatedAt: report.generatedAt,
    instances: t.instances,
    compliant: t.compliant,
    ...(t.instances > 0
      ? { compliancePercent: Math.floor((t.compliant / t.instances) * 1000) / 10 }
      : {}),
    missing: t.missing,
    failed: t.failed,
    ...(sla
      ? { breaches: sla.breaches, staleNodes: sla.staleNodes, offlineNodes: sla.offlineNodes }
      : {}),
    targets: t.targets,
    targetsRead: t.targetsRead,
  };
}

/** The change between the first and the last run, for `compliance --history`. */
export function renderTrend(points: readonly HistoryPoint[]): string {
  if (points.length === 0) {
    return "No compliance history yet: each `patchfleet compliance` run records one.\n";
  }
  const lines = points.map(
    (p) =>
      `  ${p.generatedAt}  ${p.compliancePercent === undefined ? "   -" : `${p.compliancePercent}%`.padStart(6)} compliant` +
      `  ${p.compliant}/${p.instances} nodes  ${p.breaches ?? "-"} SLA breaches` +
      `  ${p.missing} missing  ${p.failed} failed  (${p.runId})`,
  );
  const first = points[0];
  const last = points[points.length - 1];
  if (points.length > 1) {
    const dp =
      first.compliancePercent !== undefined && last.compliancePercent !== undefined
        ? Math.round((last.compliancePercent - first.compliancePercent) * 10) / 10
        : undefined;
    const db =
      first.breaches !== undefined && last.breaches !== undefined
        ? last.breaches - first.breaches
        : undefined;
    const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
    lines.push(
      `Trend over ${points.length} runs: compliance ${dp === undefined ? "unknown" : `${sign(dp)} points`}, ` +
        `SLA breaches ${db === undefined ? "unknown" : sign(db)}` +
        (dp !== undefined && db !== undefined
          ? dp === 0 && db === 0
            ? " (unchanged)"
            : dp >= 0 && db <= 0
              ? " (improving)"
              : dp <= 0 && db >= 0
                ? " (getting worse)"
                : " (mixed)"
          : ""),
    );
  }
  return lines.join("\n") + "\n";
}
