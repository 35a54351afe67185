import { strict as assert } from "assert";
import * as fs from "fs";
import { repoPath } from "./repo-paths";

/** The first `at` line of a stack. */
const topFrame = (stack: string): string =>
  stack.split("\n").find((line) => /^\s+at /.test(line)) ?? "";

describe("stacks in tests name TypeScript lines (test/helpers/source-maps.js)", () => {
  it("this file's own frame: compiled (npm test, Node's source maps) or under ts-node (npx mocha)", () => {
    const source = repoPath("test", "helpers", "source-maps.test.ts");
    const marker = ["the", "frame", "to", "find"].join(" ");
    const line =
      fs
        .readFileSync(source, "utf8")
        .split("\n")
        .findIndex((l) => l.includes(marker)) + 1;
    const err = new Error("thrown here"); // the frame to find
    assert.ok(line > 0);
    assert.match(topFrame(err.stack ?? ""), new RegExp(`${source}:${line}:\\d+`));
  });
});
