/**
 * What a check covers: the targets of a fleet file (central first, then each member, every region
 * of each), or one Pulumi program. Bad input surfaces here, before any worker starts.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { Fleet } from "../fleet/types";
import { policyConfigProblems } from "./evaluate";
import { selectShard } from "../rollout/shard";
import { resolveProgramEntry } from "./program-loader";
import type { CheckJob, PolicyConfig } from "./types";
import { InputError, TOPOLOGY_COMPONENT_NAME, issueLine, type InputIssue } from "../../domain";

/** Bad input to the check: every problem with the place it is in and how to fix it. */
export class CheckInputError extends InputError {
  constructor(
    message: string,
    readonly issues: InputIssue[] = [],
  ) {
    super(message);
  }

  override details(): string[] {
    return this.issues.map(issueLine);
  }
}

/** The account id the mock runtime reports for a program that is not part of a fleet. */
export const PROGRAM_ACCOUNT = "123456789012";
export const PROGRAM_REGION = "us-east-1";
/** The fleet runner's program names its topology component so; the check must match its URNs. */
export { TOPOLOGY_COMPONENT_NAME };

/** Reads `--policy-config`: `{ "<policy>": { ... } }`, as `pulumi preview --policy-pack-config`. */
export function readPolicyConfig(file: string | undefined, cwd = process.cwd()): PolicyConfig {
  if (file === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), "utf8");
  } catch {
    throw new CheckInputError(`--policy-config ${file}: cannot read the file; check the path`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new CheckInputError(
      `--policy-config ${file}: not valid JSON (${(err as Error).message}); ` +
        `expected {"<policy-name>": {"enforcementLevel": "...", ...}}`,
    );
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new CheckInputError(
      `--policy-config ${file}: must be a JSON object of policy name → settings`,
    );
  }
  // Values follow the standard policy config format: a level string ("advisory") or an object of
  // settings; the pack's own validator names every problem.
  const issues = policyConfigProblems(doc as PolicyConfig).map((problem) => ({
    path: path.basename(file),
    message: problem,
  }));
  if (issues.length > 0) {
    throw new CheckInputError(`--policy-config ${file} is invalid`, issues);
  }
  return doc as PolicyConfig;
}

/** Which of the fleet's accounts a check covers. */
export interface FleetSelection {
  /** Account names or ids. */
  only?: string[];
  /** "k/n": the k-th of n slices of all accounts (central included), dealt by account id. */
  shard?: string;
}

/** The accounts `selection` names, in fleet order. Throws CheckInputError naming the problem. */
export function selectAccounts<T extends { name: string; account: string }>(
  accounts: readonly T[],
  selection: FleetSelection,
  file: string,
): T[] {
  let chosen = [...accounts];
  if (selection.shard !== undefined) {
    try {
      chosen = selectShard(chosen, selection.shard);
    } catch (err) {
      throw new CheckInputError(err instanceof Error ? err.message : String(err));
    }
  }
  const only = selection.only;
  if (only === undefined) return chosen;
  const unknown = only.filter((o) => !accounts.some((a) => a.name === o || a.account === o));
  if (unknown.length > 0) {
    const shown = accounts.slice(0, 20).map((a) => `${a.name} (${a.account})`);
    if (accounts.length > shown.length) shown.push(`and ${accounts.length - shown.length} more`);
    throw new CheckInputError(
      `--only: no account named ${unknown.map((u) => `"${u}"`).join(", ")} in ${file}; ` +
        `use account names or ids from the fleet file: ${shown.join(", ")}`,
    );
  }
  return chosen.filter((a) => only.includes(a.name) || only.includes(a.account));
}

/** One job per fleet account: central first, then members in file order. */
export async function fleetJobs(
  file: string,
  policyConfig: PolicyConfig,
  cwd = process.cwd(),
  selection: FleetSelection = {},
): Promise<CheckJob[]> {
  if (!fs.existsSync(path.resolve(cwd, file))) {
    throw new CheckInputError(`--fleet ${file}: no such file; pass the path of a fleet YAML file`);
  }
  // The fleet modules load only when a fleet is checked; `check --program` never needs them.
  const { loadFleet } = await import("../fleet/parse-fleet");
  let fleet: Fleet;
  try {
    fleet = await loadFleet(path.resolve(cwd, file));
  } catch (err) {
    const issues = (err as { issues?: unknown }).issues;
    if (Array.isArray(issues)) {
      throw new CheckInputError(
        `${file} is not a valid fleet file`,
        issues as { path: string; message: string; line?: number }[],
      );
    }
    throw err;
  }
  const topology = await import("../stacks/topology-config");
  const chosen = selectAccounts([fleet.central, ...fleet.members], selection, file);
  const accounts = chosen.map((account) => ({
    account,
    config:
      account === fleet.central
        ? topology.centralAccountConfig(fleet)
        : topology.memberAccountConfig(fleet, account),
  }));
  return accounts.map(({ account, config }, index) => {
    const stack = topology.stackName(account);
    return {
      index,
      name: account.name,
      account: account.account,
      regions: [...config.regions],
      project: fleet.project,
      stack,
      program: { kind: "topology", componentName: TOPOLOGY_COMPONENT_NAME, config },
      policyConfig,
      patchGroupsFromResources: true,
    };
  });
}

/** Plain values of a `Pulumi.<stack>.yaml` config block, keyed "<namespace>:<key>". */
function stackConfig(dir: string, project: string, stack: string): Record<string, string> {
  const file = ["yaml", "yml"]
    .map((ext) => path.join(dir, `Pulumi.${stack}.${ext}`))
    .find((f) => fs.existsSync(f));
  if (!file) {
    throw new CheckInputError(
      `--stack ${stack}: ${path.join(dir, `Pulumi.${stack}.yaml`)} does not exist; ` +
        `name a stack whose config file is next to the program, or leave --stack out`,
    );
  }
  const doc = (parseYaml(fs.readFileSync(file, "utf8")) ?? {}) as { config?: unknown };
  const out: Record<string, string> = {};
  const config = doc.config;
  if (config === undefined || config === null) return out;
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new CheckInputError(`${file}: config must be a map of key → value`);
  }
  for (const [rawKey, value] of Object.entries(config as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (value && typeof value === "object" && "secure" in value) {
      out[key] = "[secret]";
    } else {
      out[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return out;
}

/** The single job of `check --program`. */
export function programJob(
  target: string,
  policyConfig: PolicyConfig,
  stack: string | undefined,
  displayBase: string = process.cwd(),
): CheckJob {
  let entry: string;
  let root: string;
  try {
    ({ entry, root } = resolveProgramEntry(path.resolve(displayBase, target)));
  } catch (err) {
    throw new CheckInputError(`--program ${target}: ${(err as Error).message}`);
  }
  const pulumiYaml = path.join(root, "Pulumi.yaml");
  let project = path.basename(root);
  if (fs.existsSync(pulumiYaml)) {
    const doc = parseYaml(fs.readFileSync(pulumiYaml, "utf8")) as { name?: unknown } | null;
    if (typeof doc?.name === "string") project = doc.name;
  }
  const config = stack ? stackConfig(root, project, stack) : {};
  const region = config["aws:region"] ?? PROGRAM_REGION;
  return {
    index: 0,
    name: project,
    account: PROGRAM_ACCOUNT,
    regions: [region],
    project,
    stack: stack ?? "check",
    program: { kind: "program", entry, root, displayBase, config },
    policyConfig,
    patchGroupsFromResources: false,
  };
}
