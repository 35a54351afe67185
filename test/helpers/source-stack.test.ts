import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { repoPath } from "./repo-paths";

// The reporter's mapping of failed tests' stacks: a JavaScript plugin in test/, named from the root.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sourceMappedStack } = require(repoPath("test", "helpers", "source-stack.js")) as {
  sourceMappedStack(stack: string, dist?: string): string;
};

/** The first `at` line of a stack. */
const topFrame = (stack: string): string =>
  stack.split("\n").find((line) => /^\s+at /.test(line)) ?? "";

describe("failed tests' stacks point at TypeScript lines (test/helpers/source-stack.js)", () => {
  it("this file's own frame: compiled (npm test) or under ts-node (npx mocha)", () => {
    const source = repoPath("test", "helpers", "source-stack.test.ts");
    const marker = ["the", "frame", "to", "find"].join(" ");
    const line =
      fs
        .readFileSync(source, "utf8")
        .split("\n")
        .findIndex((l) => l.includes(marker)) + 1;
    const err = new Error("thrown here"); // the frame to find
    assert.ok(line > 0);
    assert.match(
      topFrame(sourceMappedStack(err.stack ?? "")),
      new RegExp(`${source}:${line}:\\d+`),
    );
  });

  it("maps a frame through the .js.map beside the compiled file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-stack-"));
    try {
      const dist = path.join(dir, "dist");
      fs.mkdirSync(dist);
      fs.mkdirSync(path.join(dir, "src"));
      const code = [
        "export function fail(): never {",
        "  const n: number = 1;",
        "  throw new Error(`failure ${n}`);",
        "}",
        "",
      ].join("\n");
      fs.writeFileSync(path.join(dir, "src", "fail.ts"), code);
      const out = ts.transpileModule(code, {
        fileName: "fail.ts",
        compilerOptions: { module: ts.ModuleKind.CommonJS, sourceMap: true },
      });
      const map = JSON.parse(out.sourceMapText ?? "{}") as { sources: string[] };
      map.sources = ["../src/fail.ts"];
      // Without its sourceMappingURL comment, so that ts-node's source-map hook (npx mocha) does not
      // map the stack before the function under test does.
      const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
      assert.notEqual(js, out.outputText);
      fs.writeFileSync(path.join(dist, "fail.js"), js);
      fs.writeFileSync(path.join(dist, "fail.js.map"), JSON.stringify(map));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { fail } = require(path.join(dist, "fail.js")) as { fail(): never };
      let stack = "";
      try {
        fail();
      } catch (err) {
        stack = (err as Error).stack ?? "";
      }
      assert.match(topFrame(stack), /dist\/fail\.js:\d+:\d+/);
      const mapped = sourceMappedStack(stack, `${dist}${path.sep}`);
      assert.ok(
        topFrame(mapped).includes(`${path.join(dir, "src", "fail.ts")}:3:`),
        topFrame(mapped),
      );
      // The message and the frames outside that folder stay as they were.
      assert.equal(mapped.split("\n")[0], "Error: failure 1");
      assert.deepEqual(mapped.split("\n").slice(2), stack.split("\n").slice(2));
      // mocha's stack filter makes paths under the working directory relative: they stay relative.
      const relative = stack.split(dir).join(path.relative(process.cwd(), dir));
      assert.ok(
        topFrame(sourceMappedStack(relative, `${dist}${path.sep}`)).includes(
          `(${path.relative(process.cwd(), path.join(dir, "src", "fail.ts"))}:3:`,
        ),
        topFrame(sourceMappedStack(relative, `${dist}${path.sep}`)),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves frames without a source map, and stacks outside dist/, as they are", () => {
    const noMap = `Error: x\n    at g (${repoPath("dist", "no-such-file.js")}:3:4)`;
    assert.equal(sourceMappedStack(noMap), noMap);
    const elsewhere = "Error: x\n    at f (/elsewhere/file.js:1:2)";
    assert.equal(sourceMappedStack(elsewhere), elsewhere);
  });
});
