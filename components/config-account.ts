/**
 * Validation of the account-level stack config: account ids, regions, tags, the resource group tag.
 */
import {
  ACCOUNT_ID_PATTERN,
  AWS_REGIONS,
  DEFAULT_RESOURCE_GROUP_TAG,
  isAwsRegion,
  partitionOf,
} from "../domain";
import {
  type ConfigIssue,
  type PlainObject,
  describe,
  indexPath,
  isPlainObject,
  joinPath,
  objectWithKnownKeys,
  optionalString,
} from "./config-util";
import type { AccountRole } from "./types";

export function accountId(value: unknown, path: string, issues: ConfigIssue[]): string | undefined {
  if (typeof value === "string" && ACCOUNT_ID_PATTERN.test(value)) return value;
  if (typeof value === "number") {
    issues.push({
      path,
      message: `must be a 12-digit account id written as a quoted string, got the number ${value}; quote it ("012345678901") so leading zeros survive`,
    });
  } else {
    issues.push({ path, message: `must be a 12-digit account id, got ${describe(value)}` });
  }
  return undefined;
}

export function parseRegions(raw: unknown, path: string, issues: ConfigIssue[]): string[] {
  if (raw === undefined) {
    issues.push({
      path,
      message: 'is required: a list of regions, home region first, e.g. ["us-east-1", "eu-west-1"]',
    });
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    issues.push({
      path,
      message: `must be a non-empty list of region names, got ${describe(raw)}`,
    });
    return [];
  }
  const out: string[] = [];
  // Array.from turns holes of sparse arrays into undefined, which is then reported.
  Array.from(raw as unknown[]).forEach((item: unknown, i) => {
    const p = indexPath(path, i);
    if (!isAwsRegion(item)) {
      issues.push({
        path: p,
        message: `${describe(item)} is not a region with Systems Manager; use one of ${AWS_REGIONS.join(", ")}`,
      });
    } else if (out.includes(item)) {
      issues.push({ path: p, message: `${item} is listed twice; list each region once` });
    } else if (out.length > 0 && partitionOf(item) !== partitionOf(out[0] as string)) {
      issues.push({
        path: p,
        message: `${item} is in partition ${partitionOf(item)} but the home region ${out[0]} is in ${partitionOf(out[0] as string)}; one account's regions share a partition`,
      });
    } else {
      out.push(item);
    }
  });
  return out;
}

export function parseTags(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  if (!isPlainObject(raw)) {
    issues.push({ path, message: `must be a map of tag key → string value, got ${describe(raw)}` });
    return out;
  }
  const entries = Object.entries(raw);
  if (entries.length > 45) {
    issues.push({
      path,
      message: `has ${entries.length} tags; at most 45 are allowed (AWS allows 50, patchfleet keeps 5 spare)`,
    });
  }
  for (const [key, value] of entries) {
    const p = joinPath(path, key);
    if (
      key.length === 0 ||
      key.length > 128 ||
      key.toLowerCase().startsWith("aws:") ||
      key === "__proto__"
    ) {
      issues.push({
        path: p,
        message: "tag keys must be 1–128 characters and must not start with aws:",
      });
    } else if (typeof value !== "string" || value.length > 256) {
      issues.push({
        path: p,
        message: `must be a string of at most 256 characters, got ${describe(value)}`,
      });
    } else {
      out[key] = value;
    }
  }
  return out;
}

export function parseResourceGroupTag(
  raw: unknown,
  issues: ConfigIssue[],
): { key: string; value: string } {
  if (raw === undefined) return { ...DEFAULT_RESOURCE_GROUP_TAG };
  const obj = objectWithKnownKeys(raw, "resourceGroupTag", ["key", "value"], issues);
  if (obj === undefined) return { ...DEFAULT_RESOURCE_GROUP_TAG };
  const key = optionalString(obj, "key", "resourceGroupTag", issues);
  const value = optionalString(obj, "value", "resourceGroupTag", issues);
  if (key === undefined || key.length === 0 || key.length > 128) {
    issues.push({
      path: "resourceGroupTag.key",
      message: `must be a tag key of 1–128 characters, got ${describe(obj.key)}`,
    });
  }
  if (value === undefined || value.length > 256) {
    issues.push({
      path: "resourceGroupTag.value",
      message: `must be a tag value of at most 256 characters, got ${describe(obj.value)}`,
    });
  }
  return {
    key: key ?? DEFAULT_RESOURCE_GROUP_TAG.key,
    value: value ?? DEFAULT_RESOURCE_GROUP_TAG.value,
  };
}

export function parseAccounts(
  obj: PlainObject,
  role: AccountRole | undefined,
  self: string | undefined,
  issues: ConfigIssue[],
) {
  let central: string | undefined;
  if (obj.centralAccountId !== undefined)
    central = accountId(obj.centralAccountId, "centralAccountId", issues);
  if (role === "member" && obj.centralAccountId === undefined) {
    issues.push({
      path: "centralAccountId",
      message: "is required for a member account: the 12-digit id of the central account",
    });
  }
  if (role === "member" && central !== undefined && central === self) {
    issues.push({
      path: "centralAccountId",
      message:
        "equals accountId; a member's central account is another account (use role: central for the central account)",
    });
  }
  if (role === "central" && central !== undefined && self !== undefined && central !== self) {
    issues.push({
      path: "centralAccountId",
      message: `must equal accountId (${self}) for the central account, or be left out`,
    });
  }
  const members: string[] = [];
  const raw = obj.memberAccountIds;
  if (raw !== undefined) {
    if (role === "member") {
      issues.push({
        path: "memberAccountIds",
        message: "only the central account lists member accounts; remove it here",
      });
    } else if (!Array.isArray(raw)) {
      issues.push({
        path: "memberAccountIds",
        message: `must be a list of 12-digit account ids, got ${describe(raw)}`,
      });
    } else {
      // Array.from turns holes of sparse arrays into undefined, which is then reported.
      Array.from(raw as unknown[]).forEach((item: unknown, i) => {
        const p = indexPath("memberAccountIds", i);
        const id = accountId(item, p, issues);
        if (id === undefined) return;
        if (id === self)
          issues.push({
            path: p,
            message: "is the central account itself; list only member accounts",
          });
        else if (members.includes(id))
          issues.push({ path: p, message: `${id} is listed twice; list each account once` });
        else members.push(id);
      });
    }
  }
  return { central: role === "central" ? self : central, members };
}
