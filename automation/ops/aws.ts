/**
 * AWS clients for fleet operations: one SSM client per account×region (plus one write client where
 * automations start), credentials from the SDK's default chain, then STS AssumeRole per account
 * through the SDK's refreshing provider.
 *
 * Everything is configured the SDK's standard way, so users' settings apply unchanged:
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` and the config file's `endpoint_url`,
 * `AWS_PROFILE` and SSO profiles, `AWS_USE_FIPS_ENDPOINT` / `AWS_USE_DUALSTACK_ENDPOINT`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). The `endpoint`
 * option (PATCHFLEET_AWS_ENDPOINT in the CLI) is only a shorthand that sends every service to one
 * URL.
 *
 * Retry policy (S1/S2): reads use the adaptive mode with more attempts, so throttling in the middle
 * of a long pagination slows the client down instead of failing the target; writes use the standard
 * mode. Every logical call (retries included) is bounded by `callTimeoutMs`, and a call still
 * waiting after `progressMs` is reported through `progress`, so an endpoint that accepts
 * connections but never answers cannot silence a run.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  Pluggable,
} from "@aws-sdk/types";
import * as http from "http";
import * as https from "https";
import { InputError } from "../../domain";

export interface AwsOptions {
  /** Run id; session names are `patchfleet-<runId>-<account>`. */
  runId: string;
  /**
   * Send every AWS request here instead of the endpoint the SDK resolves (a shorthand for setting
   * AWS_ENDPOINT_URL; not needed when that or AWS_ENDPOINT_URL_<SERVICE> is set).
   */
  endpoint?: string;
  /** Attempts for reads (adaptive retry). @default 8 */
  readMaxAttempts?: number;
  /** Attempts for writes (standard retry). @default 3 */
  writeMaxAttempts?: number;
  /** Per-request timeout; a request over it is retried. @default 20000 */
  requestTimeoutMs?: number;
  /** Longest time one logical call may take, retries included. @default 90000 */
  callTimeoutMs?: number;
  /** A call still waiting after this long is reported through `progress`, and again each period. @default 10000 */
  progressMs?: number;
  /** Where "still waiting" lines go (stderr in the CLI). */
  progress?: (line: string) => void;
  /** Region for STS calls. @default the region of the client that needs the credentials */
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

/** Lifetime asked for assumed-role sessions: role chaining caps sessions at one hour. */
export const SESSION_SECONDS = 3600;

/**
 * The SDK refreshes credentials this long before they expire (its own rule for memoized
 * providers); the shared per-role provider below uses the same margin.
 */
const REFRESH_MARGIN_MS = 300_000;

/** Why an AWS call did not give an answer. */
export type AwsFailureKind =
  | "no-credentials"
  | "denied"
  | "not-found"
  | "unreachable"
  | "timed-out"
  | "throttled"
  | "invalid"
  | "error";

/** A target that cannot be reached: the message names the role and the fix. */
export class TargetAccessError extends Error {
  constructor(
    message: string,
    readonly kind: AwsFailureKind = "denied",
  ) {
    super(message);
    this.name = "TargetAccessError";
  }
}

/** A call that did not end within `callTimeoutMs` (retries included). */
export class AwsCallTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AwsCallTimeoutError";
  }
}

/** No credentials anywhere in the SDK's default chain. */
export class NoCredentialsError extends InputError {
  constructor(detail: string) {
    super(
      `no AWS credentials found (${detail}). Provide them the AWS SDK's way: AWS_PROFILE=<profile> ` +
        "(after `aws sso login --profile <profile>` for SSO, or `aws configure`), or " +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), " +
        "or run where an instance or container role is available",
    );
  }
}

const NOT_FOUND = new Set([
  "InvalidDocument",
  "NotFoundException",
  "AutomationDefinitionNotFoundException",
  "AutomationExecutionNotFoundException",
  "DoesNotExistException",
]);
const DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredToken",
  "ExpiredTokenException",
  "SignatureDoesNotMatch",
  "ForbiddenException",
  "AuthFailure",
  "UnauthorizedOperation",
  "OptInRequired",
]);
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ECONNRESET",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** Classifies anything an SDK call threw. */
export function awsFailureKind(err: unknown): AwsFailureKind {
  if (err instanceof TargetAccessError) return err.kind;
  if (err instanceof NoCredentialsError) return "no-credentials";
  const e = (err ?? {}) as { name?: string; code?: string; message?: string };
  const name = e.name ?? "";
  if (name === "CredentialsProviderError") return "no-credentials";
  if (name === "AwsCallTimeoutError" || name === "TimeoutError" || name === "RequestTimeout")
    return "timed-out";
  if (e.code === "ETIMEDOUT" || e.code === "ESOCKETTIMEDOUT") return "timed-out";
  if (UNREACHABLE.has(e.code ?? "") || UNREACHABLE.has(name)) return "unreachable";
  if (DENIED.has(name)) return "denied";
  if (NOT_FOUND.has(name)) return "not-found";
  if (name === "ThrottlingException" || name === "TooManyRequestsException") return "throttled";
  if (
    name === "ValidationException" ||
    name === "ValidationError" ||
    name === "BadRequestException"
  )
    return "invalid";
  return "error";
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

/**
 * One provider shared by every client of an account and role, so a fleet read assumes each role
 * once per session lifetime rather than once per client. It asks the SDK's provider again when the
 * credentials are within the SDK's refresh margin of expiring, and after a failure.
 */
function sharedProvider(
  source: () => Promise<AwsCredentialIdentity>,
): AwsCredentialIdentityProvider {
  let held: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity) =>
    c.expiration === undefined || c.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS;
  return async () => {
    if (held && fresh(held)) return held;
    pending ??= source()
      .then((c) => (held = c))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

export class AwsSessions {
  readonly calls = new CallCounter();
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();
  private readonly ssmClients = new Map<string, SSMClient>();
  private readonly rgClients = new Map<string, ResourceGroupsClient>();
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

  /** Bounds every logical call of a client and reports calls still waiting. */
  private deadline<I extends object, O extends object>(where: string): Pluggable<I, O> {
    const timeoutMs = this.options.callTimeoutMs ?? 90_000;
    const progressMs = this.options.progressMs ?? 10_000;
    const progress = this.options.progress;
    return {
      applyToStack: (stack) => {
        // fromTemporaryCredentials applies its client plugins on every refresh: add once.
        if (stack.identify().some((n) => n.startsWith("patchfleetDeadline"))) return;
        stack.add(
          (next, context) => async (args) => {
            const op = context.commandName?.replace(/Command$/, "") ?? "call";
            const started = Date.now();
            let timer: NodeJS.Timeout | undefined;
            let ticker: NodeJS.Timeout | undefined;
            const work = next(args);
            const expired = new Promise<never>((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    new AwsCallTimeoutError(
                      `${op} (${where}) got no answer within ${Math.round(timeoutMs / 1000)} s`,
                    ),
                  ),
                timeoutMs,
              );
            });
            if (progress) {
              ticker = setInterval(() => {
                const s = Math.round((Date.now() - started) / 1000);
                progress(`still waiting for ${op} (${where}) after ${s} s`);
              }, progressMs);
            }
            try {
              return await Promise.race([work, expired]);
            } finally {
              clearTimeout(timer);
              clearInterval(ticker);
              work.catch(() => undefined);
            }
          },
          { step: "initialize", name: "patchfleetDeadline", priority: "high" },
        );
      },
    };
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
        requestTimeout: this.options.requestTimeoutMs ?? 20_000,
        throwOnRequestTimeout: true,
        connectionTimeout: 5_000,
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
      },
    };
  }

  /**
   * Fails with NoCredentialsError when the SDK's default chain (environment, AWS_PROFILE and its
   * SSO or process settings, web identity, container and instance roles) yields nothing. Makes no
   * AWS API call except where the chain itself needs one (SSO, instance metadata).
   */
  async checkCredentials(): Promise<void> {
    try {
      await fromNodeProviderChain()();
    } catch (err) {
      throw new NoCredentialsError((err as Error).message ?? String(err));
    }
  }

  /**
   * The credential provider for a role in an account (shared per account and role), refreshing
   * before the assumed-role session expires. Without a role ARN the clients use the default chain.
   * Failures surface as TargetAccessError on the call that needed the credentials.
   */
  credentials(ref: RoleRef, region: string): AwsCredentialIdentityProvider | undefined {
    const roleArn = ref.roleArn;
    if (roleArn === undefined) return undefined;
    const key = `${ref.account}|${roleArn}`;
    const existing = this.providers.get(key);
    if (existing) return existing;
    const stsRegion = this.options.stsRegion ?? region;
    const assume = fromTemporaryCredentials({
      params: {
        RoleArn: roleArn,
        RoleSessionName: this.sessionName(ref.account),
        DurationSeconds: SESSION_SECONDS,
        ...(ref.externalId !== undefined ? { ExternalId: ref.externalId } : {}),
      },
      clientConfig: this.common(stsRegion, "read"),
      clientPlugins: [this.deadline(`sts ${stsRegion}`)],
    });
    const provider = sharedProvider(async () => {
      this.calls.add(`${ref.account}|sts`);
      try {
        return await assume();
      } catch (err) {
        const e = err as { name?: string; message?: string };
        const kind = awsFailureKind(err);
        throw new TargetAccessError(
          `cannot assume ${roleArn} for account ${ref.account}: ${e.name ?? "Error"}: ` +
            `${e.message ?? String(err)}. Fix: ` +
            (kind === "no-credentials"
              ? "provide credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
              : kind === "unreachable" || kind === "timed-out"
                ? `check the network path to STS in ${stsRegion} (or AWS_ENDPOINT_URL_STS)`
                : "let your credentials assume this role (its trust policy and sts:AssumeRole " +
                  "permission)" +
                  (ref.externalId !== undefined ? ", with the configured externalId" : "") +
                  ", or correct the role ARN in the fleet file") +
            ".",
          kind === "error" || kind === "invalid" || kind === "not-found" ? "denied" : kind,
        );
      }
    });
    this.providers.set(key, provider);
    return provider;
  }

  /** The SSM client of one account×region (one per purpose), counting logical calls. */
  async ssm(ref: RoleRef, region: string, purpose: Purpose = "read"): Promise<SSMClient> {
    const key = `${ref.account}|${region}|${purpose}`;
    const existing = this.ssmClients.get(key);
    if (existing) return existing;
    const credentials = this.credentials(ref, region);
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
    client.middlewareStack.use(this.deadline(`ssm ${ref.account}/${region}`));
    this.ssmClients.set(key, client);
    return client;
  }

  /** The Resource Groups client of one account×region. */
  resourceGroups(ref: RoleRef, region: string): ResourceGroupsClient {
    const key = `${ref.account}|${region}`;
    const existing = this.rgClients.get(key);
    if (existing) return existing;
    const credentials = this.credentials(ref, region);
    const client = new ResourceGroupsClient({
      ...this.common(region, "read"),
      ...(credentials ? { credentials } : {}),
    });
    client.middlewareStack.use(this.deadline(`resource-groups ${ref.account}/${region}`));
    this.rgClients.set(key, client);
    return client;
  }

  /** Closes every client and the session's sockets. */
  destroy(): void {
    for (const c of this.ssmClients.values()) c.destroy();
    for (const c of this.rgClients.values()) c.destroy();
    this.ssmClients.clear();
    this.rgClients.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
