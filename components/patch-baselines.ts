import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { parsePatchGroups } from "./config-patch-groups";
import type { ConfigIssue } from "./config-util";
import type { PatchFilterSpec, PatchGroupSpec } from "./types";

export interface PatchBaselinesArgs {
  /**
   * Patch group name → the baseline it is registered to. All groups live in this one component,
   * whatever their operating systems. Validated (filter keys and values per OS, approval rules,
   * one default per OS) before any child is created.
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-patch-groups.html
   */
  patchGroups: Record<string, PatchGroupSpec>;
  /**
   * Prefix of the baselines' physical names (`<prefix><group>`).
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreatePatchBaseline.html
   * @default "patchfleet-"
   */
  baselineNamePrefix?: string;
  /** Tags of the baselines. @default {} */
  tags?: Record<string, string>;
}

function filters(list: PatchFilterSpec[]): { key: string; values: string[] }[] {
  return list.map((f) => ({ key: f.key, values: [...f.values] }));
}

/** Lower-case, hyphenated OS name for logical names: AMAZON_LINUX_2023 → amazon-linux-2023. */
export function osSlug(os: string): string {
  return os.toLowerCase().replace(/_/g, "-");
}

/**
 * One custom patch baseline per patch group, each registered to its patch group, and optionally
 * registered as the region's default baseline for its operating system.
 */
export class PatchBaselines extends pulumi.ComponentResource {
  /** Patch group name → baseline id. */
  public readonly baselineIds: pulumi.Output<Record<string, string>>;
  public readonly baselines: Record<string, aws.ssm.PatchBaseline> = {};

  constructor(name: string, args: PatchBaselinesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:ssm:PatchBaselines", name, {}, opts);
    // Guard: the same validation the stack config gets, so the component is safe to use on its own.
    const issues: ConfigIssue[] = [];
    const groups = parsePatchGroups(args.patchGroups, "patchGroups", issues);
    if (Object.keys(args.patchGroups ?? {}).length === 0 && issues.length === 0) {
      issues.push({ path: "patchGroups", message: "must define at least one patch group" });
    }
    if (issues.length > 0) {
      throw new pulumi.ResourceError(
        `invalid patch groups:\n${issues.map((i) => `${i.path}: ${i.message}`).join("\n")}`,
        this,
      );
    }
    const prefix = args.baselineNamePrefix ?? "patchfleet-";
    const tags = args.tags ?? {};
    const ids: Record<string, pulumi.Output<string>> = {};

    for (const [group, spec] of Object.entries(groups)) {
      const baseline = new aws.ssm.PatchBaseline(
        `${name}-${group}`,
        {
          name: `${prefix}${group}`,
          description: spec.description ?? `patchfleet baseline of patch group ${group}`,
          operatingSystem: spec.operatingSystem,
          approvalRules: spec.approvalRules.map((r) => ({
            patchFilters: filters(r.patchFilters),
            approveAfterDays: r.approveAfterDays,
            approveUntilDate: r.approveUntilDate,
            complianceLevel: r.complianceLevel,
            enableNonSecurity: r.enableNonSecurity,
          })),
          globalFilters: filters(spec.globalFilters),
          approvedPatches: spec.approvedPatches,
          approvedPatchesComplianceLevel: spec.approvedPatchesComplianceLevel,
          approvedPatchesEnableNonSecurity: spec.approvedPatchesEnableNonSecurity,
          rejectedPatches: spec.rejectedPatches,
          rejectedPatchesAction: spec.rejectedPatchesAction,
          sources: spec.sources.map((s) => ({ ...s, products: [...s.products] })),
          tags,
        },
        { parent: this },
      );
      this.baselines[group] = baseline;
      ids[group] = baseline.id;
      new aws.ssm.PatchGroup(
        `${name}-${group}-group`,
        { baselineId: baseline.id, patchGroup: group },
        { parent: this },
      );
      if (spec.defaultForOperatingSystem) {
        new aws.ssm.DefaultPatchBaseline(
          `${name}-default-${osSlug(spec.operatingSystem)}`,
          { baselineId: baseline.id, operatingSystem: spec.operatingSystem },
          { parent: this },
        );
      }
    }
    this.baselineIds = pulumi.output(ids);
    this.registerOutputs({ baselineIds: this.baselineIds });
  }
}
