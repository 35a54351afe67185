import { createHash } from "crypto";
/** A fleet built directly (no parser) and a fake AWS wired to it, for fleet-operation tests. */
import type { Fleet, FleetAccount } from "../../automation/fleet/types";
import { FakeAws, FakeInstance } from "./fake-aws";

export const CENTRAL = "111111111111";
export const CENTRAL_KEY = "AKIACENTRAL0000001";

export function member(account: string, regions: string[], extra: Partial<FleetAccount> = {}) {
  return {
    account,
    name: `acct-${account.slice(0, 3)}`,
    regions,
    readRole: `arn:aws:iam::${account}:role/patchfleet-read`,
    patchGroups: {},
    ...extra,
  } satisfies FleetAccount;
}

export function makeFleet(members: FleetAccount[], extra: Partial<Fleet> = {}): Fleet {
  return {
    file: "/tmp/patchfleet-test/fleet.yaml",
    project: "patchfleet",
    central: {
      account: CENTRAL,
      name: "central",
      regions: ["us-east-1"],
      operationsRole: `arn:aws:iam::${CENTRAL}:role/patchfleet-operations`,
      patchGroups: {},
    },
    members,
    resourceGroupTag: { key: "ssm-linuxpatching", value: "True" },
    resourceGroupName: "patchfleet-patch-targets",
    administrationRoleName: "AWS-SystemsManager-AutomationAdministrationRole",
    executionRoleName: "AWS-SystemsManager-AutomationExecutionRole",
    runbookName: "patchfleet-patch",
    logBucketName: "patchfleet-logs-111111111111",
    maintenanceWindows: {},
    rollout: {
      maxConcurrent: { kind: "count", value: 2 },
      failureTolerance: { kind: "count", value: 0 },
    },
    backend: "file://./.patchfleet/state",
    tags: {},
    ...extra,
  };
}

/**
 * Registers every role of the fleet with the fake (central operations role, member read roles), and
 * the fleet's resource group in every account-region it patches (central and members).
 */
export function registerRoles(fake: FakeAws, fleet: Fleet): void {
  fake.baseKeys.set(CENTRAL_KEY, CENTRAL);
  for (const m of [fleet.central, ...fleet.members]) {
    for (const r of m.regions)
      fake.resourceGroups.add(`${m.account}/${r}/${fleet.resourceGroupName}`);
  }
  for (const a of [fleet.central, ...fleet.members]) {
    for (const arn of [a.operationsRole, a.readRole]) {
      if (arn) fake.roles.set(arn, { account: a.account, externalId: a.externalId });
    }
  }
}

/**
 * A managed node id SSM accepts: "i-" and 17 word characters (InstanceId pattern
 * `(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)` in the botocore ssm model), unique per prefix and index.
 */
export function instanceId(prefix: string, i: number): string {
  const tag = createHash("sha256").update(prefix).digest("hex").slice(0, 9);
  return `i-${tag}${String(i).padStart(8, "0")}`;
}

/** `count` instances with predictable ids and counts; every third one misses patches. */
export function makeInstances(prefix: string, count: number): FakeInstance[] {
  const out: FakeInstance[] = [];
  for (let i = 0; i < count; i++) {
    const bad = i % 3 === 0;
    out.push({
      id: instanceId(prefix, i),
      name: `host-${prefix}-${i}`,
      platform: i % 2 === 0 ? "Amazon Linux" : "Ubuntu",
      patchGroup: i % 2 === 0 ? "al2023-prod" : "ubuntu-prod",
      installed: 10 + (i % 7),
      missing: bad ? 2 : 0,
      failed: bad && i % 2 === 0 ? 1 : 0,
      critical: bad ? 1 : 0,
      security: bad ? 2 : 0,
      operation: "Scan",
      operationEnd: new Date(Date.UTC(2026, 10, 20, 3, i % 60)),
      patches: bad
        ? [
            { title: `openssl fix ${i}`, kbId: `ALAS-${i}`, state: "MISSING" },
            { title: `kernel fix ${i}`, kbId: `ALAS-K${i}`, state: "MISSING" },
            ...(i % 2 === 0
              ? [{ title: `glibc fix ${i}`, kbId: `ALAS-G${i}`, state: "FAILED" as const }]
              : []),
          ]
        : [],
    });
  }
  return out;
}
