import { CliIO } from "../../automation/cli/io";

/** A CliIO that records what a command prints, for running commands in-process. */
export function captureIO(overrides: Partial<CliIO> = {}): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    isTTY: false,
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
    ...overrides,
  };
  return io;
}
