import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  maintenanceWindowRateControlSchema,
  readConfig,
  type MaintenanceWindowRateControlConfig,
} from "../config";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekString, q } from "../values";

const description =
  "Maintenance window tasks that patch set maxConcurrency and maxErrors within the configured " +
  "bounds.";

// The patterns SSM applies to MaxConcurrency and MaxErrors of a maintenance window task.
const CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

function isPatchTask(taskArn: string, documents: readonly string[]): boolean {
  return documents.some((d) => taskArn === d || taskArn.endsWith(`/${d}`));
}

export const maintenanceWindowRateControl: ResourceValidationPolicy = {
  name: "patchfleet-maintenance-window-rate-control",
  description,
  enforcementLevel: "mandatory",
  configSchema: maintenanceWindowRateControlSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.maintenanceWindowTask) return;
    const cfg = readConfig<MaintenanceWindowRateControlConfig>(
      args,
      maintenanceWindowRateControlSchema,
    );
    const subj = subject(args.type, args.name);
    const unknown = (what: string): void =>
      reportNotKnownYet(reportViolation, description, subj, what, args.urn);
    const taskArn = peekString(args.props, "taskArn");
    if (taskArn === UNKNOWN) return unknown("its taskArn");
    if (taskArn === undefined || !isPatchTask(taskArn, cfg.patchDocuments)) return;

    const check = (
      field: "maxConcurrency" | "maxErrors",
      pattern: RegExp,
      maxPercent: number,
      maxCount: number,
      example: string,
      why: string,
    ): void => {
      const value = peek(args.props, field);
      if (isUnknown(value)) return unknown(`its ${field}`);
      if (value === undefined || value === "") {
        reportViolation(
          `${subj} runs ${taskArn} without ${field}. Fix: set ${field} (for example ` +
            `${q(example)}) ${why}.`,
        );
        return;
      }
      const text = String(value);
      if (!pattern.test(text)) {
        reportViolation(
          `${subj} sets ${field} ${q(text)}, which SSM rejects. Fix: use a count such as "10" ` +
            `or a percentage such as "10%".`,
        );
        return;
      }
      const percent = text.endsWith("%");
      const n = Number(percent ? text.slice(0, -1) : text);
      const limit = percent ? maxPercent : maxCount;
      if (n > limit) {
        const configKey = `${field}${percent ? "Percent" : "Count"}`;
        reportViolation(
          `${subj} sets ${field} ${q(text)}, above the limit of ` +
            `${percent ? `${limit}%` : `${limit} targets`}. Fix: lower it, or raise ` +
            `${configKey} in the policy config.`,
        );
      }
    };
    check(
      "maxConcurrency",
      CONCURRENCY,
      cfg.maxConcurrencyPercent,
      cfg.maxConcurrencyCount,
      "10%",
      "so patching never takes down every target at once",
    );
    check(
      "maxErrors",
      ERRORS,
      cfg.maxErrorsPercent,
      cfg.maxErrorsCount,
      "5%",
      "so patching stops when targets start failing",
    );
  },
};
