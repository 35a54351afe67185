import { strict as assert } from "assert";
import { main } from "../automation/cli/main";
import { parseOptions, UsageError } from "../automation/cli/io";
import { captureIO } from "./helpers/cli-io";

describe("cli dispatcher", () => {
  it("rejects an unknown command with exit 2 and lists the commands", async () => {
    const io = captureIO();
    assert.equal(await main(["deploy"], io), 2);
    assert.match(io.err, /unknown command "deploy"\. Commands: check, preview, up,/);
    assert.equal(io.out, "");
  });

  it("prints top-level help listing every command", async () => {
    const io = captureIO();
    assert.equal(await main(["--help"], io), 0);
    for (const name of [
      "check",
      "up",
      "destroy",
      "drift",
      "policy-config",
      "patch",
      "compliance",
    ]) {
      assert.match(io.out, new RegExp(`\\n  ${name} `));
    }
  });
});

describe("parseOptions", () => {
  const spec = { fleet: "string", json: "boolean" } as const;
  it("parses --name value, --name=value and flags", () => {
    assert.deepEqual(parseOptions(["--fleet", "a.yaml", "--json"], spec).options, {
      fleet: "a.yaml",
      json: true,
    });
    assert.deepEqual(parseOptions(["--fleet=b.yaml", "x"], spec), {
      options: { fleet: "b.yaml" },
      positionals: ["x"],
    });
  });
  it("names an unknown option and the known ones", () => {
    assert.throws(
      () => parseOptions(["--output", "a"], spec),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "unknown option --output; known options: --fleet, --json",
    );
  });
  it("suggests the closest known option for a misspelt one", () => {
    assert.throws(
      () => parseOptions(["--flet", "a"], spec),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "unknown option --flet; did you mean --fleet? known options: --fleet, --json",
    );
  });
  it("rejects a missing value and a value on a flag", () => {
    assert.throws(() => parseOptions(["--fleet"], spec), /--fleet needs a value/);
    assert.throws(() => parseOptions(["--fleet", "--json"], spec), /--fleet needs a value/);
    assert.throws(() => parseOptions(["--json=yes"], spec), /--json takes no value/);
  });
  it("keeps a value that starts with one dash, and single-dash words as arguments", () => {
    assert.deepEqual(parseOptions(["--fleet", "-f.yaml", "-x", "--json"], spec), {
      options: { fleet: "-f.yaml", json: true },
      positionals: ["-x"],
    });
    assert.throws(() => parseOptions(["--", "a"], spec), /unknown option --; known options/);
  });
});
