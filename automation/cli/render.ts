/**
 * Progress of a fleet run for people. On a terminal: one live line per target, redrawn in place.
 * Anywhere else (CI logs, pipes): one plain line per start and finish, never rewritten.
 */
import type { FleetReport } from "../stacks/run-report";
import type { FleetEvent, FleetTarget } from "../stacks/run-fleet";

export interface RenderSink {
  write(text: string): void;
  isTTY: boolean;
  /** Terminal width for live lines. @default 120 */
  columns?: number;
}

interface Line {
  target: FleetTarget;
  status: string;
}

const ERASE_LINE = "\x1b[2K";
const cursorUp = (n: number) => `\x1b[${n}A`;

function seconds(ms: number | undefined): string {
  return ms === undefined ? "" : ` (${(ms / 1000).toFixed(1)}s)`;
}

function label(t: FleetTarget): string {
  return t.name === t.account ? t.account : `${t.name} (${t.account})`;
}

export class ProgressRenderer {
  private readonly lines: Line[] = [];
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly sink: RenderSink,
    private readonly operation: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  onEvent(e: FleetEvent): void {
    let line = this.lines.find((l) => l.target.id === e.target.id);
    if (!line) {
      line = { target: e.target, status: "queued" };
      this.lines.push(line);
    }
    switch (e.kind) {
      case "queued":
        line.status = "queued";
        break;
      case "started":
        line.status = `running ${this.operation}`;
        if (!this.sink.isTTY) this.plain(`${label(e.target)}: started ${this.operation}`);
        break;
      case "output":
        line.status = `running ${this.operation}: ${e.line.trim()}`;
        // Engine output is for the live view; plain logs keep one line per state change.
        if (this.sink.isTTY && Date.now() - this.lastDraw < 100) return;
        break;
      case "finished":
        line.status = `${e.result.state}: ${e.result.reason}${seconds(e.result.durationMs)}`;
        if (!this.sink.isTTY) this.plain(`${label(e.target)}: ${line.status}`);
        break;
    }
    if (this.sink.isTTY) this.redraw();
  }

  private plain(text: string): void {
    const time = this.clock().toISOString().slice(11, 19);
    this.sink.write(`[${time}] ${text}\n`);
  }

  private redraw(): void {
    const width = this.sink.columns ?? 120;
    const nameWidth = Math.max(...this.lines.map((l) => label(l.target).length));
    let out = this.drawn > 0 ? cursorUp(this.drawn) + "\r" : "";
    for (const l of this.lines) {
      const text = `${label(l.target).padEnd(nameWidth)}  ${l.status}`;
      out += `${ERASE_LINE}${text.length > width ? text.slice(0, width - 1) + "…" : text}\n`;
    }
    this.drawn = this.lines.length;
    this.lastDraw = Date.now();
    this.sink.write(out);
  }

  /** The closing lines: counts, and the reason of every target that did not succeed. */
  summary(report: FleetReport): string {
    const c = report.counts;
    const lines = [
      `${report.operation}: ${c.SUCCEEDED} succeeded, ${c.FAILED} failed, ${c.CANCELLED} ` +
        `cancelled, ${c.SKIPPED} skipped${seconds(report.durationMs)}` +
        (report.interrupted ? " (interrupted)" : ""),
    ];
    for (const t of report.targets) {
      if (t.state === "FAILED" || t.state === "CANCELLED") {
        lines.push(`  ${t.state} ${label(t)}: ${t.reason}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}
