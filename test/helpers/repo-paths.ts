/**
 * Where the repository is, for tests that read its files (examples, fixtures, the policy pack,
 * test/aws-models/*.json) or run its executables.
 *
 * A test runs from two places: test/x.test.ts under ts-node (`npx mocha test/x.test.ts`) and
 * dist/test/x.test.js, compiled by tsc, in `npm test`. A path built from `__dirname` differs
 * between them, and tsc copies no data files (YAML, the botocore models, plain JavaScript such as
 * test/fake-pulumi/stand-in.js) into dist/. So a test names a repository file from the root found
 * here, and the same test reads the same file from either place.
 */
import * as fs from "fs";
import * as path from "path";

/** The nearest folder above `start` whose package.json is patchfleet's own. */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown };
      if (name === "patchfleet") return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`no package.json named "patchfleet" above ${start}`);
    }
  }
}

/** The repository root: the folder of the package.json whose name is "patchfleet". */
export const REPO_ROOT = findRepoRoot(__dirname);

/** A path inside the repository, from segments relative to its root ("test", "fleet", ...). */
export function repoPath(...segments: string[]): string {
  return path.join(REPO_ROOT, ...segments);
}
