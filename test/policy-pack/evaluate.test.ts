import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type {
  PolicyResource as EngineResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  PACK_NAME,
  PACK_VERSION,
  PolicyConfigError,
  UNKNOWN,
  evaluatePolicies,
  reconcilePolicyConfig,
} from "../../policy-pack/evaluate";
import { policies } from "../../policy-pack/policies";
import { unknownCheckingProxy } from "../../policy-pack/proxy";
import { WIRE_UNKNOWN_STRING } from "../../policy-pack/values";
import { T, all, compliantStack, resource, urnOf } from "./fixtures";
import { repoPath } from "../helpers/repo-paths";

const PACK_DIR = repoPath("policy-pack");

function configProbe(seen: Record<string, unknown>[]): ResourceValidationPolicy {
  return {
    name: "probe",
    description: "Probe policy.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        a: { type: "integer", default: 1 },
        b: { type: "string", default: "x" },
        c: { type: "array", items: { type: "string" } },
      },
    },
    validateResource: (args, report) => {
      seen.push(args.getConfig());
      report("found");
    },
  };
}

describe("evaluatePolicies", () => {
  it("runs the nine pack policies in their documented order", () => {
    assert.deepEqual(
      policies.map((p) => [p.name, p.enforcementLevel]),
      [
        ["patchfleet-instance-approved-baseline", "mandatory"],
        ["patchfleet-baseline-security-approval", "mandatory"],
        ["patchfleet-baseline-rejected-patches-blocked", "advisory"],
        ["patchfleet-iam-ssm-trust-scoped", "mandatory"],
        ["patchfleet-iam-no-wildcard-passrole", "mandatory"],
        ["patchfleet-maintenance-window-rate-control", "mandatory"],
        ["patchfleet-resource-group-targets-instances", "mandatory"],
        ["patchfleet-patch-tag-key-metadata-safe", "advisory"],
        ["patchfleet-maintenance-window-ring-order", "mandatory"],
      ],
    );
    for (const p of policies) {
      assert.match(p.name, /^patchfleet-[a-z0-9]+(-[a-z0-9]+)+$/);
      assert.match(
        p.description,
        /^[A-Z][^\n]*[a-z]\.$/,
        `${p.name}: a sentence ending in a period`,
      );
      assert.doesNotMatch(p.description, /\.\s/, `${p.name}: exactly one sentence`);
    }
  });

  it("carries the version of policy-pack/package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
    assert.equal(PACK_VERSION, pkg.version);
    assert.equal(PACK_NAME, "patchfleet");
    const root = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "..", "package.json"), "utf8"));
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi"]) {
      assert.equal(pkg.dependencies[dep], root.dependencies[dep], dep);
    }
  });

  it("accepts the shipped example config", () => {
    const example = JSON.parse(
      fs.readFileSync(path.join(PACK_DIR, "policy-config.example.json"), "utf8"),
    );
    const c = reconcilePolicyConfig(policies, example);
    assert.equal(
      c.get("patchfleet-baseline-rejected-patches-blocked")?.enforcementLevel,
      "advisory",
    );
    assert.equal(c.get("patchfleet-iam-ssm-trust-scoped")?.enforcementLevel, "mandatory");
    assert.deepEqual(c.get("patchfleet-maintenance-window-rate-control")?.properties, {
      patchDocuments: ["AWS-RunPatchBaseline", "AWS-RunPatchBaselineWithHooks"],
      maxConcurrencyPercent: 25,
      maxConcurrencyCount: 20,
      maxErrorsPercent: 10,
      maxErrorsCount: 5,
    });
  });

  it("hands getConfig the declared defaults overlaid by the policy's entry; all sets the level", () => {
    const seen: Record<string, unknown>[] = [];
    const r = resource(T.instance, "i", {});
    const run = (config: Record<string, unknown>) =>
      evaluatePolicies([r], config, { policies: [configProbe(seen)] });

    assert.deepEqual(
      run({}).map((v) => v.enforcementLevel),
      ["mandatory"],
    );
    assert.deepEqual(seen.pop(), { a: 1, b: "x" });

    assert.deepEqual(
      run({ all: "advisory", probe: { b: "y" } }).map((v) => v.enforcementLevel),
      ["advisory"],
    );
    assert.deepEqual(seen.pop(), { a: 1, b: "y" });

    const v = run({
      all: { enforcementLevel: "advisory" },
      probe: { enforcementLevel: "remediate", c: ["z"] },
    });
    assert.deepEqual(
      v.map((x) => x.enforcementLevel),
      ["mandatory"],
      "remediate runs as mandatory",
    );
    assert.deepEqual(seen.pop(), { a: 1, b: "x", c: ["z"] });

    assert.deepEqual(run({ probe: "disabled" }), []);
    assert.equal(seen.length, 0, "a disabled policy is not run");
  });

  it("rejects bad config with every problem, its path and the fix", () => {
    const seen: Record<string, unknown>[] = [];
    assert.throws(
      () =>
        evaluatePolicies(
          [],
          {
            all: { enforcementLevel: "advisory", a: 2 },
            probe: { a: "2", c: ["ok", 3], d: true },
            prob: "mandatory",
          },
          { policies: [configProbe(seen)] },
        ),
      (e: unknown) => {
        assert.ok(e instanceof PolicyConfigError);
        assert.equal(
          e.message,
          "invalid policy config:\n" +
            '  - "prob": no policy of this pack has that name; use "all" or one of probe\n' +
            "  - all: only enforcementLevel applies to every policy (got a); set other " +
            "properties under each policy's name\n" +
            "  - probe.d: not a setting of this policy; its settings are a, b, c\n" +
            '  - probe.a: expected integer, got string "2"\n' +
            "  - probe.c[1]: expected string, got integer 3",
        );
        return true;
      },
    );
    assert.throws(() => evaluatePolicies([], { "patchfleet-iam-ssm-trust-scoped": "strict" }), {
      message:
        'invalid policy config:\n  - patchfleet-iam-ssm-trust-scoped: "strict" is not an ' +
        "enforcement level; use one of advisory, mandatory, remediate, disabled",
    });
    assert.throws(
      () =>
        evaluatePolicies([], {
          "patchfleet-baseline-security-approval": {
            maxApproveAfterDays: 400,
            minimumComplianceLevel: "SEVERE",
          },
        }),
      {
        message:
          "invalid policy config:\n" +
          "  - patchfleet-baseline-security-approval.maxApproveAfterDays: must be at most 360, got 400\n" +
          '  - patchfleet-baseline-security-approval.minimumComplianceLevel: must be one of "CRITICAL", ' +
          '"HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNSPECIFIED", got "SEVERE"',
      },
    );
  });

  it("rejects malformed resources with the index and field", () => {
    const bad = [resource(T.instance, "i", {}), { urn: "u", type: "t", props: {} }];
    assert.throws(() => evaluatePolicies(bad as never), {
      name: "TypeError",
      message: "evaluatePolicies: resources[1].name must be a non-empty string",
    });
  });

  it("links parent, dependencies and propertyDependencies to the resource objects", () => {
    const s = compliantStack();
    s.instance.parent = s.asg.urn;
    s.instance.dependencies = [s.patchGroup.urn, "urn:pulumi:dev::patchfleet::x::gone"];
    s.instance.propertyDependencies = { tags: [s.patchGroup.urn] };
    let got: EngineResource[] = [];
    const probe: StackValidationPolicy = {
      name: "links",
      description: "Probe policy.",
      validateStack: (args) => {
        got = args.resources;
      },
    };
    assert.deepEqual(evaluatePolicies(all(s), {}, { policies: [probe] }), []);
    const byName = new Map(got.map((r) => [r.name, r]));
    const inst = byName.get("web-1")!;
    assert.equal(inst.parent, byName.get("web-asg"));
    assert.equal(inst.dependencies.length, 1);
    assert.equal(inst.dependencies[0], byName.get("web-group"));
    assert.equal(inst.propertyDependencies.tags[0], byName.get("web-group"));
    const pg = byName.get("web-group")!;
    assert.equal(pg.propertyDependencies.baselineId[0], byName.get("al2023"));
    assert.equal(inst.opts.parent, s.asg.urn);
    assert.equal(inst.isType({ __pulumiType: T.instance } as never), true);
    assert.equal(inst.isType({ __pulumiType: T.asg } as never), false);
    assert.equal(inst.asType({ __pulumiType: T.asg } as never), undefined);
    assert.equal(
      (inst.asType({ __pulumiType: T.instance } as never) as { instanceType: string }).instanceType,
      "t3.micro",
    );
  });

  it("hands resource policies a provider built from the provider URN", () => {
    const provUrn = urnOf("pulumi:providers:aws", "eu-west-1");
    const prov = resource("pulumi:providers:aws", "eu-west-1", { region: "eu-west-1" });
    const r = resource(T.instance, "i", {}, { provider: provUrn });
    const seen: unknown[] = [];
    const probe: ResourceValidationPolicy = {
      name: "prov",
      description: "Probe policy.",
      validateResource: (args) => {
        if (args.name === "i") seen.push([args.provider?.name, args.provider?.props.region]);
      },
    };
    evaluatePolicies([r, prov], {}, { policies: [probe] });
    evaluatePolicies([r], {}, { policies: [probe] });
    assert.deepEqual(seen, [
      ["eu-west-1", "eu-west-1"],
      ["eu-west-1", undefined],
    ]);
  });

  it("turns a policy that throws into a mandatory finding naming the resource", () => {
    const boom: ResourceValidationPolicy = {
      name: "boom",
      description: "Probe policy.",
      enforcementLevel: "advisory",
      validateResource: () => {
        throw new Error("bad shape");
      },
    };
    const r = resource(T.instance, "i", {});
    assert.deepEqual(evaluatePolicies([r], {}, { policies: [boom] }), [
      {
        policy: "boom",
        enforcementLevel: "mandatory",
        message: `policy 'boom' from policy pack 'patchfleet@v0.1.0' failed on ${T.instance} "i": bad shape`,
        urn: r.urn,
        resourceName: "i",
        resourceType: T.instance,
      },
    ]);
  });

  it("treats reading an unknown value as the engine does: one advisory can't-run note", () => {
    const naive: StackValidationPolicy = {
      name: "naive",
      description: "Probe policy.",
      enforcementLevel: "mandatory",
      validateStack: (args, report) => {
        for (const r of args.resources) {
          if (r.type === T.patchGroup && !String(r.props.baselineId).startsWith("pb-")) report("x");
        }
      },
    };
    const s = compliantStack();
    s.patchGroup.props.baselineId = UNKNOWN;
    assert.deepEqual(evaluatePolicies(all(s), {}, { policies: [naive] }), [
      {
        policy: "naive",
        enforcementLevel: "advisory",
        message:
          "can't run policy 'naive' from policy pack 'patchfleet@v0.1.0' during preview: " +
          "string value at .baselineId can't be known during preview",
      },
    ]);
  });

  it("throws on unknown values exactly where @pulumi/policy's own proxy throws", () => {
    // The real proxy ships untyped (internal) in @pulumi/policy's index; compare behaviour.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require("@pulumi/policy") as { unknownCheckingProxy(o: object): object };
    const props = {
      a: { b: [1, WIRE_UNKNOWN_STRING] },
      n: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
      ok: "x",
    };
    const probes: ((p: Record<string, never>) => unknown)[] = [
      (p) => p.ok,
      (p) => (p.a as { b: unknown[] }).b[1],
      (p) => (p.a as { b: unknown[] }).b.filter((x) => x === 1),
      (p) => p.n,
      (p) => JSON.stringify(p),
      (p) => Object.keys(p),
    ];
    const outcome = (f: () => unknown) => {
      try {
        return ["value", JSON.stringify(f())];
      } catch (e) {
        return ["error", (e as Error).message];
      }
    };
    const ours = probes.map((f) => outcome(() => f(unknownCheckingProxy(props) as never)));
    const theirs = probes.map((f) => outcome(() => f(real.unknownCheckingProxy(props) as never)));
    assert.deepEqual(ours, theirs);
    assert.deepEqual(ours[1], ["error", "string value at .a.b.1 can't be known during preview"]);
    assert.deepEqual(ours[3], ["error", "number value at .n can't be known during preview"]);
  });

  it("reports a policy returning a promise instead of awaiting it", () => {
    const later: StackValidationPolicy = {
      name: "later",
      description: "Probe policy.",
      validateStack: async () => undefined,
    };
    assert.deepEqual(evaluatePolicies([], {}, { policies: [later] }), [
      {
        policy: "later",
        enforcementLevel: "mandatory",
        message:
          "policy 'later' from policy pack 'patchfleet@v0.1.0' returned a promise; the " +
          "in-process evaluator runs policies synchronously",
      },
    ]);
  });

  it("leaves the caller's resources untouched", () => {
    const s = compliantStack();
    s.patchGroup.props.baselineId = UNKNOWN;
    const before = all(s).map((r) => ({ ...r, props: { ...r.props } }));
    evaluatePolicies(all(s));
    assert.deepEqual(all(s), before);
    assert.equal(s.patchGroup.props.baselineId, UNKNOWN);
  });
});
