/**
 * The package as others get it: `npm pack` in this repository, then `npm install <tarball>` into an
 * empty project, where plain Node.js (no ts-node) loads the compiled components, the runner, the
 * policies and the CLI, and TypeScript finds the declarations.
 *
 * Slow (it packs, which builds, and installs every dependency from the npm cache), so it runs as
 * `npm run test:package`, after `npm test`, not inside it.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPO_ROOT } from "../helpers/repo-paths";

const run = promisify(execFile);
const ROOT = REPO_ROOT;
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(NPM, [...args, "--no-audit", "--no-fund"], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  return stdout;
}

/** Runs `script` with plain Node.js in `cwd` and parses the JSON it prints. */
async function nodeJson(cwd: string, script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ["-e", script], { cwd, env: cleanEnv() });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** The environment without mocha's ts-node settings, as a consumer's shell has it. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_")) delete env[k];
  delete env.NODE_OPTIONS;
  return env;
}

describe("npm pack: the tarball installs into an empty project and works there", function () {
  this.timeout(600_000);
  let dir: string;
  let consumer: string;
  let packed: string[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "patchfleet-pack-"));
    // `npm pack` runs the prepare script, which builds dist/ from a clean slate.
    const [info] = JSON.parse(await npm(ROOT, "pack", "--json", "--pack-destination", dir)) as {
      filename: string;
      files: { path: string }[];
    }[];
    packed = info.files.map((f) => f.path);
    consumer = path.join(dir, "consumer");
    fs.mkdirSync(consumer);
    await npm(consumer, "init", "-y");
    await npm(consumer, "install", "--prefer-offline", path.join(dir, info.filename));
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("packs compiled JavaScript with declarations, and no tests, sources maps or program", () => {
    for (const f of [
      "package.json",
      "README.md",
      "bin/patchfleet.js",
      "dist/components/index.js",
      "dist/components/index.d.ts",
      "dist/automation/index.js",
      "dist/automation/index.d.ts",
      "dist/automation/cli/main.js",
      "dist/automation/check/worker.js",
      "dist/policy-pack/policies/index.js",
      "dist/policy-pack/policies/index.d.ts",
      "dist/policy-pack/evaluate.js",
      "dist/domain/index.js",
      "examples/fleet.yaml",
    ]) {
      assert.ok(packed.includes(f), `${f} is not in the tarball`);
    }
    const stray = packed.filter(
      (f) =>
        f.startsWith("dist/test/") ||
        f.startsWith("dist/bench/") ||
        f.startsWith("dist/index.") ||
        f.endsWith(".map") ||
        f.startsWith("test/") ||
        f.startsWith("node_modules/") ||
        (f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith("examples/")),
    );
    assert.deepEqual(stray, []);
  });

  it("require('patchfleet') gives the compiled components, without ts-node", async () => {
    const out = await nodeJson(
      consumer,
      `const c = require("patchfleet");
       process.stdout.write(JSON.stringify({
         resolved: require.resolve("patchfleet"),
         buildTopology: typeof c.buildTopology,
         AutomationRoles: typeof c.AutomationRoles,
         parseAccountConfig: typeof c.parseAccountConfig,
         parsed: c.parseAccountConfig({ role: "central", accountId: "111111111111",
           regions: ["us-east-1"], patchGroups: { web: { operatingSystem: "AMAZON_LINUX_2023",
             approvalRules: [{ patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }],
               approveAfterDays: 7 }] } } }).accountId,
         rejects: (() => { try { c.parseAccountConfig({}); return "accepted"; }
           catch (e) { return e instanceof c.ConfigError ? "ConfigError" : String(e); } })(),
         ts: Object.keys(require.cache).filter((f) => /\\.ts$/.test(f)),
         tsHook: typeof require.extensions[".ts"],
       }));`,
    );
    assert.deepEqual(out, {
      resolved: path.join(
        fs.realpathSync(consumer),
        "node_modules",
        "patchfleet",
        "dist",
        "components",
        "index.js",
      ),
      buildTopology: "function",
      AutomationRoles: "function",
      parseAccountConfig: "function",
      parsed: "111111111111",
      rejects: "ConfigError",
      ts: [],
      tsHook: "undefined",
    });
  });

  it("patchfleet/automation gives the runner, patchfleet/policy-pack the pack's policies", async () => {
    const out = await nodeJson(
      consumer,
      `const a = require("patchfleet/automation");
       const p = require("patchfleet/policy-pack");
       const e = require("patchfleet/policy-pack/evaluate");
       process.stdout.write(JSON.stringify({
         runner: [typeof a.runFleet, typeof a.loadFleet, typeof a.check.runCheck, typeof a.runPatch],
         policies: p.policies.map((x) => x.name),
         evaluate: [typeof e.evaluatePolicies, e.PACK_NAME],
         ts: Object.keys(require.cache).filter((f) => /\\.ts$/.test(f)),
       }));`,
    );
    assert.deepEqual(out.runner, ["function", "function", "function", "function"]);
    // The nine policies policy-pack/README.md lists.
    assert.deepEqual([...(out.policies as string[])].sort(), [
      "patchfleet-baseline-rejected-patches-blocked",
      "patchfleet-baseline-security-approval",
      "patchfleet-iam-no-wildcard-passrole",
      "patchfleet-iam-ssm-trust-scoped",
      "patchfleet-instance-approved-baseline",
      "patchfleet-maintenance-window-rate-control",
      "patchfleet-maintenance-window-ring-order",
      "patchfleet-patch-tag-key-metadata-safe",
      "patchfleet-resource-group-targets-instances",
    ]);
    assert.deepEqual(out.evaluate, ["function", "patchfleet"]);
    assert.deepEqual(out.ts, []);
  });

  it("TypeScript in the consumer type-checks against the shipped declarations", async () => {
    fs.writeFileSync(
      path.join(consumer, "use.ts"),
      [
        'import { buildTopology, parseAccountConfig, type AccountConfig } from "patchfleet";',
        'import { runFleet, type RunFleetOptions } from "patchfleet/automation";',
        'import { policies } from "patchfleet/policy-pack";',
        'import { evaluatePolicies } from "patchfleet/policy-pack/evaluate";',
        "const config: AccountConfig = parseAccountConfig({});",
        "export const used = [buildTopology, config, runFleet, policies, evaluatePolicies];",
        "export type Options = RunFleetOptions;",
        "// @ts-expect-error: the declarations are strict enough to reject a wrong call",
        "parseAccountConfig();",
        "",
      ].join("\n"),
    );
    const tsc = path.join(consumer, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--skipLibCheck", "--module", "node16"];
    await run(process.execPath, [tsc, ...args, "use.ts"], {
      cwd: consumer,
      env: cleanEnv(),
    }).catch((err: { stdout?: string }) => assert.fail(`tsc failed:\n${err.stdout ?? err}`));
  });

  it("the installed CLI checks the example fleet offline", async () => {
    const bin = path.join(consumer, "node_modules", ".bin", "patchfleet");
    const fleet = path.join(consumer, "node_modules", "patchfleet", "examples", "fleet.yaml");
    const { stdout } = await run(bin, ["check", "--fleet", fleet], {
      cwd: consumer,
      env: { ...cleanEnv(), NO_COLOR: "1" },
    });
    // The summary line README.md shows for examples/fleet.yaml.
    assert.match(stdout, /\n4 targets, \d+ resources: 0 mandatory, 0 advisory violations\n/);
  });
});
