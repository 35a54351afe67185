/**
 * The `notifications` settings (stack config key and fleet file section alike): where alerts go and
 * which statuses raise them. Every problem is recorded with its path and the fix.
 */
import { AUTOMATION_STATUSES, COMMAND_NOTIFICATION_EVENTS, partitionOf } from "../domain";
import { alertPolicyProblem } from "./alert-policies";
import {
  type ConfigIssue,
  describe,
  indexPath,
  joinPath,
  objectWithKnownKeys,
  optionalString,
} from "./config-util";
import type { NotificationsSpec } from "./types";

export const NOTIFICATIONS_KEYS = [
  "topicName",
  "commandEvents",
  "automationStatuses",
  "emails",
] as const;

export const DEFAULT_ALERT_TOPIC_NAME = "patchfleet-alerts";
export const DEFAULT_COMMAND_EVENTS: readonly string[] = ["Failed", "TimedOut"];
/** A single-account run ends Failed or TimedOut; a multi-account parent CompletedWithFailure. */
export const DEFAULT_AUTOMATION_STATUSES: readonly string[] = [
  "Failed",
  "TimedOut",
  "CompletedWithFailure",
];

/**
 * SNS CreateTopic: "Topic names must be made up of only uppercase and lowercase ASCII letters,
 * numbers, underscores, and hyphens, and must be between 1 and 256 characters long." FIFO topics
 * (`.fifo`) are refused here too: Run Command notifications do not support them.
 * https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-sns-notifications.html
 */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/** A plain address check: something@domain.tld, no spaces; SNS confirms the real address. */
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function statusList(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  allowed: readonly string[],
  fallback: readonly string[],
  issues: ConfigIssue[],
): string[] {
  const raw = obj[key];
  const p = joinPath(path, key);
  if (raw === undefined || raw === null) return [...fallback];
  if (!Array.isArray(raw) || raw.length === 0) {
    const got = Array.isArray(raw) ? "an empty list" : describe(raw);
    issues.push({
      path: p,
      message: `must list at least one of ${allowed.join(", ")}, got ${got}; leave it out for the default ${fallback.join(", ")}`,
    });
    return [...fallback];
  }
  const out: string[] = [];
  raw.forEach((item: unknown, i) => {
    if (typeof item !== "string" || !allowed.includes(item)) {
      issues.push({
        path: indexPath(p, i),
        message: `must be one of ${allowed.join(", ")}, got ${describe(item)}`,
      });
    } else if (out.includes(item)) {
      issues.push({ path: indexPath(p, i), message: `${item} is listed twice; list it once` });
    } else out.push(item);
  });
  return out;
}

/**
 * The validated notifications settings, or undefined when the section is absent (no alerts); an
 * empty map (`notifications: {}`) turns alerts on with every default.
 */
export function parseNotifications(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): NotificationsSpec | undefined {
  if (raw === undefined || raw === null) return undefined;
  const obj = objectWithKnownKeys(raw, path, NOTIFICATIONS_KEYS, issues, {
    what: "notification settings (topicName, commandEvents, automationStatuses, emails)",
    suggest: true,
  });
  if (obj === undefined) return undefined;
  let topicName = DEFAULT_ALERT_TOPIC_NAME;
  const name = optionalString(obj, "topicName", path, issues);
  if (name !== undefined) {
    if (TOPIC_NAME_PATTERN.test(name)) topicName = name;
    else {
      issues.push({
        path: joinPath(path, "topicName"),
        message: `must be 1–256 letters, digits, _ and - (a standard SNS topic name; FIFO topics are not supported by Run Command notifications), got ${describe(name)}`,
      });
    }
  }
  const commandEvents = statusList(
    obj,
    "commandEvents",
    path,
    COMMAND_NOTIFICATION_EVENTS,
    DEFAULT_COMMAND_EVENTS,
    issues,
  );
  const automationStatuses = statusList(
    obj,
    "automationStatuses",
    path,
    AUTOMATION_STATUSES,
    DEFAULT_AUTOMATION_STATUSES,
    issues,
  );
  const emails: string[] = [];
  const rawEmails = obj.emails;
  if (rawEmails !== undefined && rawEmails !== null) {
    const p = joinPath(path, "emails");
    if (!Array.isArray(rawEmails)) {
      issues.push({
        path: p,
        message: `must be a list of email addresses, e.g. [ops@example.com], got ${describe(rawEmails)}`,
      });
    } else {
      rawEmails.forEach((item: unknown, i) => {
        if (typeof item === "string" && EMAIL_PATTERN.test(item)) {
          if (!emails.includes(item)) emails.push(item);
        } else {
          issues.push({
            path: indexPath(p, i),
            message: `must be an email address like ops@example.com, got ${describe(item)}`,
          });
        }
      });
    }
  }
  return { topicName, commandEvents, automationStatuses, emails };
}

/** Undefined when the central account's alert policies fit SNS's and KMS's limits. */
export function notificationsProblem(
  spec: NotificationsSpec,
  regions: string[],
  centralAccountId: string,
  memberAccountIds: string[],
  organizationId?: string,
): string | undefined {
  return alertPolicyProblem(
    {
      partition: partitionOf(regions[0] as string),
      centralAccountId,
      accountIds: [centralAccountId, ...memberAccountIds],
      organizationId,
    },
    regions,
    spec.topicName,
  );
}
