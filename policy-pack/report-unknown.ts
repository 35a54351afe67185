import type { ReportViolation } from "@pulumi/policy";

/**
 * Report that a resource cannot be checked yet because a value it depends on is unknown (first
 * preview of a new stack). @pulumi/policy's server accepts an object in place of the message string
 * and then takes the enforcement level from it; we use that to report "not known yet" as advisory,
 * so a value that will only exist after the update never blocks it as a false violation. The
 * description is prefixed by hand because the object form, unlike the string form, does not add it.
 */
export function reportUnknown(
  reportViolation: ReportViolation,
  description: string,
  message: string,
  urn?: string,
): void {
  const report = reportViolation as unknown as (violation: {
    message: string;
    urn?: string;
    enforcementLevel: "advisory";
  }) => void;
  report({ message: `${description}\n${message}`, urn, enforcementLevel: "advisory" });
}

/** How every "not known yet" note ends. */
export const NOT_KNOWN_YET = " is not known yet. It is checked again once the value is known.";

/** Reports that `subj` cannot be checked on this preview because `what` is not known yet. */
export function reportNotKnownYet(
  reportViolation: ReportViolation,
  description: string,
  subj: string,
  what: string,
  urn?: string,
): void {
  reportUnknown(
    reportViolation,
    description,
    `${subj} cannot be checked during preview: ${what}${NOT_KNOWN_YET}`,
    urn,
  );
}
