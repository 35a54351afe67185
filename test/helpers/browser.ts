/**
 * A headless Chromium for browser tests that needs nothing but Node.js and the npm registry.
 *
 * The browser is Debian's /usr/bin/chromium when it is installed, otherwise the Chromium build that
 * the @sparticuz/chromium package ships inside itself (brotli-compressed; unpacked once per version
 * into the temp directory). puppeteer-core drives either over a pipe, so no debugging port opens.
 * PATCHFLEET_CHROMIUM forces one: `npm`, `system`, or the path of a Chromium executable.
 */
import Chromium from "@sparticuz/chromium";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import puppeteer, { type Browser } from "puppeteer-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** Flags that keep the browser off the network and out of any profile but its own empty one. */
export const CLOSED_NETWORK_FLAGS = [
  "--no-sandbox", // the tests run as root
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Unpacks the npm package's Chromium into `<tmp>/patchfleet-chromium-<version>` (once). */
async function npmChromium(): Promise<string> {
  // The package exports no ./package.json: read it beside its entry (build/cjs/index.cjs).
  const root = path.join(path.dirname(require.resolve("@sparticuz/chromium")), "..", "..");
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
  };
  const dir = path.join(os.tmpdir(), `patchfleet-chromium-${version}`);
  const exe = path.join(dir, "chromium");
  if (fs.existsSync(exe)) return exe;
  // The package unpacks into os.tmpdir(); point that at a private staging folder and move the
  // finished folder into place in one rename, so an interrupted or concurrent unpack never leaves
  // a half-written browser behind.
  const staging = fs.mkdtempSync(`${dir}.partial-`);
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    await Chromium.executablePath();
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
  try {
    fs.renameSync(staging, dir);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another run won the race
  }
  if (!fs.existsSync(exe)) throw new Error(`@sparticuz/chromium did not unpack ${exe}`);
  return exe;
}

/** Which Chromium to run, and whether it is the headless shell build (the npm package's). */
export async function chromiumExecutable(): Promise<{ executable: string; shell: boolean }> {
  const choice = process.env.PATCHFLEET_CHROMIUM ?? "";
  if (choice === "npm" || (choice === "" && !fs.existsSync(SYSTEM_CHROMIUM))) {
    return { executable: await npmChromium(), shell: true };
  }
  const executable = choice === "" || choice === "system" ? SYSTEM_CHROMIUM : choice;
  if (!fs.existsSync(executable)) {
    throw new Error(
      `PATCHFLEET_CHROMIUM=${choice}: ${executable} does not exist; ` +
        "unset it to use the Chromium from the @sparticuz/chromium package",
    );
  }
  return { executable, shell: false };
}

/** Launches headless Chromium with an empty profile in `userDataDir`. */
export async function launchChromium(userDataDir: string): Promise<Browser> {
  const { executable, shell } = await chromiumExecutable();
  return puppeteer.launch({
    executablePath: executable,
    headless: shell ? "shell" : true,
    pipe: true,
    userDataDir,
    args: CLOSED_NETWORK_FLAGS,
    timeout: 60_000,
  });
}
