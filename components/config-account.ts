/**
 * Validation of the account-level stack config: account ids, regions, tags, the resource group tag.
 */
import { ACCOUNT_ID_PATTERN, AWS_REGIONS, DEFAULT_RESOURCE_GROUP_TAG } from "../domain";
import {
  type ConfigIssue,
  type PlainObject,
  describe,
  indexPath,
  objectWithKnownKeys,
  optionalString,
} from "./config-util";
import { parseRegionList, parseTagMap, resourceGroupTagKeyProblem } from "./config-rules";
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
  return parseRegionList(raw, path, issues, {
    required: 'is required: a list of regions, home region first, e.g. ["us-east-1", "eu-west-1"]',
    notList: "must be a non-empty list of region names",
    notRegion: (item) =>
      `${describe(item)} is not a region with Systems Manager; use one of ${AWS_REGIONS.join(", ")}`,
  });
}

export function parseTags(
  raw: unknown,
  path: string,
  issues: ConfigIssue[],
): Record<string, string> {
  return parseTagMap(raw, path, issues, { refuseProtoKey: true });
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
  const keyProblem = resourceGroupTagKeyProblem(key ?? obj.key);
  if (keyProblem !== undefined) issues.push({ path: "resourceGroupTag.key", message: keyProblem });
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
