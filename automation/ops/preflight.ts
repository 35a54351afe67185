/**
 * Preflight of `patch`: everything that must hold before an automation may start, each problem
 * with the target it concerns and its fix.
 */
import {
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { partitionOf } from "../../domain";
import type { Fleet, FleetAccount } from "../fleet/types";
import { AwsFailureKind, AwsSessions, RoleRef, TargetAccessError, awsFailureKind } from "./aws";
import {
  TARGET_LOCATIONS_PER_EXECUTION,
  TARGET_LOCATION_LIMIT,
  maxConcurrencyValue,
  maxErrorsValue,
} from "./automation-values";
import { getGroup } from "./resource-groups";
import { AccountRegion, accountRegions, errorText, mapBounded } from "./util";

export interface PreflightProblem {
  /** "central" or the member account id (with region when it applies). */
  target: string;
  message: string;
  fix: string;
}

const EXECUTION_ROLE_NAME = /^[\w+=,.@/-]{1,64}$/;

export function centralRef(fleet: Fleet): RoleRef {
  return {
    account: fleet.central.account,
    roleArn: fleet.central.operationsRole,
    externalId: fleet.central.externalId,
  };
}

export function homeRegion(fleet: Fleet): string {
  return fleet.central.regions[0];
}

/**
 * Regions enabled by default: those launched before March 20, 2019 (AWS Account Management
 * reference, "Enable or disable AWS Regions in your account",
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html; the list as
 * published in "Regions that are enabled by default",
 * https://docs.aws.amazon.com/assistant/latest/userguide/regions.html). The GovCloud and China
 * partitions have no opt-in regions. Every other region is an opt-in region.
 */
export const REGIONS_ENABLED_BY_DEFAULT: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "sa-east-1",
];

export function isOptInRegion(region: string): boolean {
  return partitionOf(region) === "aws" && !REGIONS_ENABLED_BY_DEFAULT.includes(region);
}

/** The fix for a call that failed for `kind`, when it was not a plain "not found". */
function accessFix(kind: AwsFailureKind, permission: string, role: string): string {
  switch (kind) {
    case "no-credentials":
      return "provide AWS credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)";
    case "unreachable":
      return "check the network path to the endpoint (AWS_ENDPOINT_URL_* or PATCHFLEET_AWS_ENDPOINT if set)";
    case "timed-out":
      return "the endpoint did not answer in time: check the network path, then run again";
    case "throttled":
      return "retry later; the account is being throttled";
    default:
      return `allow ${permission} to ${role}`;
  }
}

async function centralPreflight(fleet: Fleet, aws: AwsSessions): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  try {
    maxConcurrencyValue(fleet.rollout.maxConcurrent);
  } catch (err) {
    problems.push({ target: "fleet", message: errorText(err), fix: "edit rollout.maxConcurrent" });
  }
  try {
    maxErrorsValue(fleet.rollout.failureTolerance);
  } catch (err) {
    problems.push({
      target: "fleet",
      message: errorText(err),
      fix: "edit rollout.failureTolerance",
    });
  }
  if (!EXECUTION_ROLE_NAME.test(fleet.administrationRoleName)) {
    problems.push({
      target: "fleet",
      message: `administrationRoleName ${JSON.stringify(fleet.administrationRoleName)} is not a valid IAM role name`,
      fix: "use 1-64 characters of letters, digits and +=,.@/-_",
    });
  }
  // The central account is a target too, so it holds both roles; IAM role names are unique
  // within an account, case-insensitively (IAM CreateRole: "Role names are not distinguished by
  // case"), so one name for both cannot be deployed nor run.
  if (fleet.administrationRoleName.toLowerCase() === fleet.executionRoleName.toLowerCase()) {
    problems.push({
      target: "fleet",
      message:
        `roles.administrationRoleName and roles.executionRoleName are both ` +
        `${JSON.stringify(fleet.executionRoleName)}: the central account needs two roles`,
      fix: "give the two roles different names (the defaults are AWS-SystemsManager-AutomationAdministrationRole and AWS-SystemsManager-AutomationExecutionRole)",
    });
  }
  // "If you start an automation from new Regions launched after March 20, 2019, and target a
  // Region that is enabled by default, the automation fails." (Systems Manager user guide,
  // Running automations in multiple AWS Regions and accounts.) patchfleet starts every region's
  // automation from the home region, central.regions[0].
  const home = homeRegion(fleet);
  if (isOptInRegion(home)) {
    const defaults = [...new Set(patchTargets(fleet).map((t) => t.region))].filter(
      (r) => !isOptInRegion(r),
    );
    if (defaults.length > 0) {
      problems.push({
        target: "fleet",
        message:
          `automations start in ${home} (central.regions[0]), an opt-in region launched after ` +
          `March 20, 2019; SSM documents that an automation started there fails in regions ` +
          `enabled by default: ${defaults.join(", ")}`,
        fix: `list a region enabled by default first in central.regions (e.g. ${defaults[0]})`,
      });
    }
  }
  if (!EXECUTION_ROLE_NAME.test(fleet.executionRoleName)) {
    problems.push({
      target: "fleet",
      message: `executionRoleName ${JSON.stringify(fleet.executionRoleName)} is not a valid IAM role name`,
      fix: "use 1-64 characters of letters, digits and +=,.@/-_",
    });
  }
  // One automation per region: its accounts go in chunks of 50 into at most 100 TargetLocations.
  const accountsPerRegion = new Map<string, number>();
  for (const { region } of patchTargets(fleet)) {
    accountsPerRegion.set(region, (accountsPerRegion.get(region) ?? 0) + 1);
  }
  for (const [region, accounts] of accountsPerRegion) {
    const chunks = Math.ceil(accounts / TARGET_LOCATION_LIMIT);
    if (chunks > TARGET_LOCATIONS_PER_EXECUTION) {
      problems.push({
        target: "fleet",
        message: `region ${region} needs ${chunks} target locations (${accounts} accounts); one automation takes at most ${TARGET_LOCATIONS_PER_EXECUTION}`,
        fix: "split the fleet file",
      });
    }
  }

  // StartAutomationExecution runs the runbook in every region of its TargetLocations, and SSM
  // reads the document (and whom it is shared with) in that region of the central account: a
  // runbook deployed and shared only in the home region fails every target elsewhere.
  const byRegion = new Map<string, FleetAccount[]>();
  for (const { member, region } of patchTargets(fleet)) {
    const list = byRegion.get(region) ?? [];
    list.push(member);
    byRegion.set(region, list);
  }
  if (byRegion.size === 0) byRegion.set(homeRegion(fleet), []);
  const perRegion = await mapBounded([...byRegion], 4, ([region, accounts]) =>
    runbookPreflight(fleet, aws, region, accounts),
  );
  for (const list of perRegion) problems.push(...list);
  return problems;
}

/** The runbook exists in `region` of the central account and is shared with `accounts`. */
async function runbookPreflight(
  fleet: Fleet,
  aws: AwsSessions,
  region: string,
  accounts: readonly FleetAccount[],
): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  const where = `central ${fleet.central.account}/${region}`;
  let ssm: SSMClient;
  try {
    ssm = await aws.ssm(centralRef(fleet), region, "read");
  } catch (err) {
    problems.push({
      target: where,
      message: errorText(err),
      fix: "fix central.operationsRole (or run with credentials of the central account)",
    });
    return problems;
  }
  const name = fleet.runbookName;
  try {
    const doc = await ssm.send(new DescribeDocumentCommand({ Name: name }));
    const type = doc.Document?.DocumentType;
    if (type !== undefined && type !== "Automation") {
      problems.push({
        target: where,
        message: `document ${name} in ${region} is a ${type} document, not an Automation runbook`,
        fix: "point runbookName at the runbook the central stack deploys",
      });
    }
  } catch (err) {
    const kind = awsFailureKind(err);
    problems.push(
      kind === "not-found"
        ? {
            target: where,
            message: `runbook ${name} not found in the central account in ${region}: ${errorText(err)}`,
            fix:
              `deploy the central stack with ${region} among central.regions (\`patchfleet up\`), ` +
              "or correct runbookName",
          }
        : {
            target: where,
            message: `cannot read runbook ${name} in ${region} (${kind}): ${errorText(err)}`,
            fix:
              err instanceof TargetAccessError
                ? "fix central.operationsRole (or run with credentials of the central account)"
                : accessFix(
                    kind,
                    "ssm:DescribeDocument",
                    fleet.central.operationsRole ?? "your central-account credentials",
                  ),
          },
    );
    return problems;
  }
  const shared = new Set<string>();
  try {
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ssm.send(
        new DescribeDocumentPermissionCommand({
          Name: name,
          PermissionType: "Share",
          MaxResults: 200,
          NextToken: token,
        }),
      );
      for (const id of out.AccountIds ?? []) shared.add(id);
      token = out.NextToken;
      pages += 1;
    } while (token && pages < 1000);
  } catch (err) {
    problems.push({
      target: where,
      message: `cannot read who runbook ${name} in ${region} is shared with: ${errorText(err)}`,
      fix:
        err instanceof TargetAccessError
          ? "fix central.operationsRole (or run with credentials of the central account)"
          : accessFix(
              awsFailureKind(err),
              "ssm:DescribeDocumentPermission",
              fleet.central.operationsRole ?? "your central-account credentials",
            ),
    });
    return problems;
  }
  if (!shared.has("all")) {
    for (const m of accounts) {
      if (m.account === fleet.central.account || shared.has(m.account)) continue;
      problems.push({
        target: `${m.account}/${region}`,
        message: `runbook ${name} in ${region} is not shared with member account ${m.account} (${m.name})`,
        fix:
          `share it from the central stack (patchfleet up), or run: aws ssm modify-document-permission ` +
          `--name ${name} --permission-type Share --account-ids-to-add ${m.account} --region ${region}`,
      });
    }
  }
  return problems;
}

/**
 * The resource group the runbook targets must exist in every member account-region. Checked with
 * each member's read role; members without one are listed in a note instead.
 */
async function resourceGroupPreflight(
  fleet: Fleet,
  aws: AwsSessions,
): Promise<{ problems: PreflightProblem[]; notes: string[] }> {
  const group = fleet.resourceGroupName;
  const unchecked = fleet.members
    .filter((m) => m.readRole === undefined && m.account !== fleet.central.account)
    .map((m) => m.account);
  const notes =
    unchecked.length === 0
      ? []
      : [
          `resource group ${group}: not checked in ${unchecked.join(", ")} (no readRole); an ` +
            "account-region without it fails its own target",
        ];
  const isCentral = (m: FleetAccount) => m.account === fleet.central.account;
  // The central account is read with its readRole, or else with the operations role (or the
  // caller's own credentials) that preflight already uses there.
  const work = patchTargets(fleet).filter(
    ({ member }) => member.readRole !== undefined || isCentral(member),
  );
  const results = await mapBounded(work, 8, async ({ member, region }) => {
    const target = `${member.account}/${region}`;
    const ref: RoleRef =
      isCentral(member) && member.readRole === undefined
        ? centralRef(fleet)
        : { account: member.account, roleArn: member.readRole, externalId: member.externalId };
    const check = await getGroup(aws.resourceGroups(ref, region), group);
    if (check.found) return undefined;
    if (check.reason === "not-found") {
      return {
        target,
        message: `resource group ${group} does not exist in ${target}`,
        fix:
          `deploy the ${isCentral(member) ? "central stack" : `member stack of ${member.name}`} ` +
          "(`patchfleet up`), or correct resourceGroup.name",
      };
    }
    const role = !isCentral(member)
      ? `members[].readRole of ${member.account} (${member.name})`
      : member.readRole === undefined
        ? (fleet.central.operationsRole ?? "your central-account credentials")
        : "central.readRole";
    return {
      target,
      message: `cannot check resource group ${group} (${check.reason}): ${check.message}`,
      fix:
        check.reason === "denied" && /cannot assume/.test(check.message)
          ? `fix ${role}: let your credentials assume it`
          : accessFix(check.reason, "resource-groups:GetGroup", role),
    };
  });
  return { problems: results.filter((p): p is PreflightProblem => p !== undefined), notes };
}

export type PatchTarget = AccountRegion;

/**
 * Every account-region a patch run targets, each once, in fleet-file order: the central account's
 * regions, then each member's. The central account has an execution role so that its own instances
 * are patched too.
 */
export function patchTargets(fleet: Fleet): PatchTarget[] {
  return accountRegions([fleet.central, ...fleet.members]);
}

/** Every preflight check; an empty problem list means the automation may start. */
export async function preflight(
  fleet: Fleet,
  aws: AwsSessions,
): Promise<{ problems: PreflightProblem[]; notes: string[] }> {
  const groups = await resourceGroupPreflight(fleet, aws);
  return {
    problems: [...(await centralPreflight(fleet, aws)), ...groups.problems],
    notes: groups.notes,
  };
}
