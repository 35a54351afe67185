import type { ResourceValidationPolicy } from "@pulumi/policy";
import { grantingAction, isAllow, onEveryResource, parseDocument } from "../iam";
import { reportUnknown } from "../report";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekArray, q } from "../values";

const description =
  "No IAM role inline policy or managed policy allows iam:PassRole on every resource.";

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
      reportUnknown(
        reportViolation,
        description,
        `${subj} cannot be checked during preview: ${what} is not known yet. It is checked ` +
          `again once the value is known.`,
        args.urn,
      );
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
        const everywhere = action !== undefined ? onEveryResource(s) : false;
        if (allow === UNKNOWN || action === UNKNOWN || everywhere === UNKNOWN) {
          unknown(`the Effect, Action or Resource of ${where} ${s.label}`);
          continue;
        }
        if (action === undefined || !everywhere) continue;
        const via = action === "NotAction" ? "through NotAction" : `through action ${q(action)}`;
        const on =
          peek(s.raw, "NotResource") !== undefined ? "every resource outside NotResource" : '"*"';
        reportViolation(
          `${subj} allows iam:PassRole on ${on} in ${where} ${s.label} (${via}), so it can hand ` +
            `any role in the account to a service. Fix: limit Resource to the ARNs of the roles ` +
            `patching passes and add an iam:PassedToService condition.`,
        );
      }
    }
  },
};
