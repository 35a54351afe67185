/**
 * AWS clients for fleet operations: one SSM client per account×region (plus one write client where
 * automations start), credentials from the default chain, then STS AssumeRole per account.
 *
 * Retry policy (S1/S2): reads use the adaptive mode with more attempts, so throttling in the middle
 * of a long pagination slows the client down instead of failing the target; writes use the standard
 * mode and always carry a ClientToken, so a retried StartAutomationExecution is the same request.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import * as http from "http";
import * as https from "https";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@aws-sdk/types";

export interface AwsOptions {
  /** Run id; session names are `patchfleet-<runId>-<account>`. */
  runId: string;
  /** Send every SSM and STS request here instead of AWS (tests, local endpoints). */
  endpoint?: string;
  /** Attempts for reads (adaptive retry). @default 8 */
  readMaxAttempts?: number;
  /** Attempts for writes (standard retry, with ClientToken). @default 3 */
  writeMaxAttempts?: number;
  /** Per-request timeout; a request over it is retried. @default 30000 */
  requestTimeoutMs?: number;
  /** Region for STS calls. @default the first region of the account being assumed into */
  stsRegion?: string;
  /**
   * Open connections per endpoint host, shared by all clients of one session (every account of a
   * region talks to the same SSM host). Set it at least to the number of targets read at once.
   * @default 50
   */
  maxSockets?: number;
  /**
   * Let each read client resolve its middleware stack once per command type instead of on every
   * call (the SDK's `cacheMiddleware`). Only for callers that never send two requests through one
   * client at the same time, since the cached handler shares one context between calls.
   * @default false
   */
  cacheReadMiddleware?: boolean;
}

/** Lifetime of assumed-role sessions: role chaining caps sessions at one hour. */
export const SESSION_SECONDS = 3600;

/** A target that cannot be reached: the message names the role and the fix. */
export class TargetAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetAccessError";
  }
}

export interface RoleRef {
  account: string;
  roleArn?: string;
  externalId?: string;
}

type Purpose = "read" | "write";

/** Logical API calls (not retries) per account×region, for reports and benchmarks. */
export class CallCounter {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

export class AwsSessions {
  readonly calls = new CallCounter();
  private readonly sts = new Map<string, STSClient>();
  private readonly creds = new Map<string, Promise<AwsCredentialIdentity | undefined>>();
  private readonly ssmClients = new Map<string, SSMClient>();
  /**
   * One keep-alive connection pool for every client of the session. Each client still has its own
   * credentials, region, retry strategy and signer (S1); only idle sockets are shared, so a new
   * account-region does not open a fresh connection to a host the session already talks to.
   */
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(readonly options: AwsOptions) {
    const pool = { keepAlive: true, maxSockets: options.maxSockets ?? 50 };
    this.httpAgent = new http.Agent(pool);
    this.httpsAgent = new https.Agent(pool);
  }

  sessionName(account: string): string {
    return `patchfleet-${this.options.runId}-${account}`;
  }

  private common(region: string, purpose: Purpose) {
    return {
      region,
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      retryMode: purpose === "read" ? "adaptive" : "standard",
      maxAttempts:
        purpose === "read"
          ? (this.options.readMaxAttempts ?? 8)
          : (this.options.writeMaxAttempts ?? 3),
      requestHandler: {
        requestTimeout: this.options.requestTimeoutMs ?? 30_000,
        throwOnRequestTimeout: true,
        connectionTimeout: 5_000,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
      },
    };
  }

  private stsClient(region: string): STSClient {
    let client = this.sts.get(region);
    if (!client) {
      client = new STSClient(this.common(region, "read"));
      this.sts.set(region, client);
    }
    return client;
  }

  /**
   * Credentials for a role in an account (cached per account and role). Without a role ARN the
   * default chain's own credentials are used. Throws TargetAccessError when the role cannot be
   * assumed.
   */
  async credentials(ref: RoleRef, region: string): Promise<AwsCredentialIdentity | undefined> {
    const roleArn = ref.roleArn;
    if (roleArn === undefined) return undefined;
    const key = `${ref.account}|${roleArn}`;
    let pending = this.creds.get(key);
    if (!pending) {
      pending = this.assume(ref, roleArn, this.options.stsRegion ?? region);
      this.creds.set(key, pending);
    }
    return pending;
  }

  private async assume(
    ref: RoleRef,
    roleArn: string,
    region: string,
  ): Promise<AwsCredentialIdentity> {
    this.calls.add(`${ref.account}|sts`);
    let out;
    try {
      out = await this.stsClient(region).send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.sessionName(ref.account),
          DurationSeconds: SESSION_SECONDS,
          ...(ref.externalId !== undefined ? { ExternalId: ref.externalId } : {}),
        }),
      );
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new TargetAccessError(
        `cannot assume ${roleArn} for account ${ref.account}: ${e.name ?? "Error"}: ` +
          `${e.message ?? String(err)}. Fix: let your credentials assume this role (its trust ` +
          `policy and sts:AssumeRole permission)` +
          (ref.externalId !== undefined ? ", with the configured externalId" : "") +
          ", or correct the role ARN in the fleet file.",
      );
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) {
      throw new TargetAccessError(`AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }

  /** The SSM client of one account×region (one per purpose), counting logical calls. */
  async ssm(ref: RoleRef, region: string, purpose: Purpose = "read"): Promise<SSMClient> {
    const key = `${ref.account}|${region}|${purpose}`;
    const existing = this.ssmClients.get(key);
    if (existing) return existing;
    const credentials = await this.credentials(ref, region);
    const again = this.ssmClients.get(key);
    if (again) return again;
    const client = new SSMClient({
      ...this.common(region, purpose),
      ...(credentials ? { credentials } : {}),
      ...(purpose === "read" && this.options.cacheReadMiddleware ? { cacheMiddleware: true } : {}),
    });
    const counterKey = `${ref.account}|${region}`;
    client.middlewareStack.add(
      (next) => async (args) => {
        this.calls.add(counterKey);
        return next(args);
      },
      { step: "initialize", name: "patchfleetCallCounter" },
    );
    this.ssmClients.set(key, client);
    return client;
  }

  /** Closes every client and the session's sockets. */
  destroy(): void {
    for (const c of this.ssmClients.values()) c.destroy();
    for (const c of this.sts.values()) c.destroy();
    this.ssmClients.clear();
    this.sts.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
