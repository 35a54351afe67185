import { strict as assert } from "assert";
import { createHash, createHmac } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import * as http from "http";
import type { AddressInfo } from "net";
import {
  amzDate,
  getGroup,
  resourceGroupsEndpoint,
  signPost,
} from "../../automation/ops/resource-groups";

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The SHA-256 (and HMAC) hash object the SDK's signer takes. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}

describe("Resource Groups request signing", () => {
  const credentials = {
    accessKeyId: "ASIAEXAMPLEKEY",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: "session/token+value=",
  };
  const now = new Date("2026-11-25T13:58:07.123Z");

  it("formats x-amz-date", () => {
    assert.equal(amzDate(now), "20261125T135807Z");
  });

  it("produces the same SigV4 signature as the AWS SDK's signer", async () => {
    const url = new URL("https://resource-groups.eu-west-1.amazonaws.com/get-group");
    const body = JSON.stringify({ Group: "patchfleet-patch-targets" });
    const ours = signPost(url, body, "eu-west-1", "resource-groups", credentials, now);
    const sdk = new SignatureV4({
      credentials,
      region: "eu-west-1",
      service: "resource-groups",
      sha256: Sha256,
      // The SDK would also sign x-amz-content-sha256, which REST-JSON calls do not need.
      applyChecksum: false,
    });
    const signed = await sdk.sign(
      {
        method: "POST",
        protocol: "https:",
        hostname: url.hostname,
        path: "/get-group",
        headers: { "content-type": "application/json", host: url.host },
        body,
        query: {},
      },
      { signingDate: now },
    );
    assert.equal(ours.authorization, signed.headers.authorization);
    assert.match(
      ours.authorization,
      /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY\/20261125\/eu-west-1\/resource-groups\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(ours["x-amz-security-token"], credentials.sessionToken);
  });

  it("picks the regional endpoint per partition, or the override", () => {
    assert.equal(
      resourceGroupsEndpoint("us-east-1"),
      "https://resource-groups.us-east-1.amazonaws.com",
    );
    assert.equal(
      resourceGroupsEndpoint("cn-north-1"),
      "https://resource-groups.cn-north-1.amazonaws.com.cn",
    );
    assert.equal(resourceGroupsEndpoint("us-east-1", "http://127.0.0.1:9"), "http://127.0.0.1:9");
  });

  it("retries throttling and server errors, then reports the answer", async () => {
    const statuses = [429, 503, 404];
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${String(req.headers.authorization).slice(0, 16)}`);
      const status = statuses.shift() ?? 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ Message: status === 404 ? "Cannot find group" : "slow down" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await getGroup("g1", "us-east-1", credentials, {
        endpoint: `http://127.0.0.1:${port}`,
        attempts: 4,
      });
      assert.deepEqual(result, {
        found: false,
        reason: "not-found",
        message: "HTTP 404: Cannot find group",
      });
      assert.deepEqual(seen, [
        "POST /get-group AWS4-HMAC-SHA256",
        "POST /get-group AWS4-HMAC-SHA256",
        "POST /get-group AWS4-HMAC-SHA256",
      ]);
      statuses.push(500, 500);
      const gaveUp = await getGroup("g1", "us-east-1", credentials, {
        endpoint: `http://127.0.0.1:${port}`,
        attempts: 2,
      });
      assert.deepEqual(gaveUp, {
        found: false,
        reason: "error",
        message: "gave up after 2 attempts: HTTP 500: slow down",
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
