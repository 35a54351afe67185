/**
 * Hands a synthesized stack to the policy pack's in-process evaluator, with the config a target of
 * the fleet would get, and turns its findings into report rows.
 */
// Types only: the evaluator module itself is required at run time by loadEvaluator.
import type { PolicyResource, Violation as PolicyViolation } from "../../policy-pack/evaluate";
import { APPROVED_BASELINE_POLICY } from "../../domain";
import type { CapturedResource } from "./synthesize";
import type { CheckJob, CheckViolation, PolicyConfig } from "./types";

export const INSTANCE_POLICY = APPROVED_BASELINE_POLICY;

type EvaluatePolicies = (
  resources: PolicyResource[],
  config?: PolicyConfig,
) => PolicyViolation[] | Promise<PolicyViolation[]>;

let evaluatePolicies: EvaluatePolicies | undefined;

function loadEvaluator(): EvaluatePolicies {
  // Resolved at run time, next to this file in the source tree and in dist/ alike.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require("../../policy-pack/evaluate") as typeof import("../../policy-pack/evaluate");
  return mod.evaluatePolicies;
}

/**
 * What the policy pack finds wrong with a policy config (unknown policies, bad levels, values that
 * fail a policy's schema), checked once before any target runs. Empty when it is fine.
 */
export function policyConfigProblems(config: PolicyConfig): string[] {
  evaluatePolicies ??= loadEvaluator();
  try {
    void evaluatePolicies([], config);
    return [];
  } catch (err) {
    const problems = (err as { problems?: unknown }).problems;
    if (Array.isArray(problems)) return problems.map(String);
    throw err;
  }
}

/**
 * The policy config of one target: the user's, plus (for fleet targets) the target's own patch
 * group registrations and their baselines as approved, which is what `patchfleet policy-config`
 * hands the account's app stacks. The baselines themselves are still judged by the baseline
 * policies, resource by resource.
 */
export function targetPolicyConfig(
  resources: readonly CapturedResource[],
  job: Pick<CheckJob, "policyConfig" | "patchGroupsFromResources">,
): PolicyConfig {
  const config: PolicyConfig = { ...job.policyConfig };
  if (!job.patchGroupsFromResources) return config;
  const own = { ...(config[INSTANCE_POLICY] ?? {}) };
  const groups = { ...((own.patchGroups as Record<string, string> | undefined) ?? {}) };
  for (const r of resources) {
    if (r.type !== "aws:ssm/patchGroup:PatchGroup") continue;
    const group = r.props.patchGroup;
    const baseline = r.props.baselineId;
    if (typeof group === "string" && typeof baseline === "string" && !(group in groups)) {
      groups[group] = baseline;
    }
  }
  const approved = (own.approvedBaselines as string[] | undefined) ?? [];
  own.patchGroups = groups;
  own.approvedBaselines = [...new Set([...approved, ...Object.values(groups)])].sort();
  config[INSTANCE_POLICY] = own;
  return config;
}

function nameFromUrn(urn: string | undefined): { type?: string; name?: string } {
  if (!urn) return {};
  const parts = urn.split("::");
  if (parts.length < 4) return {};
  return { type: parts[2].split("$").pop(), name: parts.slice(3).join("::") };
}

export async function evaluate(
  resources: readonly CapturedResource[],
  job: Pick<CheckJob, "policyConfig" | "patchGroupsFromResources">,
): Promise<CheckViolation[]> {
  evaluatePolicies ??= loadEvaluator();
  const input: PolicyResource[] = resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    props: r.props,
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
    parent: r.parent,
    // A provider reference is "<urn>::<id>"; the evaluator links providers by URN.
    provider:
      r.provider === undefined ? undefined : r.provider.slice(0, r.provider.lastIndexOf("::")),
  }));
  const found = await evaluatePolicies(input, targetPolicyConfig(resources, job));
  const rows = found.map((v): CheckViolation => {
    const fromUrn = nameFromUrn(v.urn);
    const row: CheckViolation = {
      policy: v.policy,
      enforcementLevel: v.enforcementLevel,
      message: v.message,
    };
    const resourceType = v.resourceType ?? fromUrn.type;
    const resourceName = v.resourceName ?? fromUrn.name;
    if (resourceType !== undefined) row.resourceType = resourceType;
    if (resourceName !== undefined) row.resourceName = resourceName;
    if (v.urn !== undefined) row.urn = v.urn;
    return row;
  });
  return sortViolations(rows);
}

/** Mandatory first, then by policy, resource type, resource name and message. */
export function sortViolations(rows: CheckViolation[]): CheckViolation[] {
  const key = (v: CheckViolation) =>
    [
      v.enforcementLevel === "mandatory" ? 0 : 1,
      v.policy,
      v.resourceType,
      v.resourceName,
      v.message,
    ]
      .map((x) => String(x ?? ""))
      .join("\u0000");
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
