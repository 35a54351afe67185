import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { installMocks, mockArn, ofType, resources, settle, valueOf } from "../helpers/mocks";
import { CENTRAL, exampleRaw } from "./fixtures";
import { TOPOLOGY_COMPONENT_NAME, TOPOLOGY_OUTPUTS, TOPOLOGY_TYPE } from "../../domain";
import { REPO_ROOT } from "../helpers/repo-paths";

const PROGRAM = require.resolve("../../index");

/** Stack config as the engine hands it over: "patchfleet:key" → string, structured values as JSON. */
function stackConfig(raw: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    out[`patchfleet:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  out["aws:region"] = "us-east-1";
  return out;
}

interface ProgramExports {
  accountId: string;
  role: string;
  regions: pulumi.Output<Record<string, { resourceGroupName: string }>>;
  executionRoleArn: pulumi.Output<string>;
  maintenanceWindowRoleArn: pulumi.Output<string> | undefined;
  logBucketName: pulumi.Output<string>;
}

/** Runs index.ts afresh with `config` as the stack config. */
function runProgram(config: Record<string, string>): ProgramExports {
  pulumi.runtime.setAllConfig(config);
  delete require.cache[PROGRAM];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(PROGRAM) as ProgramExports;
}

describe("index.ts (the Pulumi program)", function () {
  this.timeout(60_000);
  let saved: Record<string, string>;
  before(() => {
    saved = pulumi.runtime.allConfig();
  });
  after(() => {
    pulumi.runtime.setAllConfig(saved);
    delete require.cache[PROGRAM];
  });
  beforeEach(installMocks);

  it("deploys Pulumi.example.yaml: two regions, both patch groups, and exports the outputs", async () => {
    const program = runProgram(stackConfig(exampleRaw()));
    await settle();
    assert.equal(program.accountId, CENTRAL);
    assert.equal(program.role, "central");
    assert.deepEqual(
      ofType("pulumi:providers:aws").map((p) => p.inputs.region),
      ["us-east-1", "eu-west-1"],
    );
    assert.deepEqual(
      ofType("aws:ssm/patchGroup:PatchGroup")
        .map((r) => r.inputs.patchGroup)
        .sort(),
      ["web", "web", "windows-app", "windows-app"],
    );
    assert.deepEqual(Object.keys(await valueOf(program.regions)), ["us-east-1", "eu-west-1"]);
    assert.equal(
      await valueOf(program.maintenanceWindowRoleArn as pulumi.Output<string>),
      mockArn("aws:iam/role:Role", "patchfleet-roles-maintenance-window"),
    );
    assert.equal(await valueOf(program.logBucketName), `patchfleet-patch-logs-${CENTRAL}`);
    // The program exports the outputs named once in domain/contracts.ts, which the fleet runner's
    // program exports too, and names its component as the runner and the offline check do.
    assert.deepEqual(Object.keys(program).sort(), [...TOPOLOGY_OUTPUTS].sort());
    assert.deepEqual(
      ofType(TOPOLOGY_TYPE).map((r) => r.name),
      [TOPOLOGY_COMPONENT_NAME],
    );
  });

  it("refuses invalid config with a RunError listing every problem, before any resource", async () => {
    const raw = exampleRaw();
    raw.accountId = "12345";
    raw.regions = ["us-east-1", "eu-west-9"];
    let error: unknown;
    try {
      runProgram(stackConfig(raw));
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof pulumi.RunError, `expected RunError, got ${String(error)}`);
    assert.equal(
      (error as Error).message,
      [
        "The patchfleet stack config has 2 problem(s):",
        '  patchfleet:accountId: must be a 12-digit account id, got "12345"',
        `  patchfleet:regions[1]: "eu-west-9" is not a region with Systems Manager; use one of ${(
          await import("../../domain")
        ).AWS_REGIONS.join(", ")}`,
        "Fix them in Pulumi.<stack>.yaml (see Pulumi.example.yaml) or with `pulumi config set --path`.",
      ].join("\n"),
    );
    await settle();
    assert.deepEqual(resources, []);
  });

  it("Pulumi.yaml names the project, and the Node host's entry point is index.ts", () => {
    const root = REPO_ROOT;
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(project.name, "patchfleet");
    assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: true } });
    // Pulumi.yaml `main`: "Path to the Pulumi program, relative to the location of Pulumi.yaml"
    // (https://www.pulumi.com/docs/iac/concepts/projects/project-file/). The Node language host
    // reads package.json's `exports["."]` (then `main`) only when Pulumi.yaml sets no main
    // (@pulumi/pulumi cmd/run/run.js, `if (!hasEntrypoint)`), and those name the library others
    // install, so Pulumi.yaml must name index.ts.
    assert.equal(project.main, "index.ts");
    const runJs = fs.readFileSync(require.resolve("@pulumi/pulumi/cmd/run/run.js"), "utf8");
    assert.match(runJs, /const hasEntrypoint = argv\._\[0\] !== "\.";/);
    assert.match(
      runJs,
      /if \(!hasEntrypoint\) \{\s*\/\/ Check if package\.json specifies an entrypoint/,
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
      main: string;
      exports: Record<string, { default: string }>;
    };
    assert.equal(pkg.exports["."].default, "./dist/components/index.js");
    assert.equal(pkg.main, "dist/components/index.js");
    assert.ok(fs.existsSync(path.join(root, "index.ts")));
  });
});
