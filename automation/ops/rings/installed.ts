/**
 * What a ring installed, read from SSM's per-node patch data in each of its account-regions with
 * the account's readRole: DescribeInstanceInformation (platform), DescribeInstancePatchStates
 * (patch group) and DescribeInstancePatches filtered by State. The reference gives the State filter
 * values `Installed | InstalledOther | InstalledPendingReboot` (PatchOrchestratorFilter samples,
 * DescribeInstancePatches); patches whose InstalledTime falls inside the ring's run are kept, so a
 * patch installed before or after the run is not promoted.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeInstancePatches.html
 */
import {
  SSMClient,
  paginateDescribeInstanceInformation,
  paginateDescribeInstancePatchStates,
  paginateDescribeInstancePatches,
} from "@aws-sdk/client-ssm";
import type { FleetAccount } from "../../fleet/types";
import type { AwsSessions } from "../aws";
import { accountRegions, errorText } from "../util";
import type { InstalledSet, PromotedPatch } from "./ring-store";

export const INSTALLED_STATES = ["Installed", "InstalledPendingReboot", "InstalledOther"];
const PAGE = 50;

interface Node {
  id: string;
  platform: string;
  patchGroup: string;
}

async function nodesOf(ssm: SSMClient): Promise<Node[]> {
  const platforms = new Map<string, string>();
  for await (const page of paginateDescribeInstanceInformation(
    { client: ssm, pageSize: PAGE },
    {},
  )) {
    for (const i of page.InstanceInformationList ?? []) {
      if (i.InstanceId)
        platforms.set(i.InstanceId, i.PlatformName || i.PlatformType || "(unknown OS)");
    }
  }
  const nodes: Node[] = [];
  const ids = [...platforms.keys()];
  for (let i = 0; i < ids.length; i += PAGE) {
    const chunk = ids.slice(i, i + PAGE);
    for await (const page of paginateDescribeInstancePatchStates(
      { client: ssm, pageSize: PAGE },
      { InstanceIds: chunk },
    )) {
      for (const s of page.InstancePatchStates ?? []) {
        if (!s.InstanceId || !platforms.has(s.InstanceId)) continue;
        nodes.push({
          id: s.InstanceId,
          platform: platforms.get(s.InstanceId)!,
          patchGroup: s.PatchGroup || "(no patch group)",
        });
      }
    }
  }
  return nodes;
}

async function installedOn(ssm: SSMClient, node: Node, from: number, to: number) {
  const out: PromotedPatch[] = [];
  for await (const page of paginateDescribeInstancePatches(
    { client: ssm, pageSize: PAGE },
    { InstanceId: node.id, Filters: [{ Key: "State", Values: INSTALLED_STATES }] },
  )) {
    for (const p of page.Patches ?? []) {
      const at = p.InstalledTime?.getTime();
      if (at === undefined || at < from || at > to || !p.KBId) continue;
      out.push({ id: p.KBId, title: p.Title ?? "" });
    }
  }
  return out;
}

/**
 * The patches the ring's nodes installed between `from` and `to`, per OS and patch group. An
 * account without a readRole, or one that cannot be read, is listed in `unread`.
 */
export async function gatherInstalled(
  aws: AwsSessions,
  accounts: readonly FleetAccount[],
  from: Date,
  to: Date,
  now: Date,
): Promise<InstalledSet> {
  const groups = new Map<
    string,
    { platform: string; patchGroup: string; patches: Map<string, PromotedPatch> }
  >();
  const unread: string[] = [];
  for (const { member, region } of accountRegions(accounts)) {
    if (member.readRole === undefined) {
      unread.push(
        `${member.name} ${region}: no readRole; add one to the fleet file to read what it installed`,
      );
      continue;
    }
    try {
      const ssm = await aws.ssm(
        { account: member.account, roleArn: member.readRole, externalId: member.externalId },
        region,
        "read",
      );
      for (const node of await nodesOf(ssm)) {
        const key = `${node.platform}|${node.patchGroup}`;
        let g = groups.get(key);
        if (!g) {
          g = { platform: node.platform, patchGroup: node.patchGroup, patches: new Map() };
          groups.set(key, g);
        }
        for (const p of await installedOn(ssm, node, from.getTime(), to.getTime())) {
          g.patches.set(`${p.id}\n${p.title}`, p);
        }
      }
    } catch (err) {
      unread.push(`${member.name} ${region}: ${errorText(err)}`);
    }
  }
  return {
    gatheredAt: now.toISOString(),
    groups: [...groups.values()]
      .filter((g) => g.patches.size > 0)
      .map((g) => ({
        platform: g.platform,
        patchGroup: g.patchGroup,
        patches: [...g.patches.values()].sort(
          (a, b) => a.id.localeCompare(b.id) || a.title.localeCompare(b.title),
        ),
      }))
      .sort(
        (a, b) => a.platform.localeCompare(b.platform) || a.patchGroup.localeCompare(b.patchGroup),
      ),
    unread,
  };
}
