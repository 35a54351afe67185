/**
 * The policy config the engine sends to the pack, computed the way `pulumi preview
 * --policy-pack-config` computes it: each policy's declared enforcement level and configSchema
 * defaults, then `all` (its enforcement level only: the engine does not copy `all`'s other
 * properties to the policies), then the per-policy entries, then validation against the schemas.
 *
 * Three checks are stricter than the engine, because the mistake would otherwise go unnoticed: a
 * key that names no policy of the pack, a property no schema declares, and rule 2's thresholds
 * (maxApproveAfterDays, minimumComplianceLevel) set differently for the two policies that apply
 * them are errors.
 */
import type { EnforcementLevel, Policies } from "@pulumi/policy";
import type {
  PolicyConfigJSONSchema,
  PolicyConfigJSONSchemaDefinition,
} from "@pulumi/policy/schema";
import { PACK_ENFORCEMENT_LEVEL } from "./pack";
import { BASELINE_RULE_KEYS, BASELINE_RULE_POLICIES, schemaDefaults } from "./config";
import { InputError } from "../domain";

export type PolicyConfigInput = Record<string, unknown>;

export interface ReconciledPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = [
  "advisory",
  "mandatory",
  "remediate",
  "disabled",
];

export class PolicyConfigError extends InputError {
  constructor(readonly problems: readonly string[]) {
    super(`invalid policy config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function isLevel(v: unknown): v is EnforcementLevel {
  return typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/** The subset of JSON schema the pack's config schemas use. */
function checkSchema(
  value: unknown,
  def: PolicyConfigJSONSchemaDefinition,
  path: string,
  problems: string[],
): void {
  if (def === true) return;
  if (def === false) {
    problems.push(`${path}: is not allowed`);
    return;
  }
  const schema: PolicyConfigJSONSchema = def;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    const ok = types.some((t) => t === actual || (t === "number" && actual === "integer"));
    if (!ok) {
      problems.push(`${path}: expected ${types.join(" or ")}, got ${actual} ${show(value)}`);
      return;
    }
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value)) {
    problems.push(
      `${path}: must be one of ${schema.enum.map(show).join(", ")}, got ${show(value)}`,
    );
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      problems.push(`${path}: must be at least ${schema.minimum}, got ${value}`);
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      problems.push(`${path}: must be at most ${schema.maximum}, got ${value}`);
    }
  }
  if (typeof value === "string" && schema.minLength !== undefined) {
    if (value.length < schema.minLength) {
      problems.push(
        `${path}: must have at least ${schema.minLength} character(s), got ${show(value)}`,
      );
    }
  }
  if (Array.isArray(value) && schema.items !== undefined && !Array.isArray(schema.items)) {
    const items = schema.items;
    value.forEach((v, i) => checkSchema(v, items, `${path}[${i}]`, problems));
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (sub !== undefined) checkSchema(v, sub, `${path}.${k}`, problems);
    }
    for (const k of schema.required ?? []) {
      if (!(k in obj)) problems.push(`${path}.${k}: is required`);
    }
  }
}

/** Reconcile user config with the policies' declarations; throws PolicyConfigError. */
export function reconcilePolicyConfig(
  policies: Policies,
  input: PolicyConfigInput = {},
): Map<string, ReconciledPolicyConfig> {
  const problems: string[] = [];
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new PolicyConfigError([
      `the policy config must be a JSON object of policy name to settings, got ${show(input)}`,
    ]);
  }
  const names = new Set(policies.map((p) => p.name));
  const result = new Map<string, ReconciledPolicyConfig>();
  for (const p of policies) {
    result.set(p.name, {
      enforcementLevel: p.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL,
      properties: schemaDefaults(p.configSchema),
    });
  }

  // Normalise every entry to { level?, properties } and check its shape.
  const given = new Map<
    string,
    { level?: EnforcementLevel; properties: Record<string, unknown> }
  >();
  for (const [key, value] of Object.entries(input)) {
    if (key !== "all" && !names.has(key)) {
      problems.push(
        `${show(key)}: no policy of this pack has that name; use "all" or one of ` +
          `${[...names].join(", ")}`,
      );
      continue;
    }
    if (typeof value === "string") {
      if (!isLevel(value)) {
        problems.push(
          `${key}: ${show(value)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`,
        );
      } else given.set(key, { level: value, properties: {} });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.push(`${key}: expected an enforcement level or an object, got ${show(value)}`);
      continue;
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
      problems.push(
        `${key}.enforcementLevel: ${show(enforcementLevel)} is not an enforcement level; use ` +
          `one of ${ENFORCEMENT_LEVELS.join(", ")}`,
      );
      continue;
    }
    given.set(key, { level: enforcementLevel, properties });
  }

  const all = given.get("all");
  if (all?.level !== undefined) {
    for (const c of result.values()) c.enforcementLevel = all.level;
  }
  if (all && Object.keys(all.properties).length > 0) {
    problems.push(
      `all: only enforcementLevel applies to every policy (got ${Object.keys(all.properties).join(", ")}); ` +
        `set other properties under each policy's name`,
    );
  }
  for (const [key, g] of given) {
    const c = result.get(key);
    if (!c) continue;
    if (g.level !== undefined) c.enforcementLevel = g.level;
    Object.assign(c.properties, g.properties);
  }

  for (const p of policies) {
    const c = result.get(p.name)!;
    const declared = p.configSchema?.properties ?? {};
    for (const k of Object.keys(c.properties)) {
      if (!Object.hasOwn(declared, k)) {
        const known = Object.keys(declared);
        problems.push(
          `${p.name}.${k}: not a setting of this policy; ` +
            (known.length > 0 ? `its settings are ${known.join(", ")}` : "it has no settings"),
        );
      }
    }
    if (p.configSchema) {
      const schema: PolicyConfigJSONSchema = {
        type: "object",
        properties: p.configSchema.properties,
        required: p.configSchema.required,
      };
      checkSchema(c.properties, schema, p.name, problems);
    }
  }
  // Only a config that is valid otherwise is compared: a bad value is reported once, at its path.
  if (problems.length === 0) problems.push(...baselineRuleMismatches(result));
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return result;
}

/**
 * Policy 1 approves an in-stack baseline when it passes rule 2, but it can only apply rule 2 with
 * its own copy of the thresholds (the engine gives each policy its own config). Different values
 * would make a baseline that rule 2 accepts block every instance in its patch groups, or the
 * other way round, so both copies must agree while both policies run.
 */
function baselineRuleMismatches(result: ReadonlyMap<string, ReconciledPolicyConfig>): string[] {
  const rule = result.get(BASELINE_RULE_POLICIES.rule);
  const reuser = result.get(BASELINE_RULE_POLICIES.reuser);
  if (!rule || !reuser) return [];
  if (rule.enforcementLevel === "disabled" || reuser.enforcementLevel === "disabled") return [];
  const out: string[] = [];
  for (const k of BASELINE_RULE_KEYS) {
    const a = reuser.properties[k];
    const b = rule.properties[k];
    if (a === b) continue;
    out.push(
      `${BASELINE_RULE_POLICIES.reuser}.${k}: is ${show(a)} but ` +
        `${BASELINE_RULE_POLICIES.rule}.${k} is ${show(b)}; the first approves in-stack ` +
        `baselines by the second's rule, so set ${k} to the same value under both policies`,
    );
  }
  return out;
}
