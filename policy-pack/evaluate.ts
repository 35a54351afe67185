/**
 * Runs the pack's policies in process, on resources collected without the engine (the offline
 * check, tests, benchmarks). It builds the same arguments @pulumi/policy's server builds from the
 * engine's requests: props wrapped in the same unknown-checking proxy, stack resources with
 * parent, dependencies and propertyDependencies linked to each other, `getConfig` returning the
 * reconciled config the engine would send. Findings come back as data instead of diagnostics.
 *
 * Evaluation is synchronous: every policy of the pack is synchronous, and a policy that returns a
 * promise is reported as a finding rather than awaited.
 */
import { UnknownValueError, unknownCheckingProxy } from "./proxy";
import type {
  EnforcementLevel,
  Policies,
  PolicyResource as EnginePolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { PACK_NAME, PACK_VERSION } from "./pack";
import { reconcilePolicyConfig, type PolicyConfigInput } from "./resolve-policy-config";
import { policies as packPolicies } from "./policies";
import { UNKNOWN, WIRE_UNKNOWN_STRING } from "./values";

export { UNKNOWN } from "./values";
export { PolicyConfigError, reconcilePolicyConfig } from "./resolve-policy-config";
export type { PolicyConfigInput, ReconciledPolicyConfig } from "./resolve-policy-config";
export { PACK_NAME, PACK_VERSION } from "./pack";

/** A resource as the offline check collects it (from the SDK mock runtime). */
export interface PolicyResource {
  urn: string;
  type: string;
  name: string;
  /** Resource inputs; a value not known yet is UNKNOWN. */
  props: Record<string, unknown>;
  /** URNs. */
  dependencies?: string[];
  /** Property name → URNs of the resources its value came from. */
  propertyDependencies?: Record<string, string[]>;
  /** URN. */
  parent?: string;
  /** URN. */
  provider?: string;
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  /** The diagnostic message exactly as the engine would show it (description, newline, detail). */
  message: string;
  urn?: string;
  resourceName?: string;
  resourceType?: string;
}

export interface EvaluateOptions {
  /** Policies to run instead of the pack's own (tests). */
  policies?: Policies;
  /** Stack tags handed to the policies. @default none */
  stackTags?: Record<string, string>;
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason ?? "Policy does not apply");
};

type ResourceClass = { __pulumiType?: unknown; isInstance?: unknown };

/** The type check @pulumi/policy applies for isType/asType. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as ResourceClass;
  if (typeof cls.__pulumiType === "string") return cls.__pulumiType === type;
  return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/**
 * The value as it arrives over the wire: UNKNOWN becomes the engine's unknown sentinel, and keys
 * whose value is undefined disappear (protobuf Structs cannot hold undefined).
 */
function toWire(value: unknown): unknown {
  if (value === UNKNOWN) return WIRE_UNKNOWN_STRING;
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toWire(v)));
  if (typeof value === "object" && value !== null) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

function urnParts(urn: string): { type: string; name: string } {
  // urn:pulumi:<stack>::<project>::<qualified type>::<name>
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { type: qualified.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

function checkResources(resources: unknown): asserts resources is PolicyResource[] {
  if (!Array.isArray(resources)) {
    throw new TypeError(`evaluatePolicies: resources must be an array, got ${typeof resources}`);
  }
  resources.forEach((r: Partial<PolicyResource> | null, i) => {
    for (const key of ["urn", "type", "name"] as const) {
      if (typeof r?.[key] !== "string" || r[key] === "") {
        throw new TypeError(`evaluatePolicies: resources[${i}].${key} must be a non-empty string`);
      }
    }
    if (typeof r?.props !== "object" || r.props === null) {
      throw new TypeError(`evaluatePolicies: resources[${i}].props must be an object`);
    }
  });
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Evaluate the pack's policies (or `options.policies`) against a stack's resources. Throws
 * PolicyConfigError for an invalid config and TypeError for malformed resources; a policy that
 * throws becomes a mandatory finding, as the engine would fail the preview.
 */
export function evaluatePolicies(
  resources: PolicyResource[],
  config: PolicyConfigInput = {},
  options: EvaluateOptions = {},
): Violation[] {
  checkResources(resources);
  const policies = options.policies ?? packPolicies;
  const reconciled = reconcilePolicyConfig(policies, config);
  const stackTags: ReadonlyMap<string, string> = Object.freeze(
    new Map(Object.entries(options.stackTags ?? {})),
  );
  const wireProps = resources.map((r) => toWire(r.props) as Record<string, unknown>);
  const byUrn = new Map<string, number>();
  resources.forEach((r, i) => byUrn.set(r.urn, i));
  const violations: Violation[] = [];
  const packRef = `'${PACK_NAME}@v${PACK_VERSION}'`;

  const providerOf = (r: PolicyResource): EnginePolicyResource["provider"] => {
    if (r.provider === undefined) return undefined;
    const i = byUrn.get(r.provider);
    if (i !== undefined) {
      const p = resources[i];
      return { type: p.type, name: p.name, urn: p.urn, props: unknownCheckingProxy(wireProps[i]) };
    }
    return { ...urnParts(r.provider), urn: r.provider, props: unknownCheckingProxy({}) };
  };
  const optsOf = (r: PolicyResource): PolicyResourceOptions => ({
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent !== undefined ? { parent: r.parent } : {}),
  });

  for (const p of policies) {
    const cfg = reconciled.get(p.name)!;
    let level = cfg.enforcementLevel;
    if (level === "disabled") continue;
    if (level === "remediate") level = "mandatory";
    const policyLevel: EnforcementLevel = level;
    const getConfig = <T extends object>(): T => cfg.properties as T;

    const makeReport = (current?: PolicyResource): ReportViolation => {
      const report = (message: unknown, urn?: string): void => {
        let v: Violation;
        if (typeof message === "object" && message !== null) {
          const info = message as Partial<Violation> & { name?: string; description?: string };
          v = {
            policy: info.name || p.name,
            enforcementLevel: info.enforcementLevel || policyLevel,
            message: info.message || info.description || p.description,
          };
          urn = info.urn;
        } else {
          v = {
            policy: p.name,
            enforcementLevel: policyLevel,
            message: message ? `${p.description}\n${String(message)}` : p.description,
          };
        }
        const target = urn ?? current?.urn;
        if (target !== undefined) {
          v.urn = target;
          const i = byUrn.get(target);
          if (i !== undefined) {
            v.resourceName = resources[i].name;
            v.resourceType = resources[i].type;
          }
        }
        violations.push(v);
      };
      return report as ReportViolation;
    };

    const run = (fn: () => unknown, current?: PolicyResource): void => {
      const where = current ? ` on ${current.type} "${current.name}"` : "";
      const finding = (enforcementLevel: EnforcementLevel, message: string): void => {
        const v: Violation = { policy: p.name, enforcementLevel, message };
        if (current) {
          v.urn = current.urn;
          v.resourceName = current.name;
          v.resourceType = current.type;
        }
        violations.push(v);
      };
      try {
        const result = fn();
        if (result && typeof (result as PromiseLike<unknown>).then === "function") {
          (result as Promise<unknown>).then(undefined, () => undefined);
          finding(
            "mandatory",
            `policy '${p.name}' from policy pack ${packRef} returned a promise${where}; the ` +
              `in-process evaluator runs policies synchronously`,
          );
        }
      } catch (e) {
        if (e instanceof UnknownValueError) {
          finding(
            "advisory",
            `can't run policy '${p.name}' from policy pack ${packRef} during preview: ${e.message}`,
          );
        } else if (!(e instanceof NotApplicable)) {
          finding(
            "mandatory",
            `policy '${p.name}' from policy pack ${packRef} failed${where}: ${describeError(e)}`,
          );
        }
      }
    };

    if ("validateStack" in p && typeof p.validateStack === "function") {
      const stackPolicy = p as StackValidationPolicy;
      const built: EnginePolicyResource[] = resources.map((r, i) => {
        const props = unknownCheckingProxy(wireProps[i]);
        const type = r.type;
        const resource: EnginePolicyResource = {
          type,
          props,
          urn: r.urn,
          name: r.name,
          opts: optsOf(r),
          dependencies: [],
          propertyDependencies: {},
          isType: (cls) => isTypeOf(type, cls),
          asType: ((cls: unknown) =>
            isTypeOf(type, cls) ? props : undefined) as EnginePolicyResource["asType"],
        };
        const provider = providerOf(r);
        if (provider) resource.provider = provider;
        return resource;
      });
      const link = (urns: readonly string[] | undefined): EnginePolicyResource[] => {
        const out: EnginePolicyResource[] = [];
        for (const u of urns ?? []) {
          const i = byUrn.get(u);
          if (i !== undefined) out.push(built[i]);
        }
        return out;
      };
      resources.forEach((r, i) => {
        const b = built[i];
        if (r.parent !== undefined) {
          const pi = byUrn.get(r.parent);
          if (pi !== undefined) b.parent = built[pi];
        }
        b.dependencies = link(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          b.propertyDependencies[k] = link(urns);
        }
      });
      const args: StackValidationArgs = {
        resources: built,
        getConfig,
        stackTags,
        notApplicable,
      };
      run(() => stackPolicy.validateStack(args, makeReport()));
      continue;
    }

    const resourcePolicy = p as ResourceValidationPolicy;
    if (!resourcePolicy.validateResource) continue;
    const validations: ResourceValidation[] = Array.isArray(resourcePolicy.validateResource)
      ? resourcePolicy.validateResource
      : [resourcePolicy.validateResource];
    for (const validation of validations) {
      const only = (validation as { __pulumiType?: unknown }).__pulumiType;
      resources.forEach((r, i) => {
        if (typeof only === "string" && only !== r.type) return;
        const props = unknownCheckingProxy(wireProps[i]);
        const type = r.type;
        const args: ResourceValidationArgs = {
          type,
          props,
          urn: r.urn,
          name: r.name,
          opts: optsOf(r),
          stackTags,
          isType: (cls) => isTypeOf(type, cls),
          asType: ((cls: unknown) =>
            isTypeOf(type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
          getConfig,
          notApplicable,
        };
        const provider = providerOf(r);
        if (provider) args.provider = provider;
        run(() => validation(args, makeReport(r)), r);
      });
    }
  }
  return violations;
}
