/**
 * AWS-RunPatchBaseline's install override list: "an https URL or an Amazon S3 path-style URL to a
 * list of patches to be installed ... in YAML format"; "If your file is stored in a private bucket,
 * you must specify an Amazon S3 path-style URL" (s3://bucket/key); the file name "can't contain
 * ... backtick (`), single quote ('), double quote ("), and dollar sign ($)". The content is
 * `patches:` with one `id` (required; Linux: package name and architecture, e.g.
 * 'dhclient.x86_64'; Windows: a KB id) and an optional `title` (Linux:
 * {name}.{architecture}:{epoch}:{version}-{release} for YUM and SLES, {name}.{architecture}:{version}
 * for APT) per patch.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-aws-runpatchbaseline.html
 *
 * DescribeInstancePatches reports an installed patch with exactly these two values: KBId is the
 * package name and architecture on Linux ("java-1.7.0-openjdk.x86_64") or the KB id on Windows
 * ("KB4480056"), and Title the full package version on Linux (API reference, DescribeInstancePatches
 * filter samples; botocore ssm shape PatchComplianceData).
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { RING_OVERRIDE_PREFIX } from "../../../components/log-bucket-policy";
import type { AwsSessions } from "../aws";
import type { InstalledSet, PromotedPatch } from "./ring-store";

/** Key prefix of override lists in the central log bucket; the bucket policy lets fleet accounts read it. */
export const OVERRIDE_PREFIX = RING_OVERRIDE_PREFIX;

/** The S3 key of a ring's list: only characters AWS allows in the file name. */
export function overrideKey(rolloutId: string, ring: string): string {
  return `${OVERRIDE_PREFIX}${rolloutId}/${ring}-install-override-list.yaml`;
}

/** Every patch of the set once (the same package may be installed in several patch groups). */
export function promotedPatches(set: InstalledSet): PromotedPatch[] {
  const seen = new Map<string, PromotedPatch>();
  for (const g of set.groups) for (const p of g.patches) seen.set(`${p.id}\n${p.title}`, p);
  return [...seen.values()].sort(
    (a, b) => a.id.localeCompare(b.id) || a.title.localeCompare(b.title),
  );
}

/** A YAML single-quoted scalar: a quote is written twice (YAML 1.2, 7.3.2). */
function quoted(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The list's text: a comment per OS and patch group, then every patch once. */
export function overrideListYaml(set: InstalledSet, from: string): string {
  const lines = [
    `# patchfleet: the patches ring ${from} installed (gathered ${set.gatheredAt}), per OS and patch group:`,
    ...set.groups.map((g) => `#   ${g.platform} / ${g.patchGroup}: ${g.patches.length} patch(es)`),
    "patches:",
  ];
  for (const p of promotedPatches(set)) {
    lines.push(`  - id: ${quoted(p.id)}`, `    title: ${quoted(p.title)}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Writes the list to the central log bucket with the central credentials (the caller's, or
 * central.operationsRole: needs s3:PutObject on arn:aws:s3:::<bucket>/patchfleet-rings/*) and
 * returns its s3:// URL.
 */
export async function uploadOverrideList(
  aws: AwsSessions,
  ref: { account: string; roleArn?: string; externalId?: string },
  region: string,
  bucket: string,
  key: string,
  body: string,
): Promise<string> {
  const endpoint = aws.options.endpoint;
  const credentials = aws.credentials(ref, region);
  const s3 = new S3Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 3,
  });
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: "application/yaml",
      }),
    );
  } finally {
    s3.destroy();
  }
  return `s3://${bucket}/${key}`;
}
