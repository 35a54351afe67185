import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  conditionEntries,
  isAllow,
  parseDocument,
  servicePrincipals,
  type ConditionEntry,
} from "../iam";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, peek, q } from "../values";

const description =
  "Every IAM trust statement for ssm.amazonaws.com is limited to named accounts by " +
  "aws:SourceAccount and aws:SourceArn conditions.";

const SSM = "ssm.amazonaws.com";
const ACCOUNT_ID = /^\d{12}$/;

/**
 * Operators under which a condition limits the trust to the values it lists. Negated operators
 * (StringNotEquals...) match every other account, `...IfExists` also matches when the key is
 * absent, and the ForAnyValue:/ForAllValues: set operators are meant for multivalued keys
 * (ForAllValues: is true when the key is absent): none of them scope the trust.
 */
const SCOPING_OPERATORS: Record<string, readonly string[]> = {
  "aws:sourceaccount": ["stringequals", "stringlike", "arnequals", "arnlike"],
  "aws:sourcearn": ["arnequals", "arnlike", "stringequals", "stringlike"],
};

/** Why a value does not name one account, or undefined when it does. */
function valueProblem(
  key: "aws:SourceAccount" | "aws:SourceArn",
  value: string,
): string | undefined {
  if (key === "aws:SourceAccount") {
    return ACCOUNT_ID.test(value) ? undefined : `${q(value)} is not a 12-digit account id`;
  }
  // arn:partition:service:region:account-id:resource; ArnLike compares the fields one by one, so
  // a wildcard in the account field matches every account.
  const fields = value.split(":");
  if (fields.length < 6 || fields[0].toLowerCase() !== "arn") {
    return `${q(value)} is not an ARN with a 12-digit account id`;
  }
  return ACCOUNT_ID.test(fields[4])
    ? undefined
    : `${q(value)} has ${q(fields[4])} in its account field, not a 12-digit account id`;
}

/** What is wrong with the statement's scoping on `key`, or undefined when it scopes it. */
function keyProblem(
  entries: readonly ConditionEntry[],
  key: "aws:SourceAccount" | "aws:SourceArn",
): string | undefined {
  const mine = entries.filter((e) => e.key === key.toLowerCase());
  if (mine.length === 0) return `it has no ${key} condition`;
  const problems: string[] = [];
  for (const e of mine) {
    if (!SCOPING_OPERATORS[key.toLowerCase()].includes(e.operator.toLowerCase())) {
      const why = /Not/i.test(e.operator)
        ? "a negated operator"
        : /IfExists$/i.test(e.operator)
          ? "which also matches when the key is absent"
          : /^For(Any|All)Value/i.test(e.operator)
            ? "a set operator for multivalued keys"
            : "which does not compare it to an account";
      problems.push(`${key} is under ${e.operator}, ${why}`);
      continue;
    }
    if (e.values.length === 0) {
      problems.push(`${key} under ${e.operator} lists no value`);
      continue;
    }
    const bad = e.values.map((v) => valueProblem(key, v)).find((p) => p !== undefined);
    if (bad === undefined) return undefined;
    problems.push(`${key} under ${e.operator}: ${bad}`);
  }
  return problems.join(", ");
}

export const iamSsmTrustScoped: ResourceValidationPolicy = {
  name: "patchfleet-iam-ssm-trust-scoped",
  description,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.role) return;
    const subj = subject(args.type, args.name);
    const unknown = (what: string): void =>
      reportNotKnownYet(reportViolation, description, subj, what, args.urn);
    const doc = parseDocument(peek(args.props, "assumeRolePolicy"));
    if (doc.kind === "unknown") return unknown("its assumeRolePolicy");
    if (doc.kind === "invalid") {
      reportViolation(`${subj} has an assumeRolePolicy that cannot be read: ${doc.error}.`);
      return;
    }
    for (const s of doc.statements) {
      const allow = isAllow(s);
      const services = servicePrincipals(s);
      if (allow === UNKNOWN || services === UNKNOWN) {
        unknown(`the Effect or Principal of assumeRolePolicy ${s.label}`);
        continue;
      }
      if (!allow || !services.some((p) => p === "*" || p.toLowerCase() === SSM)) continue;
      const entries = conditionEntries(s);
      if (entries === UNKNOWN) {
        unknown(`the Condition of assumeRolePolicy ${s.label}`);
        continue;
      }
      const problems = (["aws:SourceAccount", "aws:SourceArn"] as const)
        .map((k) => keyProblem(entries, k))
        .filter((p) => p !== undefined);
      if (problems.length === 0) continue;
      // Unless both keys name this account, any account's automation could have SSM assume this
      // role on its behalf (the confused deputy problem).
      reportViolation(
        `${subj} trusts ${SSM} in assumeRolePolicy ${s.label} without scoping it to an ` +
          `account: ${problems.join("; ")}. Fix: add "StringEquals": {"aws:SourceAccount": ` +
          `"<account id>"} and "ArnLike": {"aws:SourceArn": ` +
          `"arn:<partition>:ssm:*:<account id>:automation-execution/*"}.`,
      );
    }
  },
};
