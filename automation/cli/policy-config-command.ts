/**
 * `patchfleet policy-config`: options, the fleet account and region, reading the account's stack
 * outputs, and writing the file. The config itself is built in ../policy-config.ts.
 */
import * as path from "path";
import { policyConfigFromOutputs } from "../stacks/app-policy-config";
import { runFleet } from "../stacks/run-fleet";
import { CliIO, checkOutputPath, parseOptions, UsageError, writeOutputFile } from "./io";
import type { Command } from "./main";
import { loadFleetOption } from "./fleet-options";

const SPEC = {
  fleet: "string",
  account: "string",
  region: "string",
  out: "string",
  help: "boolean",
} as const;

const HELP = `Usage: patchfleet policy-config --fleet <file> --account <id|name> [--region <r>] [--out <file>]

Writes the CrossGuard policy config for application stacks deployed in one account: every patch
group of the account with the baseline id it is registered to, read from the account's topology
stack outputs. Use it with \`pulumi preview --policy-pack <patchfleet>/policy-pack
--policy-pack-config <file>\` in the application project.

Options:
  --fleet <file>       fleet file (required)
  --account <id|name>  the account whose app stacks are checked (required)
  --region <region>    region of the app stacks (default: the account's first region)
  --out <file>         write the JSON here instead of stdout
  --help               this text

Exit codes: 0 written, 1 the stack outputs could not be read, 2 bad input or a missing
prerequisite (no Pulumi CLI, stack not deployed yet).
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { options, positionals } = parseOptions(argv, SPEC);
  if (positionals.length > 0) {
    throw new UsageError(
      `unexpected argument "${positionals[0]}"; see \`patchfleet policy-config --help\``,
    );
  }
  if (options.account === undefined) {
    throw new UsageError("--account <id|name> is required (an account of the fleet file)");
  }
  const outFile =
    options.out === undefined ? undefined : checkOutputPath("--out", options.out, io.cwd);
  const fleet = await loadFleetOption(
    options.fleet === undefined ? undefined : path.resolve(io.cwd, options.fleet),
  );
  const account = [fleet.central, ...fleet.members].find(
    (a) => a.account === options.account || a.name === options.account,
  );
  if (!account) {
    const known = [fleet.central, ...fleet.members].map((a) => `${a.name} (${a.account})`);
    throw new UsageError(
      `--account: no account "${options.account}" in ${fleet.file}; known: ${known.join(", ")}`,
    );
  }
  const region = options.region ?? account.regions[0];
  if (!account.regions.includes(region)) {
    throw new UsageError(
      `--region: account ${account.name} is not deployed to ${region}; its regions: ` +
        account.regions.join(", "),
    );
  }
  const result = await runFleet({
    fleet,
    operation: "outputs",
    only: [account.account],
    signal: io.signal,
    env: io.env,
    pulumiCommand: io.pulumiCommand,
  });
  const target = result.targets.find((t) => t.account === account.account);
  if (!target || target.state === "SKIPPED") {
    throw new UsageError(
      `${target?.reason ?? `stack of ${account.name} was not read`} ` +
        `(deploy it with \`patchfleet up --only ${account.name}\`)`,
    );
  }
  if (target.state !== "SUCCEEDED") {
    io.stderr(`patchfleet policy-config: ${target.stackName}: ${target.state}: ${target.reason}\n`);
    return result.interrupted ? 130 : 1;
  }
  const config = policyConfigFromOutputs(target.outputs ?? {}, region, target.stackName);
  const json = JSON.stringify(config, null, 2) + "\n";
  if (outFile !== undefined) {
    if (!writeOutputFile(io, outFile, json)) return 2;
    io.stderr(`policy config for ${account.name} (${region}) written to ${options.out}\n`);
  } else {
    io.stdout(json);
  }
  return 0;
}

export const command: Command = {
  summary: "write CrossGuard config for app stacks of one account from its stack outputs",
  help: HELP,
  run,
};
