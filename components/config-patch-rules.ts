/**
 * Validation of what a patch group's baseline approves: approval rules, patch filters (keys and
 * values checked per operating system against domain/FILTER_KEYS) and patch sources.
 *
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreatePatchBaseline.html
 */
import {
  APPROVE_AFTER_DAYS_MAX,
  APPROVE_AFTER_DAYS_MIN,
  COMPLIANCE_LEVELS,
  FILTER_KEYS,
  MAX_FILTERS_PER_GROUP,
  supportsApprovalDelay,
  supportsPatchSources,
  type OperatingSystem,
} from "../domain";
import {
  type ConfigIssue,
  describe,
  indexPath,
  joinPath,
  objectWithKnownKeys,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
} from "./config-util";
import type { ApprovalRuleSpec, PatchFilterSpec, PatchSourceSpec } from "./types";

const RULE_KEYS = [
  "patchFilters",
  "approveAfterDays",
  "approveUntilDate",
  "complianceLevel",
  "enableNonSecurity",
] as const;
const FILTER_KEYS_OF_FILTER = ["key", "values"] as const;
const SOURCE_KEYS = ["name", "products", "configuration"] as const;

/** AWS limits: 10 approval rules, 20 values per filter, 50 approved/rejected patches. */
export const MAX_RULES = 10;
const MAX_FILTER_VALUES = 20;
export const MAX_PATCH_LIST = 50;
const MAX_SOURCES = 20;

function isRealDate(text: string): boolean {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export function parseFilters(
  raw: unknown,
  path: string,
  os: OperatingSystem | undefined,
  issues: ConfigIssue[],
): PatchFilterSpec[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path, message: `must be a list of {key, values} filters, got ${describe(raw)}` });
    return [];
  }
  if (raw.length > MAX_FILTERS_PER_GROUP) {
    issues.push({
      path,
      message: `has ${raw.length} filters; a patch filter group holds at most ${MAX_FILTERS_PER_GROUP} (one per key), so drop or merge filters`,
    });
  }
  const out: PatchFilterSpec[] = [];
  const seen = new Set<string>();
  // Array.from turns holes of sparse arrays into undefined, which is then reported.
  Array.from(raw as unknown[]).forEach((item: unknown, i) => {
    const p = indexPath(path, i);
    const obj = objectWithKnownKeys(item, p, FILTER_KEYS_OF_FILTER, issues);
    if (obj === undefined) return;
    const table = os === undefined ? undefined : FILTER_KEYS[os];
    const key = optionalString(obj, "key", p, issues);
    if (obj.key === undefined) {
      issues.push({ path: joinPath(p, "key"), message: "is required, e.g. CLASSIFICATION" });
    }
    let allowed: readonly string[] | undefined;
    let keyOk = false;
    if (key !== undefined && table !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(table, key)) {
        issues.push({
          path: joinPath(p, "key"),
          message: `${JSON.stringify(key)} is not a filter key for ${os}; use one of ${Object.keys(table).join(", ")}`,
        });
      } else if (seen.has(key)) {
        issues.push({
          path: joinPath(p, "key"),
          message: `${key} appears twice in this filter list; put all its values in one filter`,
        });
      } else {
        seen.add(key);
        allowed = table[key];
        keyOk = true;
      }
    }
    const values = optionalStringList(obj, "values", p, issues, MAX_FILTER_VALUES);
    if (obj.values === undefined) {
      issues.push({
        path: joinPath(p, "values"),
        message: 'is required; use ["*"] for all values',
      });
    } else if (values !== undefined && Array.isArray(obj.values) && obj.values.length === 0) {
      issues.push({
        path: joinPath(p, "values"),
        message: 'must not be empty; use ["*"] for all values',
      });
    }
    if (keyOk && allowed !== undefined && values !== undefined) {
      values.forEach((v, j) => {
        if (v !== "*" && !allowed.includes(v)) {
          issues.push({
            path: indexPath(joinPath(p, "values"), j),
            message: `${JSON.stringify(v)} is not a ${key} value for ${os}; use one of ${allowed.join(", ")} or *`,
          });
        }
      });
    }
    if (key !== undefined && values !== undefined) out.push({ key, values });
  });
  return out;
}

export function parseRule(
  raw: unknown,
  path: string,
  os: OperatingSystem | undefined,
  issues: ConfigIssue[],
): ApprovalRuleSpec | undefined {
  const obj = objectWithKnownKeys(raw, path, RULE_KEYS, issues);
  if (obj === undefined) return undefined;
  const filtersPath = joinPath(path, "patchFilters");
  if (
    obj.patchFilters === undefined ||
    (Array.isArray(obj.patchFilters) && obj.patchFilters.length === 0)
  ) {
    issues.push({
      path: filtersPath,
      message: 'needs at least one filter, e.g. {key: CLASSIFICATION, values: ["*"]}',
    });
  }
  const patchFilters = parseFilters(obj.patchFilters, filtersPath, os, issues);
  const approveAfterDays = optionalInteger(
    obj,
    "approveAfterDays",
    path,
    issues,
    APPROVE_AFTER_DAYS_MIN,
    APPROVE_AFTER_DAYS_MAX,
    "use approveUntilDate for a fixed date",
  );
  const approveUntilDate = optionalString(obj, "approveUntilDate", path, issues);
  if (approveUntilDate !== undefined && !isRealDate(approveUntilDate)) {
    issues.push({
      path: joinPath(path, "approveUntilDate"),
      message: `must be a real date YYYY-MM-DD, got ${JSON.stringify(approveUntilDate)}`,
    });
  }
  if (os !== undefined && !supportsApprovalDelay(os)) {
    // AWS: "Not supported for Debian Server or Ubuntu Server" (API_PatchRule.html): these rules
    // approve by their filters alone.
    for (const key of ["approveAfterDays", "approveUntilDate"] as const) {
      if (obj[key] !== undefined) {
        issues.push({
          path: joinPath(path, key),
          message: `is not supported for ${os} approval rules; remove it (the rule approves what its filters match)`,
        });
      }
    }
  } else if (obj.approveAfterDays !== undefined && obj.approveUntilDate !== undefined) {
    issues.push({
      path,
      message: "set approveAfterDays or approveUntilDate, not both",
    });
  } else if (obj.approveAfterDays === undefined && obj.approveUntilDate === undefined) {
    issues.push({
      path,
      message: "needs approveAfterDays (0–360) or approveUntilDate (YYYY-MM-DD)",
    });
  }
  const complianceLevel = optionalEnum(obj, "complianceLevel", path, issues, COMPLIANCE_LEVELS);
  const enableNonSecurity = optionalBoolean(obj, "enableNonSecurity", path, issues);
  if (enableNonSecurity === true && os !== undefined && !supportsPatchSources(os)) {
    issues.push({
      path: joinPath(path, "enableNonSecurity"),
      message: `applies to Linux baselines only; remove it for ${os}`,
    });
  }
  const rule: ApprovalRuleSpec = {
    patchFilters,
    complianceLevel: complianceLevel ?? "UNSPECIFIED",
    enableNonSecurity: enableNonSecurity ?? false,
  };
  if (approveAfterDays !== undefined) rule.approveAfterDays = approveAfterDays;
  if (approveUntilDate !== undefined) rule.approveUntilDate = approveUntilDate;
  return rule;
}

export function parseSources(
  raw: unknown,
  path: string,
  os: OperatingSystem | undefined,
  issues: ConfigIssue[],
): PatchSourceSpec[] {
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) return [];
  if (os !== undefined && !supportsPatchSources(os)) {
    issues.push({
      path,
      message: `alternative patch sources apply to Linux only; remove them for ${os}`,
    });
    return [];
  }
  if (!Array.isArray(raw)) {
    issues.push({
      path,
      message: `must be a list of {name, products, configuration}, got ${describe(raw)}`,
    });
    return [];
  }
  if (raw.length > MAX_SOURCES) {
    issues.push({ path, message: `has ${raw.length} entries; at most ${MAX_SOURCES} are allowed` });
  }
  const out: PatchSourceSpec[] = [];
  // Array.from turns holes of sparse arrays into undefined, which is then reported.
  Array.from(raw as unknown[]).forEach((item: unknown, i) => {
    const p = indexPath(path, i);
    const obj = objectWithKnownKeys(item, p, SOURCE_KEYS, issues);
    if (obj === undefined) return;
    const name = optionalString(obj, "name", p, issues);
    if (name === undefined || !/^[a-zA-Z0-9_.-]{3,50}$/.test(name)) {
      issues.push({
        path: joinPath(p, "name"),
        message: `must be 3–50 characters of letters, digits, _ . -, got ${describe(obj.name)}`,
      });
    }
    const products = optionalStringList(obj, "products", p, issues, 20);
    if (products === undefined || products.length === 0) {
      issues.push({
        path: joinPath(p, "products"),
        message: 'must list at least one product, e.g. ["AmazonLinux2023"] or ["*"]',
      });
    }
    const configuration = optionalString(obj, "configuration", p, issues);
    if (configuration === undefined || configuration.trim() === "") {
      issues.push({
        path: joinPath(p, "configuration"),
        message: "must be the repository configuration (yum .repo or apt sources.list text)",
      });
    }
    if (name !== undefined && products !== undefined && configuration !== undefined) {
      out.push({ name, products, configuration });
    }
  });
  return out;
}
