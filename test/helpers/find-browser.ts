/**
 * Finds a Chromium-family browser for page tests: PATCHFLEET_CHROMIUM first, then the usual
 * system paths. Returns undefined when none is there, so a test can skip with a clear message
 * instead of failing on a machine without a browser (`npm test` needs Node.js only).
 */
import * as fs from "fs";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const wanted = env.PATCHFLEET_CHROMIUM;
  for (const p of wanted ? [wanted, ...CANDIDATES] : CANDIDATES) {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here; try the next
    }
  }
  return undefined;
}

export const NO_BROWSER =
  "no Chromium found (set PATCHFLEET_CHROMIUM, or install Debian's chromium); skipped";
