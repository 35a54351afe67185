/**
 * `compliance.history.logBucket: true`: each run's snapshot (the history point the dashboard
 * charts) is also written to the central log bucket, one JSON object per run, under
 *
 *   patchfleet-compliance-history/date=<YYYY-MM-DD>/<runId>.json
 *
 * a Hive-style `date=` folder so Athena can partition by day (docs/athena.md). Written with the
 * central credentials: the caller's, or central.operationsRole, which then needs s3:PutObject on
 * arn:aws:s3:::<logBucket>/patchfleet-compliance-history/*. The bucket belongs to the central
 * account, so its own principals need no bucket policy grant.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 * S3 object keys: letters, digits and `!-_.*'()/` are "safe characters"; `=` is among the
 * characters that "might require special handling" only in URLs, which the SDK encodes.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Fleet } from "../fleet/types";
import { AwsSessions } from "./aws";
import type { HistoryPoint } from "./history-store";
import { centralRef, homeRegion } from "./preflight";

export const HISTORY_PREFIX = "patchfleet-compliance-history/";

/** The snapshot's key: its day (UTC, from generatedAt) and run id. */
export function historyKey(point: Pick<HistoryPoint, "generatedAt" | "runId">): string {
  const day = new Date(point.generatedAt).toISOString().slice(0, 10);
  return `${HISTORY_PREFIX}date=${day}/${point.runId}.json`;
}

/** Writes the snapshot; returns its s3:// URL. */
export async function uploadHistoryPoint(
  fleet: Fleet,
  point: HistoryPoint,
  options: { endpoint?: string } = {},
): Promise<string> {
  const aws = new AwsSessions({ runId: point.runId, ...options });
  const region = homeRegion(fleet);
  const credentials = aws.credentials(centralRef(fleet), region);
  const s3 = new S3Client({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 3,
  });
  const key = historyKey(point);
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: fleet.logBucketName,
        Key: key,
        Body: JSON.stringify(point) + "\n",
        ContentType: "application/json",
      }),
    );
  } finally {
    s3.destroy();
    aws.destroy();
  }
  return `s3://${fleet.logBucketName}/${key}`;
}
