/**
 * The pack as `pulumi preview --policy-pack` runs it: @pulumi/pulumi's run-policy-pack launcher in
 * the pack directory (ts-node with type checking, the pack's own tsconfig and package.json),
 * spoken to over the analyzer gRPC protocol with the stubs @pulumi/pulumi ships. The engine's
 * side (config reconciliation, resources with unknown values and property dependencies) is
 * played by this test.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import {
  UNKNOWN,
  evaluatePolicies,
  reconcilePolicyConfig,
  type PolicyConfigInput,
  type PolicyResource,
  type Violation,
} from "../../policy-pack/evaluate";
import { policies } from "../../policy-pack/policies";
import { WIRE_UNKNOWN_STRING } from "../../policy-pack/values";
import { T, all, compliantStack, finding, resource } from "./fixtures";
import { repoPath } from "../helpers/repo-paths";

const PACK_DIR = repoPath("policy-pack");
const LAUNCHER = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
const START_TIMEOUT_MS = 120_000;

const LEVELS: Record<number, Violation["enforcementLevel"]> = {
  [pb.EnforcementLevel.ADVISORY]: "advisory",
  [pb.EnforcementLevel.MANDATORY]: "mandatory",
  [pb.EnforcementLevel.DISABLED]: "disabled",
  [pb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_OF: Record<string, pb.EnforcementLevel> = {
  advisory: pb.EnforcementLevel.ADVISORY,
  mandatory: pb.EnforcementLevel.MANDATORY,
  disabled: pb.EnforcementLevel.DISABLED,
  remediate: pb.EnforcementLevel.REMEDIATE,
};

/** Props as the engine marshals them: unknowns become the wire sentinel, undefined disappears. */
function wire(value: unknown): unknown {
  if (value === UNKNOWN) return WIRE_UNKNOWN_STRING;
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = wire(v);
    return out;
  }
  return value;
}

function options(r: PolicyResource): pb.AnalyzerResourceOptions {
  const o = new pb.AnalyzerResourceOptions();
  o.setProtect(false);
  if (r.parent) o.setParent(r.parent);
  return o;
}

/** The provider reference the engine attaches to a resource: the provider's type, name and inputs. */
function providerOf(
  r: PolicyResource,
  byUrn: ReadonlyMap<string, PolicyResource>,
): pb.AnalyzerProviderResource | undefined {
  const p = r.provider === undefined ? undefined : byUrn.get(r.provider);
  if (p === undefined) return undefined;
  const a = new pb.AnalyzerProviderResource();
  a.setType(p.type);
  a.setName(p.name);
  a.setUrn(p.urn);
  a.setProperties(Struct.fromJavaScript(wire(p.props) as Record<string, never>));
  return a;
}

function analyzerResource(
  r: PolicyResource,
  byUrn: ReadonlyMap<string, PolicyResource>,
): pb.AnalyzerResource {
  const a = new pb.AnalyzerResource();
  a.setType(r.type);
  a.setName(r.name);
  a.setUrn(r.urn);
  a.setProperties(Struct.fromJavaScript(wire(r.props) as Record<string, never>));
  a.setOptions(options(r));
  if (r.parent) a.setParent(r.parent);
  a.setDependenciesList(r.dependencies ?? []);
  const provider = providerOf(r, byUrn);
  if (provider) a.setProvider(provider);
  const deps = a.getPropertydependenciesMap();
  for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
    const d = new pb.AnalyzerPropertyDependencies();
    d.setUrnsList(urns);
    deps.set(k, d);
  }
  return a;
}

function analyzeRequest(
  r: PolicyResource,
  byUrn: ReadonlyMap<string, PolicyResource>,
): pb.AnalyzeRequest {
  const a = new pb.AnalyzeRequest();
  a.setType(r.type);
  a.setName(r.name);
  a.setUrn(r.urn);
  a.setProperties(Struct.fromJavaScript(wire(r.props) as Record<string, never>));
  a.setOptions(options(r));
  const provider = providerOf(r, byUrn);
  if (provider) a.setProvider(provider);
  return a;
}

function unary<Res>(
  invoke: (cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    invoke((err, res) => (err ? reject(err) : resolve(res)));
  });
}

interface Finding {
  policy: string;
  enforcementLevel: Violation["enforcementLevel"];
  message: string;
  urn: string;
}

const key = (f: Finding) => `${f.policy}|${f.urn}|${f.message}`;
const sorted = (fs: Finding[]) => [...fs].sort((a, b) => key(a).localeCompare(key(b)));

function fromDiagnostics(res: pb.AnalyzeResponse, defaultUrn = ""): Finding[] {
  return res.getDiagnosticsList().map((d) => ({
    policy: d.getPolicyname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()],
    message: d.getMessage(),
    urn: d.getUrn() || defaultUrn,
  }));
}

describe("policy pack under the engine's launcher and analyzer protocol", function () {
  this.timeout(START_TIMEOUT_MS + 60_000);
  let child: ChildProcess | undefined;
  let client: AnalyzerClient;
  let stderr = "";

  before(async () => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("TS_NODE_")) delete env[k];
    const proc = spawn(process.execPath, [LAUNCHER, "127.0.0.1:0", "."], {
      cwd: PACK_DIR,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () =>
          reject(new Error(`the pack printed no port within ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      proc.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the pack exited with ${code} before serving:\n${out}\n${stderr}`));
      });
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    const proc = child;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await exited;
    }
  });

  async function configure(config: PolicyConfigInput): Promise<void> {
    const req = new pb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of reconcilePolicyConfig(policies, config)) {
      const pc = new pb.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_OF[c.enforcementLevel]);
      pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
      map.set(name, pc);
    }
    await unary<Empty>((cb) => client.configure(req, cb));
  }

  /** What the engine would get for a preview: AnalyzeStack plus Analyze per resource. */
  async function analyzeAll(resources: PolicyResource[]): Promise<Finding[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(resources.map((r) => analyzerResource(r, byUrn)));
    const found = fromDiagnostics(
      await unary<pb.AnalyzeResponse>((cb) => client.analyzeStack(req, cb)),
    );
    for (const r of resources) {
      const res = await unary<pb.AnalyzeResponse>((cb) =>
        client.analyze(analyzeRequest(r, byUrn), cb),
      );
      found.push(...fromDiagnostics(res, r.urn));
    }
    return sorted(found);
  }

  function inProcess(resources: PolicyResource[], config: PolicyConfigInput): Finding[] {
    return sorted(
      evaluatePolicies(resources, config).map((v) => ({
        policy: v.policy,
        enforcementLevel: v.enforcementLevel,
        message: v.message,
        urn: v.urn ?? "",
      })),
    );
  }

  it("describes the pack: name, version, every policy with its type, level and defaults", async () => {
    const info = await unary<pb.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), "patchfleet");
    assert.equal(info.getVersion(), "0.1.0");
    assert.equal(info.getSupportsconfig(), true);
    const got = info
      .getPoliciesList()
      .map((p) => [
        p.getName(),
        p.getPolicyType(),
        LEVELS[p.getEnforcementlevel()],
        p.getDescription(),
      ]);
    assert.deepEqual(
      got,
      policies.map((p) => [
        p.name,
        "validateStack" in p ? pb.PolicyType.POLICY_TYPE_STACK : pb.PolicyType.POLICY_TYPE_RESOURCE,
        p.enforcementLevel,
        p.description,
      ]),
    );
    const schema = info.getPoliciesList()[0].getConfigschema()?.getProperties()?.toJavaScript();
    assert.deepEqual((schema?.tagKeys as { default: unknown }).default, [
      "PatchGroup",
      "Patch Group",
    ]);
  });

  it("blocks an unregistered group on the first preview of a new stack (every baseline id unknown)", async () => {
    const s = compliantStack();
    s.patchGroup.props.baselineId = UNKNOWN;
    s.instance.props.tags = { PatchGroup: "nope" };
    await configure({});
    const found = await analyzeAll(all(s));
    const expected = finding(
      policies[0],
      s.instance,
      'Instance "web-1" has patch tag PatchGroup="nope": patch group "nope" is not ' +
        "registered in this stack (aws:ssm/patchGroup:PatchGroup) or in config patchGroups. " +
        "Fix: register the group to an approved baseline, or correct the tag value.",
      "mandatory",
    );
    assert.deepEqual(found, [
      {
        policy: expected.policy,
        enforcementLevel: expected.enforcementLevel,
        message: expected.message,
        urn: s.instance.urn,
      },
    ]);
    assert.deepEqual(found, inProcess(all(s), {}));
  });

  it("follows baselineId's property dependencies to a failing baseline on a first preview", async () => {
    const s = compliantStack();
    s.patchGroup.props.baselineId = UNKNOWN;
    (s.baseline.props.approvalRules as Record<string, unknown>[])[0].complianceLevel = "LOW";
    await configure({});
    const found = await analyzeAll(all(s));
    assert.deepEqual(
      found.map((f) => [f.policy, f.enforcementLevel, f.urn]),
      sorted([
        ...[s.instance, s.launchTemplate, s.asg].map((r) => ({
          policy: "patchfleet-instance-approved-baseline",
          enforcementLevel: "mandatory" as const,
          message: "",
          urn: r.urn,
        })),
        {
          policy: "patchfleet-baseline-security-approval",
          enforcementLevel: "mandatory" as const,
          message: "",
          urn: s.baseline.urn,
        },
      ]).map((f) => [f.policy, f.enforcementLevel, f.urn]),
    );
    assert.deepEqual(found, inProcess(all(s), {}));
  });

  it("reports unknown values as advisory and applies configured levels and settings", async () => {
    const s = compliantStack();
    s.patchGroup.props.baselineId = UNKNOWN;
    s.patchGroup.propertyDependencies = {};
    s.role.props.assumeRolePolicy = UNKNOWN;
    s.task.props.maxErrors = "20";
    const extra = resource(T.instance, "bare", { tags: { Name: "bare" } });
    const config: PolicyConfigInput = {
      all: "advisory",
      "patchfleet-instance-approved-baseline": { enforcementLevel: "mandatory", requireTag: true },
      "patchfleet-maintenance-window-rate-control": { maxErrorsCount: 15 },
    };
    await configure(config);
    const found = await analyzeAll([...all(s), extra]);
    assert.deepEqual(
      found.map((f) => [f.policy, f.enforcementLevel, f.urn, f.message.split("\n")[1]]),
      [
        [
          "patchfleet-iam-ssm-trust-scoped",
          "advisory",
          s.role.urn,
          'Role "automation" cannot be checked during preview: its assumeRolePolicy is not known ' +
            "yet. It is checked again once the value is known.",
        ],
        ...[s.instance, s.asg, s.launchTemplate].map((r) => [
          "patchfleet-instance-approved-baseline",
          "advisory",
          r.urn,
          `${r === s.instance ? 'Instance "web-1"' : r === s.asg ? 'Auto Scaling group "web-asg"' : 'Launch template "web-lt"'} ` +
            'has patch tag PatchGroup="web", which cannot be checked during preview: the baseline ' +
            'id of Patch group "web-group" is not known yet. It is checked again once the value is known.',
        ]),
        [
          "patchfleet-instance-approved-baseline",
          "mandatory",
          extra.urn,
          'Instance "bare" has no patch tag (PatchGroup or Patch Group). Fix: tag it with a patch ' +
            "group registered to an approved baseline, or set requireTag to false.",
        ],
        [
          "patchfleet-maintenance-window-rate-control",
          "advisory",
          s.task.urn,
          'Maintenance window task "patch-task" sets maxErrors "20", above the limit of 15 targets. ' +
            "Fix: lower it, or raise maxErrorsCount in the policy config.",
        ],
      ].sort((a, b) => `${a[0]}|${a[2]}|${a[3]}`.localeCompare(`${b[0]}|${b[2]}|${b[3]}`)),
    );
    assert.deepEqual(found, inProcess([...all(s), extra], config));
  });

  it("reads patch tags an instance gets from its provider's defaultTags (stack and resource policies)", async () => {
    const s = compliantStack();
    // @pulumi/aws sends the provider's nested settings JSON-encoded.
    const provider = resource("pulumi:providers:aws", "tagged", {
      region: "eu-west-1",
      defaultTags: JSON.stringify({ tags: { PatchGroup: "nope", "Patch Group": "web" } }),
    });
    s.instance.props.tags = { Name: "web-1" };
    s.instance.provider = provider.urn;
    const config: PolicyConfigInput = {
      "patchfleet-instance-approved-baseline": { requireTag: true },
    };
    await configure(config);
    const resources = [provider, ...all(s)];
    const found = await analyzeAll(resources);
    assert.deepEqual(
      found.map((f) => [f.policy, f.enforcementLevel, f.urn, f.message.split("\n")[1]]),
      [
        [
          "patchfleet-instance-approved-baseline",
          "mandatory",
          s.instance.urn,
          'Instance "web-1" has patch tag PatchGroup="nope" (from the defaultTags of provider ' +
            '"tagged"): patch group "nope" is not registered in this stack ' +
            "(aws:ssm/patchGroup:PatchGroup) or in config patchGroups. Fix: register the group to " +
            "an approved baseline, or correct the tag value.",
        ],
        [
          "patchfleet-patch-tag-key-metadata-safe",
          "advisory",
          s.instance.urn,
          'Instance "web-1" enables instance metadata tags (metadataOptions.instanceMetadataTags ' +
            'is "enabled") and carries patch tag key "Patch Group", which contains a space; EC2 ' +
            "rejects tag keys with spaces while metadata tags are enabled. Fix: use the tag key " +
            '"PatchGroup", or disable instance metadata tags.',
        ],
      ],
    );
    assert.deepEqual(found, inProcess(resources, config));
  });

  it("finds nothing in the compliant stack, known or first preview", async () => {
    await configure({});
    const s = compliantStack();
    assert.deepEqual(await analyzeAll(all(s)), []);
    s.patchGroup.props.baselineId = UNKNOWN;
    assert.deepEqual(await analyzeAll(all(s)), []);
  });
});
