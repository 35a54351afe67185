import { strict as assert } from "assert";
import { main } from "../automation/cli/main";
import { parseOptions, UsageError } from "../automation/cli/io";
import { captureIO } from "./helpers/cli-io";
import { exitForError } from "../automation/cli/exit-codes";
import { CheckInputError } from "../automation/check/targets";
import { FleetError } from "../automation/fleet/parse-fleet";
import { ShardError } from "../automation/rollout/shard";
import { PulumiCliError } from "../automation/stacks/pulumi-cli";
import { RunnerInputError } from "../automation/stacks/run-fleet";
import { ConfigError } from "../components/config-util";
import { InputError, OperationError } from "../domain";

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

describe("exitForError", () => {
  it("maps input errors to 2 and operation errors to 1, each as its message alone", () => {
    const io = captureIO();
    assert.equal(exitForError("up", new RunnerInputError("--only: no account named x"), io), 2);
    assert.equal(
      exitForError(
        "check",
        new CheckInputError("f.yaml is not a valid fleet file", [
          { path: "members[0].account", message: "must be 12 digits", line: 7 },
        ]),
        io,
      ),
      2,
    );
    assert.equal(exitForError("patch", new OperationError("run r stopped"), io), 1);
    assert.equal(
      io.err,
      "patchfleet up: --only: no account named x\n" +
        "patchfleet check: f.yaml is not a valid fleet file\n" +
        "  members[0].account: must be 12 digits (line 7)\n" +
        "patchfleet patch: run r stopped\n",
    );
  });
  it("reports anything else as an internal error with exit 2", () => {
    const io = captureIO();
    assert.equal(exitForError("up", new TypeError("x is undefined"), io), 2);
    assert.equal(io.err, "patchfleet up: internal error: x is undefined\n");
  });
  it("every error class the CLI reports as bad input is an InputError", () => {
    for (const err of [
      new UsageError("u"),
      new RunnerInputError("r"),
      new ShardError("s"),
      new PulumiCliError("p"),
      new FleetError("f.yaml", []),
      new ConfigError([]),
    ]) {
      assert.ok(err instanceof InputError, err.name);
    }
  });
});
