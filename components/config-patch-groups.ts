/**
 * Validation of the patch group map: patch group name → the baseline it is registered to. What
 * each baseline approves (rules, filters, sources) is checked in config-patch-rules.ts.
 *
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreatePatchBaseline.html
 */
import {
  COMPLIANCE_LEVELS,
  OPERATING_SYSTEMS,
  REJECTED_PATCHES_ACTIONS,
  isOperatingSystem,
  supportsPatchSources,
  type OperatingSystem,
} from "../domain";
import {
  type ConfigIssue,
  describe,
  indexPath,
  isPlainObject,
  joinPath,
  objectWithKnownKeys,
  optionalBoolean,
  optionalEnum,
  optionalString,
  optionalStringList,
} from "./config-util";
import type { ApprovalRuleSpec, PatchGroupSpec } from "./types";
import {
  MAX_PATCH_LIST,
  MAX_RULES,
  parseFilters,
  parseRule,
  parseSources,
} from "./config-patch-rules";

/**
 * Patch group names become baseline names (`patchfleet-<group>`) and Pulumi resource names, so
 * they use the character set baseline names allow.
 */
export const PATCH_GROUP_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,100}$/;

const GROUP_KEYS = [
  "operatingSystem",
  "description",
  "approvalRules",
  "globalFilters",
  "approvedPatches",
  "approvedPatchesComplianceLevel",
  "approvedPatchesEnableNonSecurity",
  "rejectedPatches",
  "rejectedPatchesAction",
  "sources",
  "defaultForOperatingSystem",
] as const;

function parseGroup(raw: unknown, path: string, issues: ConfigIssue[]): PatchGroupSpec | undefined {
  const obj = objectWithKnownKeys(raw, path, GROUP_KEYS, issues);
  if (obj === undefined) return undefined;
  const osRaw = obj.operatingSystem;
  let os: OperatingSystem | undefined;
  if (osRaw === undefined) {
    issues.push({
      path: joinPath(path, "operatingSystem"),
      message: `is required; use one of ${OPERATING_SYSTEMS.join(", ")}`,
    });
  } else if (!isOperatingSystem(osRaw)) {
    issues.push({
      path: joinPath(path, "operatingSystem"),
      message: `must be one of ${OPERATING_SYSTEMS.join(", ")}, got ${describe(osRaw)}`,
    });
  } else {
    os = osRaw;
  }
  const description = optionalString(obj, "description", path, issues);
  const rulesPath = joinPath(path, "approvalRules");
  const rules: ApprovalRuleSpec[] = [];
  if (obj.approvalRules !== undefined) {
    if (!Array.isArray(obj.approvalRules)) {
      issues.push({
        path: rulesPath,
        message: `must be a list of approval rules, got ${describe(obj.approvalRules)}`,
      });
    } else {
      if (obj.approvalRules.length > MAX_RULES) {
        issues.push({
          path: rulesPath,
          message: `has ${obj.approvalRules.length} rules; at most ${MAX_RULES} are allowed`,
        });
      }
      Array.from(obj.approvalRules as unknown[]).forEach((r: unknown, i) => {
        const rule = parseRule(r, indexPath(rulesPath, i), os, issues);
        if (rule !== undefined) rules.push(rule);
      });
    }
  }
  const approvedPatches =
    optionalStringList(obj, "approvedPatches", path, issues, MAX_PATCH_LIST) ?? [];
  const rejectedPatches =
    optionalStringList(obj, "rejectedPatches", path, issues, MAX_PATCH_LIST) ?? [];
  const noRules =
    obj.approvalRules === undefined ||
    (Array.isArray(obj.approvalRules) && obj.approvalRules.length === 0);
  if (noRules && approvedPatches.length === 0) {
    issues.push({
      path: rulesPath,
      message: "a baseline needs approval rules or approvedPatches; add at least one approval rule",
    });
  }
  const spec: PatchGroupSpec = {
    operatingSystem: os ?? "AMAZON_LINUX_2023",
    approvalRules: rules,
    globalFilters: parseFilters(obj.globalFilters, joinPath(path, "globalFilters"), os, issues),
    approvedPatches,
    approvedPatchesComplianceLevel:
      optionalEnum(obj, "approvedPatchesComplianceLevel", path, issues, COMPLIANCE_LEVELS) ??
      "UNSPECIFIED",
    approvedPatchesEnableNonSecurity:
      optionalBoolean(obj, "approvedPatchesEnableNonSecurity", path, issues) ?? false,
    rejectedPatches,
    rejectedPatchesAction:
      optionalEnum(obj, "rejectedPatchesAction", path, issues, REJECTED_PATCHES_ACTIONS) ?? "BLOCK",
    sources: parseSources(obj.sources, joinPath(path, "sources"), os, issues),
    defaultForOperatingSystem:
      optionalBoolean(obj, "defaultForOperatingSystem", path, issues) ?? false,
  };
  if (description !== undefined) {
    if (description.length > 1024) {
      issues.push({
        path: joinPath(path, "description"),
        message: `must be at most 1024 characters, got ${description.length}`,
      });
    }
    spec.description = description;
  }
  if (spec.approvedPatchesEnableNonSecurity && os !== undefined && !supportsPatchSources(os)) {
    issues.push({
      path: joinPath(path, "approvedPatchesEnableNonSecurity"),
      message: `applies to Linux baselines only; remove it for ${os}`,
    });
  }
  return os === undefined ? undefined : spec;
}

/**
 * Validates and normalizes a patch group map, pushing issues with full paths under `path`
 * (e.g. "patchGroups"). Returns what could be normalized.
 */
export function parsePatchGroups(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): Record<string, PatchGroupSpec> {
  const out: Record<string, PatchGroupSpec> = {};
  if (!isPlainObject(raw)) {
    issues.push({
      path,
      message: `must be a map of patch group name → baseline, got ${describe(raw)}`,
    });
    return out;
  }
  const defaults = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const p = joinPath(path, name);
    if (!PATCH_GROUP_NAME_PATTERN.test(name) || name === "__proto__") {
      issues.push({
        path: p,
        message: "patch group names must be 1–100 characters of letters, digits, _ . -; rename it",
      });
      continue;
    }
    const spec = parseGroup(value, p, issues);
    if (spec === undefined) continue;
    if (spec.defaultForOperatingSystem) {
      const other = defaults.get(spec.operatingSystem);
      if (other !== undefined) {
        issues.push({
          path: joinPath(p, "defaultForOperatingSystem"),
          message: `patch group ${other} is already the default for ${spec.operatingSystem}; only one group per operating system can be the default`,
        });
      } else {
        defaults.set(spec.operatingSystem, name);
      }
    }
    out[name] = spec;
  }
  return out;
}
