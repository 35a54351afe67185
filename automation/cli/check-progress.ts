/**
 * Live progress of `patchfleet check` on stderr. On a terminal that can move its cursor: one status
 * line, drawn within the first second and redrawn in place. On TERM=dumb: a plain line now and then.
 * Anywhere else (pipes, CI logs): nothing, the report says it all.
 */
export interface CheckProgressSink {
  write(text: string): void;
  /** Whether the sink is a terminal. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

export class CheckProgress {
  private total = 0;
  private done = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private readonly mode: "live" | "plain" | "off";
  private drawn = false;

  constructor(
    private readonly sink: CheckProgressSink,
    private readonly everyMs = 200,
  ) {
    this.mode = !sink.isTTY ? "off" : sink.env.TERM === "dumb" ? "plain" : "live";
  }

  start(total: number): void {
    this.total = total;
    if (this.mode === "off") return;
    this.draw();
    const every = this.mode === "live" ? this.everyMs : 5000;
    this.timer = setInterval(() => this.draw(), every);
    this.timer.unref();
  }

  targetDone(): void {
    this.done += 1;
  }

  private line(): string {
    const secs = ((Date.now() - this.started) / 1000).toFixed(0);
    return `checking: ${this.done}/${this.total} targets done (${secs} s)`;
  }

  private draw(): void {
    if (this.mode === "live") {
      this.sink.write(`\r\x1b[2K${this.line()}`);
      this.drawn = true;
    } else {
      this.sink.write(`${this.line()}\n`);
    }
  }

  /** Removes the live line before the report is printed. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.sink.write("\r\x1b[2K");
    this.drawn = false;
  }
}
