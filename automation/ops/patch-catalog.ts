/**
 * Release dates of patches from Systems Manager's patch catalog (DescribeAvailablePatches), looked
 * up once per patch per run and shared by every account of a region.
 *
 * What the API reference says, and what follows from it
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAvailablePatches.html):
 * - the catalog covers only Windows Server, Amazon Linux 1 and Amazon Linux 2; patches of other
 *   operating systems have no release date here, and their age is reported as unknown;
 * - Windows Server patches are found by `PATCH_ID` (a KB number, e.g. KB4516046);
 * - Linux queries must include `PRODUCT` (sample value `AmazonLinux2.0`); patchfleet adds `NAME`,
 *   `VERSION`, `RELEASE` and `ARCH` parsed from the patch title `name.arch:epoch:version-release`.
 * - MaxResults is 1–100 (botocore model, shape PatchBaselineMaxResults).
 */
import {
  DescribeAvailablePatchesCommand,
  PatchOrchestratorFilter,
  SSMClient,
} from "@aws-sdk/client-ssm";

/** The catalog's largest page (PatchBaselineMaxResults). */
const CATALOG_PAGE = 100;

export interface CatalogQuery {
  /** Cache key: the same key always means the same patch. */
  key: string;
  filters: PatchOrchestratorFilter[];
  /** Picks the matching catalog entries (all, when absent). */
  match?: (p: { Version?: string; Release?: string; Arch?: string }) => boolean;
}

export interface LinuxPatchTitle {
  name: string;
  arch: string;
  epoch: string;
  version: string;
  release: string;
}

/** Splits `kernel.x86_64:0:4.14.203-156.332.amzn2` into its parts; undefined when it is not so. */
export function parseLinuxTitle(title: string): LinuxPatchTitle | undefined {
  const m = /^(.+)\.([A-Za-z0-9_]+):([0-9]+):([^-:]+)-([^:]+)$/.exec(title);
  if (!m) return undefined;
  return { name: m[1], arch: m[2], epoch: m[3], version: m[4], release: m[5] };
}

/**
 * How to find one reported patch in the catalog, or why it cannot be found there.
 * `kbId` and `title` are DescribeInstancePatches' KBId and Title.
 */
export function catalogQuery(kbId: string, title: string): CatalogQuery | { unknown: string } {
  if (/^KB[0-9]+$/.test(kbId)) {
    return { key: `PATCH_ID|${kbId}`, filters: [{ Key: "PATCH_ID", Values: [kbId] }] };
  }
  const t = parseLinuxTitle(title);
  if (t && /\.amzn2(\.|$)/.test(t.release)) {
    return {
      key: `AL2|${title}`,
      filters: [
        { Key: "PRODUCT", Values: ["AmazonLinux2.0"] },
        { Key: "NAME", Values: [t.name] },
      ],
      match: (p) => p.Version === t.version && p.Release === t.release && p.Arch === t.arch,
    };
  }
  return {
    unknown:
      "no release date: SSM's patch catalog (DescribeAvailablePatches) covers only Windows Server and Amazon Linux 2 patches patchfleet can identify",
  };
}

/** Per-run cache of release dates; one instance per `compliance` run. */
export class PatchCatalog {
  /** Catalog calls made (pages), for the report. */
  calls = 0;
  private readonly dates = new Map<string, Promise<Date | undefined>>();

  /** The earliest release date of the matching catalog entries, or undefined when none match. */
  releaseDate(ssm: SSMClient, region: string, q: CatalogQuery): Promise<Date | undefined> {
    const key = `${region}|${q.key}`;
    let found = this.dates.get(key);
    if (!found) {
      found = this.lookup(ssm, q);
      // A failed lookup is not cached: the next node may try again.
      found.catch(() => this.dates.delete(key));
      this.dates.set(key, found);
    }
    return found;
  }

  private async lookup(ssm: SSMClient, q: CatalogQuery): Promise<Date | undefined> {
    let earliest: Date | undefined;
    let token: string | undefined;
    do {
      this.calls += 1;
      const out = await ssm.send(
        new DescribeAvailablePatchesCommand({
          Filters: q.filters,
          MaxResults: CATALOG_PAGE,
          NextToken: token,
        }),
      );
      for (const p of out.Patches ?? []) {
        if (q.match && !q.match(p)) continue;
        if (p.ReleaseDate && (earliest === undefined || p.ReleaseDate < earliest)) {
          earliest = p.ReleaseDate;
        }
      }
      token = out.NextToken;
    } while (token);
    return earliest;
  }
}
