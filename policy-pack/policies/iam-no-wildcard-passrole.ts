import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  conditionEntries,
  everyRoleResources,
  grantingAction,
  isAllow,
  parseDocument,
  type ConditionEntry,
} from "../iam";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekArray, q } from "../values";

const description =
  "No IAM role inline policy or managed policy allows iam:PassRole on every role or to every " +
  "service.";

/** Operators under which iam:PassedToService limits the services a role may be passed to. */
const LIMITING = ["stringequals", "stringequalsignorecase", "stringlike"];

/**
 * Why a PassRole statement's conditions do not limit the receiving service, or undefined when
 * they do. Negated operators allow every other service, `...IfExists` and set operators also
 * match when the key is absent or for any value.
 */
function passedToServiceProblem(entries: readonly ConditionEntry[]): string | undefined {
  const mine = entries.filter((e) => e.key === "iam:passedtoservice");
  if (mine.length === 0) return "without an iam:PassedToService condition";
  const problems: string[] = [];
  for (const e of mine) {
    if (!LIMITING.includes(e.operator.toLowerCase())) {
      problems.push(`${e.operator}, which does not limit the service`);
    } else if (e.values.length === 0) {
      problems.push(`${e.operator} with no value`);
    } else if (e.values.some((v) => /^[*?]+$/.test(v))) {
      problems.push(
        `${e.operator} ${q(e.values.find((v) => /^[*?]+$/.test(v)))}, which matches every service`,
      );
    } else {
      return undefined;
    }
  }
  return `with iam:PassedToService only under ${problems.join(" and ")}`;
}

export const iamNoWildcardPassRole: ResourceValidationPolicy = {
  name: "patchfleet-iam-no-wildcard-passrole",
  description,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const subj = subject(args.type, args.name);
    const documents: { where: string; value: unknown }[] = [];
    if (args.type === TYPES.role) {
      const inline = peekArray(args.props, "inlinePolicies");
      if (inline === UNKNOWN) documents.push({ where: "inlinePolicies", value: inline });
      else {
        inline.forEach((p, i) => {
          const name = peek(p, "name");
          const where =
            typeof name === "string" && !isUnknown(name)
              ? `inline policy ${q(name)}`
              : `inlinePolicies[${i}]`;
          documents.push({ where, value: isUnknown(p) ? p : peek(p, "policy") });
        });
      }
    } else if (args.type === TYPES.rolePolicy || args.type === TYPES.policy) {
      documents.push({ where: "policy", value: peek(args.props, "policy") });
    } else {
      return;
    }
    const unknown = (what: string): void =>
      reportNotKnownYet(reportViolation, description, subj, what, args.urn);
    for (const { where, value } of documents) {
      if (value === undefined) continue;
      const doc = parseDocument(value);
      if (doc.kind === "unknown") {
        unknown(`its ${where}`);
        continue;
      }
      if (doc.kind === "invalid") {
        reportViolation(`${subj} has a ${where} that cannot be read: ${doc.error}.`);
        continue;
      }
      for (const s of doc.statements) {
        const allow = isAllow(s);
        const action = allow === true ? grantingAction(s, "iam:PassRole") : undefined;
        if (allow === UNKNOWN || action === UNKNOWN) {
          unknown(`the Effect or Action of ${where} ${s.label}`);
          continue;
        }
        if (action === undefined) continue;
        const via = action === "NotAction" ? "through NotAction" : `through action ${q(action)}`;
        const wide = everyRoleResources(s);
        const entries = conditionEntries(s);
        if (wide === UNKNOWN || entries === UNKNOWN) {
          unknown(`the Resource or Condition of ${where} ${s.label}`);
          continue;
        }
        if (wide.length > 0) {
          const on =
            wide[0] === "NotResource"
              ? "every resource outside NotResource"
              : wide.map((r) => q(r)).join(", ");
          reportViolation(
            `${subj} allows iam:PassRole on ${on} in ${where} ${s.label} (${via}), so it can ` +
              `hand any role in the account to a service. Fix: limit Resource to the ARNs of ` +
              `the roles patching passes and add an iam:PassedToService condition.`,
          );
        }
        const problem = passedToServiceProblem(entries);
        if (problem !== undefined) {
          // Without it the role can be handed to any service that accepts roles (EC2, Lambda,
          // CloudFormation...), not just the one patching uses.
          reportViolation(
            `${subj} allows iam:PassRole in ${where} ${s.label} (${via}) ${problem}, so the ` +
              `roles it covers can be passed to any service. Fix: add "StringEquals": ` +
              `{"iam:PassedToService": "ssm.amazonaws.com"} (the service the roles are for).`,
          );
        }
      }
    }
  },
};
