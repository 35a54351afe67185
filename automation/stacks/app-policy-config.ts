/**
 * The CrossGuard config for application stacks of one account, built from that account's topology
 * stack outputs, so the pack knows which baseline each patch group of the account is registered to.
 */
import type { InstanceApprovedBaselineConfig } from "../../policy-pack/config";
import { APPROVED_BASELINE_POLICY, InputError } from "../../domain";

/** The topology stack's outputs do not hold what the policy config needs (a region never deployed). */
export class PolicyConfigOutputsError extends InputError {}

/** The policy that reads patch group → baseline assignments made outside the app stack. */
export { APPROVED_BASELINE_POLICY };

export type PolicyConfigFile = Record<
  typeof APPROVED_BASELINE_POLICY,
  Pick<InstanceApprovedBaselineConfig, "patchGroups" | "approvedBaselines">
>;

/**
 * The config from a topology stack's outputs for one region: `regions.<region>.baselineIds` maps
 * each patch group to its baseline id. Throws PolicyConfigOutputsError when the outputs lack that region.
 */
export function policyConfigFromOutputs(
  outputs: Record<string, unknown>,
  region: string,
  stack: string,
): PolicyConfigFile {
  const regions = outputs.regions as Record<string, { baselineIds?: unknown }> | undefined;
  const baselineIds = regions?.[region]?.baselineIds;
  if (typeof baselineIds !== "object" || baselineIds === null) {
    const have = regions ? Object.keys(regions).join(", ") : "none";
    throw new PolicyConfigOutputsError(
      `stack ${stack} has no baseline ids for region ${region} (regions in its outputs: ${have}); ` +
        `run \`patchfleet up\` for that account first, or pass --region with one of its regions`,
    );
  }
  const patchGroups: Record<string, string> = {};
  for (const [group, id] of Object.entries(baselineIds as Record<string, unknown>)) {
    if (typeof id === "string") patchGroups[group] = id;
  }
  const approvedBaselines = [...new Set(Object.values(patchGroups))].sort();
  return { [APPROVED_BASELINE_POLICY]: { patchGroups, approvedBaselines } };
}
