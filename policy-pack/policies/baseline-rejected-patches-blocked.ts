import type { ResourceValidationPolicy } from "@pulumi/policy";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, peekArray, peekString, q } from "../values";

const description =
  "Patch baselines block rejected patches outright instead of allowing them as dependencies.";

export const baselineRejectedPatchesBlocked: ResourceValidationPolicy = {
  name: "patchfleet-baseline-rejected-patches-blocked",
  description,
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.patchBaseline) return;
    const subj = subject(args.type, args.name);
    const rejected = peekArray(args.props, "rejectedPatches");
    const action = peekString(args.props, "rejectedPatchesAction");
    if (rejected === UNKNOWN || (rejected.length > 0 && action === UNKNOWN)) {
      const what = rejected === UNKNOWN ? "rejectedPatches" : "rejectedPatchesAction";
      reportNotKnownYet(reportViolation, description, subj, what, args.urn);
      return;
    }
    if (rejected.length === 0 || action === "BLOCK") return;
    // SSM's default for rejectedPatchesAction is ALLOW_AS_DEPENDENCY: a rejected package still
    // gets installed when another package needs it.
    const shown = action === undefined ? "unset (SSM default ALLOW_AS_DEPENDENCY)" : q(action);
    reportViolation(
      `${subj} rejects ${rejected.length} patch${rejected.length === 1 ? "" : "es"} but its ` +
        `rejectedPatchesAction is ${shown}, so a rejected patch is still installed when another ` +
        `package depends on it. Fix: set rejectedPatchesAction to "BLOCK".`,
    );
  },
};
