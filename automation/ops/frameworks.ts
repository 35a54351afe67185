/**
 * The controls a patch SLA report is evidence for. Evidence, never certification: a report shows
 * what SSM said about the nodes patchfleet could read, on one day; an assessor decides whether a
 * control is met. docs/compliance-frameworks.md has the table with each control's text and source.
 */
export interface ControlRef {
  framework: string;
  control: string;
  /** What the control asks, in short. */
  asks: string;
  /** Which figure of the report speaks to it. */
  evidence: string;
  source: string;
}

export const CONTROLS: readonly ControlRef[] = [
  {
    framework: "PCI DSS 4.0",
    control: "6.3.3",
    asks: "patches for critical vulnerabilities installed within one month of release; others within a time frame the entity sets by risk",
    evidence:
      "SLA breaches per severity (Critical SLA at most 30 days), release date and age per missing patch",
    source: "PCI DSS v4.0 Requirement 6.3.3 (PCI Security Standards Council)",
  },
  {
    framework: "NIST SP 800-53 Rev. 5",
    control: "SI-2",
    asks: "install security-relevant software and firmware updates within an organization-defined time period of their release (SI-2c)",
    evidence:
      "slaDays as the organization-defined periods; breaches, oldest breach and mean time to patch",
    source: "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final (control SI-2)",
  },
  {
    framework: "CIS Controls v8",
    control: "7.3 / 7.4",
    asks: "automated operating system (7.3) and application (7.4) patch management, monthly or more often",
    evidence: "last scan per node, stale scans and offline agents; compliance history over time",
    source: "https://www.cisecurity.org/controls/v8 (safeguards 7.3, 7.4)",
  },
  {
    framework: "AWS Security Hub",
    control: "SSM.2",
    asks: "EC2 instances managed by Systems Manager have patch compliance status COMPLIANT after a patch installation",
    evidence: "compliant / non-compliant nodes per account-region, from the same SSM patch states",
    source: "https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-2",
  },
];

/** One line per control, for text reports: "PCI DSS 4.0 6.3.3, NIST ... (evidence, not certification)". */
export function controlsLine(): string {
  return (
    CONTROLS.map((c) => `${c.framework} ${c.control}`).join(", ") +
    " (evidence for these controls, not certification)"
  );
}
