import type { ResourceValidationPolicy } from "@pulumi/policy";
import { baselineFix, judgeBaseline } from "../baseline-rules";
import {
  baselineSecurityApprovalSchema,
  readConfig,
  type BaselineSecurityApprovalConfig,
} from "../config";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { peekString } from "../values";

const description =
  "Every patch baseline auto-approves security and critical patches for its operating system " +
  "quickly and at a high compliance level.";

export const baselineSecurityApproval: ResourceValidationPolicy = {
  name: "patchfleet-baseline-security-approval",
  description,
  enforcementLevel: "mandatory",
  configSchema: baselineSecurityApprovalSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.patchBaseline) return;
    const cfg = readConfig<BaselineSecurityApprovalConfig>(args, baselineSecurityApprovalSchema);
    const v = judgeBaseline(args.props, cfg);
    const subj = subject(args.type, args.name);
    if (v.kind === "unknown") {
      reportNotKnownYet(reportViolation, description, subj, v.what, args.urn);
    } else if (v.kind === "fail") {
      const os = peekString(args.props, "operatingSystem");
      reportViolation(
        `${subj} (${typeof os === "string" ? os : "WINDOWS"}) does not auto-approve security ` +
          `and critical patches within ${cfg.maxApproveAfterDays} days at compliance level ` +
          `${cfg.minimumComplianceLevel} or above: ${v.reason}. Fix: ${baselineFix(args.props, cfg)}.`,
      );
    }
  },
};
