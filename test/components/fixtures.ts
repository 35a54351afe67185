/** Config fixtures shared by the component tests. */
import * as fs from "fs";
import * as YAML from "yaml";
import { ConfigError, parseAccountConfig } from "../../components/config";
import type { AccountConfig } from "../../components/types";
import { repoPath } from "../helpers/repo-paths";

export const CENTRAL = "111111111111";
export const MEMBER_A = "222222222222";
export const MEMBER_B = "333333333333";

/** A small valid central config (raw stack config object), fresh on every call. */
export function rawCentral(): Record<string, unknown> {
  return {
    role: "central",
    accountId: CENTRAL,
    regions: ["us-east-1"],
    memberAccountIds: [MEMBER_A, MEMBER_B],
    patchGroups: {
      web: {
        operatingSystem: "AMAZON_LINUX_2023",
        defaultForOperatingSystem: true,
        approvalRules: [
          {
            patchFilters: [
              { key: "CLASSIFICATION", values: ["Security"] },
              { key: "SEVERITY", values: ["Critical", "Important"] },
            ],
            approveAfterDays: 7,
            complianceLevel: "CRITICAL",
          },
        ],
      },
      win: {
        operatingSystem: "WINDOWS",
        approvalRules: [
          {
            patchFilters: [{ key: "MSRC_SEVERITY", values: ["Critical"] }],
            approveUntilDate: "2026-02-28",
          },
        ],
      },
    },
  };
}

export function rawMember(): Record<string, unknown> {
  const raw = rawCentral();
  raw.role = "member";
  raw.accountId = MEMBER_A;
  raw.centralAccountId = CENTRAL;
  delete raw.memberAccountIds;
  return raw;
}

export function config(raw: Record<string, unknown>): AccountConfig {
  return parseAccountConfig(raw);
}

/** The `patchfleet:` namespace of Pulumi.example.yaml as a raw object. */
export function exampleRaw(): Record<string, unknown> {
  const file = repoPath("Pulumi.example.yaml");
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.config)) {
    if (key.startsWith("patchfleet:")) raw[key.slice("patchfleet:".length)] = value;
  }
  return raw;
}

/** The issues parseAccountConfig reports for `raw` as "path: message" lines; fails if it accepts. */
export function issuesOf(raw: unknown): string[] {
  try {
    parseAccountConfig(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}
