/**
 * Rule 2 of the pack (patchfleet-baseline-security-approval), shared with the stack policy that
 * follows patch groups to the baselines they are registered to.
 */
import {
  complianceRank,
  isOperatingSystem,
  securityCoverage,
  supportsApprovalDelay,
  type SecurityCoverage,
} from "../domain";
import type { BaselineRuleConfig } from "./config";
import { UNKNOWN, isUnknown, peek, peekArray, peekString, q, stringList } from "./values";

export type BaselineVerdict =
  { kind: "ok" } | { kind: "unknown"; what: string } | { kind: "fail"; reason: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "CLASSIFICATION Security and SEVERITY Critical": what a rule must select for this OS. */
export function coverageText(coverage: readonly SecurityCoverage[]): string {
  if (coverage.length === 0) return "any patches";
  return coverage.map((c) => `${c.key} ${c.anyOf.join(" or ")}`).join(" and ");
}

/** The filter values a rule or global filter list sets for `key`: undefined when not set. */
function filterValues(
  filters: readonly unknown[],
  key: string,
): string[] | typeof UNKNOWN | undefined {
  for (const f of filters) {
    if (isUnknown(f)) return UNKNOWN;
    const k = peekString(f, "key");
    if (k === UNKNOWN) return UNKNOWN;
    if (k === key) return stringList(peek(f, "values"));
  }
  return undefined;
}

/** Which of `anyOf` a filter lets through: all of them when absent or `*`. */
function admitted(values: string[] | undefined, anyOf: readonly string[]): readonly string[] {
  if (values === undefined || values.includes("*")) return anyOf;
  return anyOf.filter((v) => values.includes(v));
}

/**
 * Judge one baseline's inputs (raw values, see values.ts). `now` is injectable for tests.
 */
export function judgeBaseline(
  props: unknown,
  cfg: BaselineRuleConfig,
  now: number = Date.now(),
): BaselineVerdict {
  const osValue = peekString(props, "operatingSystem");
  if (osValue === UNKNOWN) return { kind: "unknown", what: "operatingSystem" };
  // The provider and the SSM API default a baseline's operating system to WINDOWS.
  const os = osValue ?? "WINDOWS";
  if (!isOperatingSystem(os)) {
    return {
      kind: "fail",
      reason: `operatingSystem ${q(os)} is not a Patch Manager operating system`,
    };
  }
  const coverage = securityCoverage(os);
  const globalFilters = peekArray(props, "globalFilters");
  if (globalFilters === UNKNOWN) return { kind: "unknown", what: "globalFilters" };
  const rules = peekArray(props, "approvalRules");
  if (rules === UNKNOWN) return { kind: "unknown", what: "approvalRules" };
  if (rules.length === 0) return { kind: "fail", reason: "it has no approval rules" };

  const minRank = complianceRank(cfg.minimumComplianceLevel);
  const reasons: string[] = [];
  let firstUnknown: string | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const path = `approvalRules[${i}]`;
    if (isUnknown(rule)) {
      firstUnknown ??= path;
      continue;
    }
    const problems: string[] = [];
    let unknownAt: string | undefined;

    const level = peekString(rule, "complianceLevel");
    if (level === UNKNOWN) unknownAt ??= `${path}.complianceLevel`;
    else {
      const effective = level ?? "UNSPECIFIED";
      if (complianceRank(effective) < minRank) {
        problems.push(`complianceLevel is ${effective}, below ${cfg.minimumComplianceLevel}`);
      }
    }

    const afterDays = peek(rule, "approveAfterDays");
    const untilDate = peek(rule, "approveUntilDate");
    if (!supportsApprovalDelay(os)) {
      // Ubuntu and Debian rules take no approval delay ("Not supported for Debian Server or
      // Ubuntu Server", API_PatchRule.html): the rule approves what its filters select, so there
      // is no delay to hold against the threshold.
    } else if (isUnknown(afterDays)) unknownAt ??= `${path}.approveAfterDays`;
    else if (typeof afterDays === "number") {
      if (afterDays > cfg.maxApproveAfterDays) {
        problems.push(`approveAfterDays is ${afterDays}, more than ${cfg.maxApproveAfterDays}`);
      }
    } else if (isUnknown(untilDate)) unknownAt ??= `${path}.approveUntilDate`;
    else if (typeof untilDate === "string") {
      const m = DATE.exec(untilDate);
      if (!m) problems.push(`approveUntilDate ${q(untilDate)} is not a YYYY-MM-DD date`);
      else {
        const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
        if (at < now - cfg.maxApproveAfterDays * DAY_MS) {
          problems.push(
            `approveUntilDate ${untilDate} is more than ${cfg.maxApproveAfterDays} days in the past`,
          );
        }
      }
    } else {
      problems.push("it sets neither approveAfterDays nor approveUntilDate");
    }

    const filters = peekArray(rule, "patchFilters");
    if (filters === UNKNOWN) unknownAt ??= `${path}.patchFilters`;
    else {
      for (const c of coverage) {
        const ruleValues = filterValues(filters, c.key);
        const globalValues = filterValues(globalFilters, c.key);
        if (ruleValues === UNKNOWN) {
          unknownAt ??= `${path}.patchFilters`;
          continue;
        }
        if (globalValues === UNKNOWN) {
          unknownAt ??= "globalFilters";
          continue;
        }
        const byRule = admitted(ruleValues, c.anyOf);
        if (byRule.length === 0) {
          problems.push(
            `patch filter ${c.key} selects ${(ruleValues ?? []).join(", ")}, not ${c.anyOf.join(" or ")}`,
          );
          continue;
        }
        const both = admitted(globalValues, byRule);
        if (both.length === 0) {
          problems.push(
            `global filter ${c.key} selects ${(globalValues ?? []).join(", ")}, not ${byRule.join(" or ")}`,
          );
        }
      }
    }

    if (problems.length === 0 && unknownAt === undefined) return { kind: "ok" };
    if (problems.length === 0) firstUnknown ??= unknownAt;
    else reasons.push(`rule ${i + 1}: ${problems.join(", ")}`);
  }
  if (firstUnknown !== undefined) return { kind: "unknown", what: firstUnknown };
  return { kind: "fail", reason: reasons.join("; ") };
}

/** How to fix a failing baseline, as a clause without a final period. */
export function baselineFix(props: unknown, cfg: BaselineRuleConfig): string {
  const os = peekString(props, "operatingSystem");
  const coverage =
    typeof os === "string" && isOperatingSystem(os)
      ? securityCoverage(os)
      : os === undefined
        ? securityCoverage("WINDOWS")
        : [];
  const delay =
    typeof os === "string" && isOperatingSystem(os) && !supportsApprovalDelay(os)
      ? ""
      : ` with approveAfterDays at most ${cfg.maxApproveAfterDays} and`;
  return (
    `add an approval rule that selects ${coverageText(coverage)}${delay === "" ? " with" : delay} ` +
    `complianceLevel ${cfg.minimumComplianceLevel} or above`
  );
}
