/**
 * What checked programs print (their stdout and stderr) reaches the user's stderr, complete. Past a
 * limit, the rest goes to a spool file instead of the terminal, and the file then holds everything
 * (what was shown too), so the user is told how much there was and where all of it is.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Bytes of program output shown before the rest is spooled to a file. @default 4 MiB */
export const DEFAULT_OUTPUT_LIMIT = 4 * 1024 * 1024;

export interface OutputStats {
  /** Bytes the programs printed, stdout and stderr together. */
  bytes: number;
  /** Lines the programs printed (a last line without a newline counts). */
  lines: number;
  /** Bytes of it written to the user's stderr. */
  shownBytes: number;
  /** The file holding all of it, when it passed the limit. */
  spoolFile?: string;
}

export class OutputForwarder {
  private readonly shown: Buffer[] = [];
  private fd: number | undefined;
  private lastByte = 0x0a;
  readonly stats: OutputStats = { bytes: 0, lines: 0, shownBytes: 0 };

  constructor(
    private readonly write: (chunk: Buffer) => void,
    private readonly limit = DEFAULT_OUTPUT_LIMIT,
    private readonly spoolDir = os.tmpdir(),
  ) {}

  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.stats.bytes += chunk.length;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      this.stats.lines += 1;
    }
    this.lastByte = chunk[chunk.length - 1];
    if (this.fd === undefined && this.stats.shownBytes + chunk.length <= this.limit) {
      this.stats.shownBytes += chunk.length;
      this.shown.push(chunk);
      this.write(chunk);
      return;
    }
    if (this.fd === undefined) this.openSpool();
    if (this.fd !== undefined) {
      try {
        fs.writeSync(this.fd, chunk);
      } catch {
        this.closeSpool();
        this.fd = -1; // unwritable: still counted, so the summary says what was lost
      }
    }
  }

  private openSpool(): void {
    try {
      const dir = fs.mkdtempSync(path.join(this.spoolDir, "patchfleet-check-output-"));
      const file = path.join(dir, "program-output.log");
      this.fd = fs.openSync(file, "w", 0o600);
      this.stats.spoolFile = file;
      for (const c of this.shown.splice(0)) fs.writeSync(this.fd, c);
    } catch {
      this.fd = -1;
      this.stats.spoolFile = undefined;
    }
  }

  private closeSpool(): void {
    if (this.fd !== undefined && this.fd >= 0) fs.closeSync(this.fd);
  }

  /** Closes the spool file; returns the totals. */
  finish(): OutputStats {
    if (this.fd !== undefined) {
      this.closeSpool();
      this.fd = -1;
    }
    this.shown.length = 0;
    if (this.lastByte !== 0x0a) this.stats.lines += 1;
    this.lastByte = 0x0a;
    return { ...this.stats };
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The line telling the user that program output was cut short, and where the rest is; or "". */
export function outputNote(stats: OutputStats): string {
  if (stats.shownBytes === stats.bytes) return "";
  const total = `${size(stats.bytes)} in ${stats.lines.toLocaleString("en-US")} lines`;
  const shown = `only the first ${size(stats.shownBytes)} are shown above`;
  return stats.spoolFile
    ? `programs printed ${total}; ${shown}; all of it is in ${stats.spoolFile}`
    : `programs printed ${total}; ${shown}; the rest could not be saved to a file`;
}
