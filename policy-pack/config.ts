/**
 * The pack's typed configuration: one interface and one JSON schema per configurable policy.
 *
 * The engine fills every declared `default` into the config it sends, then applies `all` and the
 * user's per-policy values (see evaluate.ts for the same rules in process). `readConfig` still
 * lays the declared defaults underneath what arrived, so a policy behaves the same when a caller
 * hands it an empty config.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import {
  APPROVED_BASELINE_POLICY,
  APPROVE_AFTER_DAYS_MAX,
  APPROVE_AFTER_DAYS_MIN,
  COMPLIANCE_LEVELS,
  DEFAULT_PATCH_TAG_KEYS,
  DEFAULT_RESOURCE_GROUP_TAG,
  RUN_PATCH_BASELINE_DOCUMENT,
  type ComplianceLevel,
} from "../domain";

/**
 * Rule 2's thresholds. Policy 1 (`patchfleet-instance-approved-baseline`) judges the in-stack
 * baselines that patch groups point to by rule 2, so it declares the same keys with the same
 * defaults: the engine hands each policy only its own config, so policy 1 cannot read policy 2's.
 * The two must be set together; `reconcilePolicyConfig` rejects a config where they differ.
 */
export interface BaselineRuleConfig {
  /** Longest auto-approval delay for security patches, in days. @default 7 */
  maxApproveAfterDays: number;
  /** Lowest compliance level the security rule may report. @default "HIGH" */
  minimumComplianceLevel: ComplianceLevel;
}

export interface InstanceApprovedBaselineConfig extends BaselineRuleConfig {
  /** Tag keys that put an instance in a patch group. @default ["PatchGroup", "Patch Group"] */
  tagKeys: string[];
  /** Patch groups registered outside this stack: group name → baseline id or ARN. @default {} */
  patchGroups: Record<string, string>;
  /** Baseline ids, ARNs or names approved outright. @default [] */
  approvedBaselines: string[];
  /** An instance without any patch tag is a violation. @default false */
  requireTag: boolean;
}

export type BaselineSecurityApprovalConfig = BaselineRuleConfig;

export interface MaintenanceWindowRateControlConfig {
  /** Documents that make a maintenance window task a patch task (name or ARN suffix). */
  patchDocuments: string[];
  /** Highest allowed maxConcurrency as a percentage. @default 50 */
  maxConcurrencyPercent: number;
  /** Highest allowed maxConcurrency as a count of targets. @default 50 */
  maxConcurrencyCount: number;
  /** Highest allowed maxErrors as a percentage. @default 25 */
  maxErrorsPercent: number;
  /** Highest allowed maxErrors as a count of targets. @default 10 */
  maxErrorsCount: number;
}

export interface MaintenanceWindowRingOrderConfig {
  /** Names that make a maintenance window an install window. @default ["patchfleet-install"] */
  installWindowNames: string[];
  /** Hours required beyond the earlier window's duration and the later ring's soak. @default 0 */
  minGapHours: number;
  /** ISO-8601 time the comparison starts from; "" is the time of the check. @default "" */
  referenceTime: string;
}

export interface ResourceGroupTargetsInstancesConfig {
  /** A resource group whose tag query filters on one of these keys is used for patching. */
  tagKeys: string[];
  /** Resource groups used for patching by name, whatever their query. @default [] */
  groupNames: string[];
}

export interface PatchTagKeyMetadataSafeConfig {
  /** Patch tag keys to look for. @default ["PatchGroup", "Patch Group"] */
  tagKeys: string[];
}

const stringArray = (description: string, defaults: readonly string[]) => ({
  type: "array" as const,
  items: { type: "string" as const, minLength: 1 },
  default: [...defaults],
  description,
});

const baselineRuleProperties: PolicyConfigSchema["properties"] = {
  maxApproveAfterDays: {
    type: "integer",
    minimum: APPROVE_AFTER_DAYS_MIN,
    maximum: APPROVE_AFTER_DAYS_MAX,
    default: 7,
    description: "Longest auto-approval delay for security and critical patches, in days.",
  },
  minimumComplianceLevel: {
    type: "string",
    enum: [...COMPLIANCE_LEVELS],
    default: "HIGH",
    description: "Lowest compliance level the security approval rule may assign.",
  },
};

/** The settings both policies in BASELINE_RULE_POLICIES declare and must agree on. */
export const BASELINE_RULE_KEYS: readonly (keyof BaselineRuleConfig)[] = [
  "maxApproveAfterDays",
  "minimumComplianceLevel",
];

/** The policy that judges baselines (rule 2), and the one that reuses its rule for in-stack baselines. */
export const BASELINE_RULE_POLICIES = {
  rule: "patchfleet-baseline-security-approval",
  reuser: APPROVED_BASELINE_POLICY,
} as const;

export const instanceApprovedBaselineSchema: PolicyConfigSchema = {
  properties: {
    tagKeys: stringArray(
      "Tag keys that assign an instance to a patch group.",
      DEFAULT_PATCH_TAG_KEYS,
    ),
    patchGroups: {
      type: "object",
      additionalProperties: { type: "string", minLength: 1 },
      default: {},
      description: "Patch groups registered outside this stack: group name to baseline id or ARN.",
    },
    approvedBaselines: stringArray("Baseline ids, ARNs or names approved outright.", []),
    requireTag: {
      type: "boolean",
      default: false,
      description: "Report instances that carry no patch tag at all.",
    },
    // The same settings as the baseline policy's, which they must equal (see BASELINE_RULE_KEYS).
    ...Object.fromEntries(
      Object.entries(baselineRuleProperties).map(([k, v]) => [
        k,
        {
          ...v,
          description:
            `${v.description ?? ""} Applied to baselines defined in the stack; set it to the ` +
            `same value as ${BASELINE_RULE_POLICIES.rule}'s ${k}.`,
        },
      ]),
    ),
  },
};

export const baselineSecurityApprovalSchema: PolicyConfigSchema = {
  properties: { ...baselineRuleProperties },
};

const percent = (description: string, def: number) => ({
  type: "integer" as const,
  minimum: 1,
  maximum: 100,
  default: def,
  description,
});
const count = (description: string, def: number) => ({
  type: "integer" as const,
  minimum: 1,
  default: def,
  description,
});

export const maintenanceWindowRateControlSchema: PolicyConfigSchema = {
  properties: {
    patchDocuments: stringArray("Documents that make a maintenance window task a patch task.", [
      RUN_PATCH_BASELINE_DOCUMENT,
      "AWS-RunPatchBaselineWithHooks",
    ]),
    maxConcurrencyPercent: percent("Highest allowed maxConcurrency as a percentage.", 50),
    maxConcurrencyCount: count("Highest allowed maxConcurrency as a count.", 50),
    maxErrorsPercent: percent("Highest allowed maxErrors as a percentage.", 25),
    maxErrorsCount: count("Highest allowed maxErrors as a count.", 10),
  },
};

export const maintenanceWindowRingOrderSchema: PolicyConfigSchema = {
  properties: {
    installWindowNames: stringArray("Names that make a maintenance window an install window.", [
      "patchfleet-install",
    ]),
    minGapHours: {
      type: "integer",
      minimum: 0,
      maximum: 8760,
      default: 0,
      description:
        "Hours required between the earlier ring's install window closing plus the later ring's " +
        "soak and the later ring's install window opening.",
    },
    referenceTime: {
      type: "string",
      default: "",
      pattern:
        "^$|^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})$",
      description:
        "ISO-8601 time from which the earlier ring's next opening is computed; empty means the " +
        "time of the check.",
    },
  },
};

export const resourceGroupTargetsInstancesSchema: PolicyConfigSchema = {
  properties: {
    tagKeys: stringArray("Tag filter keys that mark a resource group as used for patching.", [
      ...DEFAULT_PATCH_TAG_KEYS,
      DEFAULT_RESOURCE_GROUP_TAG.key,
    ]),
    groupNames: stringArray("Names of resource groups used for patching.", []),
  },
};

export const patchTagKeyMetadataSafeSchema: PolicyConfigSchema = {
  properties: {
    tagKeys: stringArray("Patch tag keys to look for.", DEFAULT_PATCH_TAG_KEYS),
  },
};

/** The `default` of every property of a schema. */
export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!schema) return out;
  for (const [key, prop] of Object.entries(schema.properties)) {
    if (prop.default !== undefined) out[key] = prop.default;
  }
  return out;
}

/** The policy's config: the schema defaults, overlaid with what the engine sent. */
export function readConfig<T extends object>(
  args: { getConfig<U extends object>(): U },
  schema: PolicyConfigSchema,
): T {
  return { ...schemaDefaults(schema), ...args.getConfig<Partial<T>>() } as T;
}
