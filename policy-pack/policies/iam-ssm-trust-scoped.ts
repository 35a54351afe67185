import type { ResourceValidationPolicy } from "@pulumi/policy";
import { conditionKeys, isAllow, parseDocument, servicePrincipals } from "../iam";
import { reportUnknown } from "../report";
import { TYPES, subject } from "../resources";
import { UNKNOWN, peek } from "../values";

const description =
  "Every IAM trust statement for ssm.amazonaws.com carries aws:SourceAccount and aws:SourceArn " +
  "conditions.";

const SSM = "ssm.amazonaws.com";
const REQUIRED = ["aws:SourceAccount", "aws:SourceArn"];

export const iamSsmTrustScoped: ResourceValidationPolicy = {
  name: "patchfleet-iam-ssm-trust-scoped",
  description,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.role) return;
    const subj = subject(args.type, args.name);
    const unknown = (what: string): void =>
      reportUnknown(
        reportViolation,
        description,
        `${subj} cannot be checked during preview: ${what} is not known yet. It is checked ` +
          `again once the value is known.`,
        args.urn,
      );
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
      const keys = conditionKeys(s);
      if (keys === UNKNOWN) {
        unknown(`the Condition of assumeRolePolicy ${s.label}`);
        continue;
      }
      const missing = REQUIRED.filter((k) => !keys.has(k.toLowerCase()));
      if (missing.length === 0) continue;
      // Without both keys any account's automation could have SSM assume this role on its
      // behalf (the confused deputy problem).
      reportViolation(
        `${subj} trusts ${SSM} in assumeRolePolicy ${s.label} without ` +
          `${missing.join(" and ")} condition${missing.length === 1 ? "" : "s"}. Fix: add ` +
          `"StringEquals": {"aws:SourceAccount": "<account id>"} and "ArnLike": ` +
          `{"aws:SourceArn": "arn:<partition>:ssm:*:<account id>:automation-execution/*"}.`,
      );
    }
  },
};
