/**
 * The one Resource Groups call preflight needs (GetGroup), signed with Signature Version 4 by hand:
 * patchfleet carries no Resource Groups SDK client, and this REST-JSON call is small enough that a
 * signer of our own is simpler than another dependency.
 * https://docs.aws.amazon.com/ARG/latest/APIReference/API_GetGroup.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from "crypto";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import { sleep } from "./util";

const SERVICE = "resource-groups";

function sha256Hex(data: string): string {
  return createHash("sha256").update(data, "utf8").digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** `x-amz-date` form of a time: 20261125T135800Z. */
export function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * Signs a POST with a JSON body; returns the headers to send. Only the headers signed here may be
 * sent (plus content-length, which fetch adds).
 */
export function signPost(
  url: URL,
  body: string,
  region: string,
  service: string,
  credentials: AwsCredentialIdentity,
  now: Date,
): Record<string, string> {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    host: url.host,
    "x-amz-date": date,
  };
  if (credentials.sessionToken) headers["x-amz-security-token"] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [
    "POST",
    url.pathname || "/",
    "",
    ...names.map((n) => `${n}:${headers[n].trim()}`),
    "",
    names.join(";"),
    sha256Hex(body),
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, sha256Hex(canonical)].join("\n");
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service),
    "aws4_request",
  );
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return {
    ...headers,
    authorization:
      `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

export function resourceGroupsEndpoint(region: string, override?: string): string {
  if (override) return override;
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://${SERVICE}.${region}.${suffix}`;
}

export type GroupCheck =
  { found: true } | { found: false; reason: "not-found" | "denied" | "error"; message: string };

/**
 * Whether a resource group exists. Throttling and server errors are retried (bounded, with
 * backoff); not-found and access-denied are answers, not errors.
 */
export async function getGroup(
  name: string,
  region: string,
  credentials: AwsCredentialIdentity,
  options: { endpoint?: string; timeoutMs?: number; attempts?: number } = {},
): Promise<GroupCheck> {
  const url = new URL("/get-group", resourceGroupsEndpoint(region, options.endpoint));
  const body = JSON.stringify({ Group: name });
  const attempts = options.attempts ?? 4;
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let status: number;
    let text: string;
    let type: string;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: signPost(url, body, region, SERVICE, credentials, new Date()),
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      status = res.status;
      type = (res.headers.get("x-amzn-errortype") ?? "").split(":")[0];
      text = await res.text();
    } catch (err) {
      last = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await sleep(Math.min(2000, 100 * 2 ** attempt));
      continue;
    }
    if (status === 200) return { found: true };
    let message = text;
    try {
      const parsed = JSON.parse(text) as { Message?: string; message?: string; __type?: string };
      message = parsed.Message ?? parsed.message ?? text;
      type ||= (parsed.__type ?? "").split("#").pop() ?? "";
    } catch {
      // Not JSON: keep the raw text.
    }
    last = `${type || `HTTP ${status}`}: ${message}`;
    if (status === 404 || type === "NotFoundException") {
      return { found: false, reason: "not-found", message: last };
    }
    if (status === 403 || type === "ForbiddenException" || type === "AccessDeniedException") {
      return { found: false, reason: "denied", message: last };
    }
    if (status !== 429 && status < 500) return { found: false, reason: "error", message: last };
    await sleep(Math.min(2000, 100 * 2 ** attempt));
  }
  return { found: false, reason: "error", message: `gave up after ${attempts} attempts: ${last}` };
}
