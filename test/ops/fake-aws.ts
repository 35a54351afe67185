/**
 * A local stand-in for the parts of AWS that fleet operations call: SSM (JSON 1.1, X-Amz-Target
 * `AmazonSSM.<Op>`) and STS AssumeRole (query protocol, XML), on 127.0.0.1 with an ephemeral port.
 * The account of each SSM call is the one whose access key signed it (keys come from AssumeRole or
 * `baseKeys`), and the region is the one in the signature's credential scope.
 *
 * Every request is checked against AWS's published model (test/aws-models, `requestProblems`) and
 * refused as AWS refuses it: ValidationException (SSM), ValidationError (STS),
 * BadRequestException (Resource Groups). Credentials AssumeRole issues expire after
 * `credentialLifetimeMs`; a call signed with an expired session is refused with
 * ExpiredTokenException ("The security token included in the request is expired", AWS API
 * reference, Common Errors: https://docs.aws.amazon.com/systems-manager/latest/APIReference/CommonErrors.html).
 *
 * Faults are scripted: throttling at the n-th call of an operation for a target, latency, a
 * StartAutomationExecution whose first response is held past the client's timeout (the execution
 * is still recorded), roles that cannot be assumed, and any automation status.
 */
import * as http from "http";
import type { AddressInfo } from "net";
import { URLSearchParams } from "url";
import { requestProblems } from "../aws-models";
import {
  FakeCatalogPatch,
  FakePatchDetail,
  describeAvailablePatches,
  describeInstancePatches,
} from "./fake-patch-catalog";

/** A patch of a node (severity, classification, CVEs and install time are optional). */
export type FakePatch = FakePatchDetail;

export interface FakeInstance {
  id: string;
  name?: string;
  platform?: string;
  patchGroup?: string;
  installed?: number;
  pendingReboot?: number;
  missing?: number;
  failed?: number;
  critical?: number;
  security?: number;
  operation?: "Scan" | "Install";
  operationEnd?: Date;
  /** The instance never reported a patch state. */
  noState?: boolean;
  otherNonCompliant?: number;
  availableSecurityUpdates?: number;
  baselineId?: string;
  /** The SSM agent's PingStatus. @default "Online" */
  pingStatus?: "Online" | "ConnectionLost" | "Inactive";
  patches?: FakePatch[];
}

export interface FakeCall {
  service: "ssm" | "sts" | "resource-groups" | "s3";
  op: string;
  account: string;
  region: string;
  body: Record<string, unknown>;
  /** HTTP status sent (0 when the client went away first). */
  status: number;
}

export interface ThrottleRule {
  op: string;
  account?: string;
  region?: string;
  /** The n-th call (1-based) of `op` for that account-region is throttled. */
  atCall: number;
  /** How many calls in a row from there are throttled. @default 1 */
  times?: number;
}

export interface AutomationPlan {
  /** Statuses of the parent execution, one per GetAutomationExecution; the last one repeats. */
  parentStatuses: string[];
  /** Step status per "account/region"; others get `defaultTargetStatus`. */
  targetStatuses?: Record<string, string>;
  /** Step failure message per "account/region". */
  failureMessages?: Record<string, string>;
  defaultTargetStatus?: string;
  /** "account/region" targets SSM never reached (no step execution listed). */
  omit?: string[];
  /**
   * Child executions (DescribeAutomationExecutions, filter ParentExecutionId): "perTarget" lists
   * one child per account-region (the default), "none" lists no children.
   */
  children?: "perTarget" | "none";
  /** Step executions: "perTarget" (the default) or one per TargetLocation, as SSM lists them. */
  steps?: "perTarget" | "perLocation";
  /** An earlier attempt per "account/region" with this status, listed after the newer one. */
  olderAttempts?: Record<string, string>;
}

interface Execution {
  id: string;
  clientToken?: string;
  tags: { Key: string; Value: string }[];
  startTime: number;
  input: Record<string, unknown>;
  account: string;
  region: string;
  polls: number;
}

interface RoleSpec {
  account: string;
  externalId?: string;
}

/** Parent statuses under which child steps are still reported as running. */
const STILL_RUNNING = new Set([
  "Pending",
  "InProgress",
  "Waiting",
  "PendingApproval",
  "Approved",
  "Scheduled",
  "RunbookInProgress",
  "PendingChangeCalendarOverride",
  "ChangeCalendarOverrideApproved",
  "Cancelling",
]);

/** Idle time before the server closes a kept-alive connection. */
const KEEP_ALIVE_MS = 60_000;

function epoch(d: Date): number {
  return d.getTime() / 1000;
}

export class FakeAws {
  url = "";
  readonly calls: FakeCall[] = [];
  /** Access key id → account, for the caller's own (default chain) credentials. */
  readonly baseKeys = new Map<string, string>();
  readonly roles = new Map<string, RoleSpec>();
  readonly unassumable = new Set<string>();
  /** Managed nodes per "account/region". */
  readonly instances = new Map<string, FakeInstance[]>();
  /** SSM's patch catalog (DescribeAvailablePatches), the same in every account-region. */
  readonly catalog: FakeCatalogPatch[] = [];
  /** Refuse DescribeInstancePatches requests botocore's model refuses (fixtures with real ids). */
  strictPatches = false;
  /** Documents per "account/region/name". */
  readonly documents = new Map<string, { type: string; sharedWith: string[] }>();
  readonly throttles: ThrottleRule[] = [];
  /** Resource groups per "account/region/name". */
  readonly resourceGroups = new Set<string>();
  /** AvailableSecurityUpdatesComplianceStatus per "account/region/baselineId" (GetPatchBaseline). */
  readonly baselines = new Map<string, string>();
  /** Accounts whose credentials may not call resource-groups:GetGroup. */
  readonly resourceGroupsDenied = new Set<string>();
  readonly executions = new Map<string, Execution>();
  /** S3 objects written with PutObject (path-style), by "bucket/key", with the writing account. */
  readonly s3Objects = new Map<string, { body: string; account: string; contentType?: string }>();
  plan: AutomationPlan = { parentStatuses: ["Success"], defaultTargetStatus: "Success" };
  /** Lifetime of the credentials AssumeRole issues (capped by DurationSeconds). */
  credentialLifetimeMs = 3_600_000;
  /**
   * SSM's documentation says a ClientToken "can't be reused" (StartAutomationExecutionRequest)
   * and does not say for how long a used one is remembered. When set, a reused token is no longer
   * recognised, so a start that relies on it starts a second execution.
   */
  forgetClientTokens = false;
  /** DescribeAutomationExecutions does not list parent executions yet. */
  unlisted = false;
  /** Never answer any request (the connection stays open). */
  silent = false;
  latencyMs = 0;
  /** Hold the first StartAutomationExecution response this long (after recording it). */
  holdFirstStartMs = 0;
  /** Largest page the server returns. */
  pageSize = 50;
  /** Requests being served right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** TCP connections accepted so far (keep-alive reuses them across requests). */
  connections = 0;
  private readonly keys = new Map<string, string>();
  /** Session token expiry per access key issued by AssumeRole. */
  private readonly keyExpiry = new Map<string, number>();
  private readonly counters = new Map<string, number>();
  private server?: http.Server;
  private nextId = 1;
  private starts = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void this.handle(req, Buffer.concat(chunks).toString("utf8"), res);
      });
    });
    // Node's HTTP agent keeps an idle socket for the server's advertised keep-alive time minus one
    // second, so a 1 s hint would close every connection after one request. Advertise a long one;
    // stop() closes whatever sockets remain.
    this.server.keepAliveTimeout = KEEP_ALIVE_MS;
    this.server.on("connection", () => {
      this.connections += 1;
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Calls of one operation, optionally for one account-region. */
  callsOf(op: string, account?: string, region?: string): FakeCall[] {
    return this.calls.filter(
      (c) =>
        c.op === op &&
        (account === undefined || c.account === account) &&
        (region === undefined || c.region === region),
    );
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.serve(req, body, res);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async serve(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    if (this.silent) return;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const auth = String(req.headers.authorization ?? "");
    const m = /Credential=([^/]+)\/[0-9]+\/([^/]+)\/([^/]+)\//.exec(auth);
    const accessKey = m?.[1] ?? "";
    const region = m?.[2] ?? "";
    const account = this.keys.get(accessKey) ?? this.baseKeys.get(accessKey) ?? "unknown";
    const target = String(req.headers["x-amz-target"] ?? "");
    if (target.startsWith("AmazonSSM.")) {
      const op = target.slice("AmazonSSM.".length);
      const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const call: FakeCall = { service: "ssm", op, account, region, body: input, status: 0 };
      this.calls.push(call);
      const send = (status: number, payload: unknown) => {
        call.status = status;
        if (res.destroyed || res.writableEnded) {
          call.status = 0;
          return;
        }
        // A sized body, as SSM sends it (no chunked framing).
        const text = JSON.stringify(payload);
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "content-length": Buffer.byteLength(text),
        });
        res.end(text);
      };
      const key = `${op}|${account}|${region}`;
      const n = (this.counters.get(key) ?? 0) + 1;
      this.counters.set(key, n);
      const throttled = this.throttles.some(
        (t) =>
          t.op === op &&
          (t.account === undefined || t.account === account) &&
          (t.region === undefined || t.region === region) &&
          n >= t.atCall &&
          n < t.atCall + (t.times ?? 1),
      );
      if (account === "unknown") {
        send(400, { __type: "UnrecognizedClientException", message: "unknown access key" });
        return;
      }
      if ((this.keyExpiry.get(accessKey) ?? Infinity) <= Date.now()) {
        send(400, {
          __type: "ExpiredTokenException",
          message: "The security token included in the request is expired",
        });
        return;
      }
      const problems = requestProblems("ssm", op, input);
      if (problems.length > 0) {
        // The JSON protocol's validation error, as SSM answers it.
        send(400, {
          __type: "ValidationException",
          message: `${problems.length} validation error(s) detected: ${problems.join("; ")}`,
        });
        return;
      }
      if (throttled) {
        send(400, { __type: "ThrottlingException", message: "Rate exceeded" });
        return;
      }
      try {
        const [status, payload] = await this.ssm(op, input, account, region);
        send(status, payload);
      } catch (err) {
        send(500, { __type: "InternalServerError", message: String(err) });
      }
      return;
    }
    if (m?.[3] === "s3") {
      // S3 (REST-XML, path-style as the SDK sends it to a custom endpoint): PUT /<bucket>/<key>.
      // Each path segment is percent-decoded whole, as S3 does: the SDK sends "=" as %3D, which
      // decodeURI would leave encoded.
      const [, bucket = "", ...rest] = (req.url ?? "")
        .split("?")[0]
        .split("/")
        .map((segment) => decodeURIComponent(segment));
      const input = { Bucket: bucket, Key: rest.join("/") };
      const call: FakeCall = {
        service: "s3",
        op: req.method === "PUT" ? "PutObject" : String(req.method),
        account,
        region,
        body: input,
        status: 0,
      };
      this.calls.push(call);
      const xml = (status: number, code?: string, message?: string) => {
        call.status = status;
        res.writeHead(status, { "content-type": "application/xml" });
        res.end(
          code
            ? `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`
            : "",
        );
      };
      if (account === "unknown") return xml(403, "InvalidAccessKeyId", "unknown access key");
      if (req.method !== "PUT") return xml(405, "MethodNotAllowed", "only PutObject is served");
      const problems = requestProblems("s3", "PutObject", input);
      if (problems.length > 0) return xml(400, "InvalidArgument", problems.join("; "));
      this.s3Objects.set(`${bucket}/${input.Key}`, {
        body,
        account,
        contentType: req.headers["content-type"] as string | undefined,
      });
      return xml(200);
    }
    if (req.url === "/get-group") {
      // Resource Groups (REST-JSON): the operation is the path.
      const input = JSON.parse(body || "{}") as { Group?: string };
      const call: FakeCall = {
        service: "resource-groups",
        op: "GetGroup",
        account,
        region,
        body: input,
        status: 0,
      };
      this.calls.push(call);
      const reply = (status: number, payload: unknown, type?: string) => {
        call.status = status;
        res.writeHead(status, {
          "content-type": "application/json",
          ...(type ? { "x-amzn-errortype": `${type}:http://internal.amazon.com/` } : {}),
        });
        res.end(JSON.stringify(payload));
      };
      if (account === "unknown")
        return reply(403, { Message: "unknown access key" }, "ForbiddenException");
      if ((this.keyExpiry.get(accessKey) ?? Infinity) <= Date.now()) {
        return reply(
          403,
          { Message: "The security token included in the request is expired" },
          "ExpiredTokenException",
        );
      }
      const problems = requestProblems("resource-groups", "GetGroup", input);
      if (problems.length > 0) {
        return reply(400, { Message: problems.join("; ") }, "BadRequestException");
      }
      if (this.resourceGroupsDenied.has(account)) {
        return reply(
          403,
          { Message: `not authorized to perform: resource-groups:GetGroup` },
          "ForbiddenException",
        );
      }
      if (!this.resourceGroups.has(`${account}/${region}/${input.Group}`)) {
        return reply(404, { Message: "Cannot find group" }, "NotFoundException");
      }
      return reply(200, {
        Group: {
          Name: input.Group,
          GroupArn: `arn:aws:resource-groups:${region}:${account}:group/${input.Group}`,
        },
      });
    }
    const form = new URLSearchParams(body);
    const action = form.get("Action") ?? "";
    const params: Record<string, unknown> = {};
    for (const [k, v] of form) params[k] = v;
    const call: FakeCall = { service: "sts", op: action, account, region, body: params, status: 0 };
    this.calls.push(call);
    const [status, xml] = this.sts(action, form, accessKey);
    call.status = status;
    res.writeHead(status, { "content-type": "text/xml" });
    res.end(xml);
  }

  private sts(action: string, form: URLSearchParams, callerKey: string): [number, string] {
    const ns = "https://sts.amazonaws.com/doc/2011-06-15/";
    const error = (status: number, code: string, message: string): [number, string] => [
      status,
      `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${code}</Code>` +
        `<Message>${message}</Message></Error><RequestId>fake-1</RequestId></ErrorResponse>`,
    ];
    if (action !== "AssumeRole") return error(400, "InvalidAction", `unsupported ${action}`);
    if (!this.baseKeys.has(callerKey) && !this.keys.has(callerKey)) {
      return error(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
    }
    if ((this.keyExpiry.get(callerKey) ?? Infinity) <= Date.now()) {
      return error(400, "ExpiredToken", "The security token included in the request is expired");
    }
    const request: Record<string, unknown> = {};
    for (const [k, v] of form) {
      if (k === "Action" || k === "Version") continue;
      request[k] = k === "DurationSeconds" ? Number(v) : v;
    }
    const problems = requestProblems("sts", "AssumeRole", request);
    if (problems.length > 0) return error(400, "ValidationError", problems.join("; "));
    const arn = form.get("RoleArn") ?? "";
    const session = form.get("RoleSessionName") ?? "";
    const duration = Number(form.get("DurationSeconds") ?? "3600");
    const role = this.roles.get(arn);
    const denied = () =>
      error(
        403,
        "AccessDenied",
        `User is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
      );
    if (!role || this.unassumable.has(arn)) return denied();
    if (role.externalId !== undefined && form.get("ExternalId") !== role.externalId)
      return denied();
    if (!/^[\w+=,.@-]{2,64}$/.test(session))
      return error(400, "ValidationError", "bad session name");
    if (duration > 3600)
      return error(400, "ValidationError", "DurationSeconds exceeds the 1 hour limit");
    const id = this.nextId++;
    const accessKey = `ASIA${role.account}${String(id).padStart(4, "0")}`;
    this.keys.set(accessKey, role.account);
    const expiresAt = Date.now() + Math.min(duration * 1000, this.credentialLifetimeMs);
    this.keyExpiry.set(accessKey, expiresAt);
    const expiration = new Date(expiresAt).toISOString();
    return [
      200,
      `<AssumeRoleResponse xmlns="${ns}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${accessKey}</AccessKeyId><SecretAccessKey>secret${id}</SecretAccessKey>` +
        `<SessionToken>token${id}</SessionToken><Expiration>${expiration}</Expiration>` +
        `</Credentials><AssumedRoleUser><Arn>${arn}/${session}</Arn>` +
        `<AssumedRoleId>AROA${id}:${session}</AssumedRoleId></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>fake-${id}</RequestId>` +
        `</ResponseMetadata></AssumeRoleResponse>`,
    ];
  }

  private page<T>(items: T[], input: Record<string, unknown>): { items: T[]; next?: string } {
    const start = Number(input.NextToken ?? 0);
    const size = Math.min(Number(input.MaxResults ?? this.pageSize), this.pageSize);
    const slice = items.slice(start, start + size);
    return start + size < items.length
      ? { items: slice, next: String(start + size) }
      : { items: slice };
  }

  private async ssm(
    op: string,
    input: Record<string, unknown>,
    account: string,
    region: string,
  ): Promise<[number, unknown]> {
    const where = `${account}/${region}`;
    const invalid = (type: string, message: string): [number, unknown] => [
      400,
      { __type: type, message },
    ];
    switch (op) {
      case "DescribeInstanceInformation": {
        const all = this.instances.get(where) ?? [];
        const { items, next } = this.page(all, input);
        return [
          200,
          {
            InstanceInformationList: items.map((i) => ({
              InstanceId: i.id,
              PingStatus: i.pingStatus ?? "Online",
              ...(i.name ? { ComputerName: i.name } : {}),
              ...(i.platform ? { PlatformName: i.platform } : {}),
            })),
            ...(next ? { NextToken: next } : {}),
          },
        ];
      }
      case "DescribeInstancePatchStates": {
        const ids = (input.InstanceIds as string[] | undefined) ?? [];
        if (ids.length === 0 || ids.length > 50) {
          return invalid("ValidationException", "InstanceIds must hold 1 to 50 ids");
        }
        const byId = new Map((this.instances.get(where) ?? []).map((i) => [i.id, i]));
        const states = ids
          .map((id) => byId.get(id))
          .filter((i): i is FakeInstance => i !== undefined && !i.noState);
        const { items, next } = this.page(states, input);
        return [
          200,
          {
            InstancePatchStates: items.map((i) => ({
              InstanceId: i.id,
              PatchGroup: i.patchGroup ?? "",
              BaselineId: i.baselineId ?? "pb-0123456789abcdef0",
              ...(i.otherNonCompliant !== undefined
                ? { OtherNonCompliantCount: i.otherNonCompliant }
                : {}),
              ...(i.availableSecurityUpdates !== undefined
                ? { AvailableSecurityUpdateCount: i.availableSecurityUpdates }
                : {}),
              InstalledCount: i.installed ?? 0,
              InstalledPendingRebootCount: i.pendingReboot ?? 0,
              MissingCount: i.missing ?? 0,
              FailedCount: i.failed ?? 0,
              CriticalNonCompliantCount: i.critical ?? 0,
              SecurityNonCompliantCount: i.security ?? 0,
              Operation: i.operation ?? "Scan",
              OperationStartTime: epoch(i.operationEnd ?? new Date(0)) - 60,
              OperationEndTime: epoch(i.operationEnd ?? new Date(0)),
            })),
            ...(next ? { NextToken: next } : {}),
          },
        ];
      }
      case "GetPatchBaseline": {
        const key = `${where}/${String(input.BaselineId)}`;
        if (!this.baselines.has(key)) {
          return invalid("DoesNotExistException", `baseline ${String(input.BaselineId)} not found`);
        }
        return [
          200,
          {
            BaselineId: input.BaselineId,
            AvailableSecurityUpdatesComplianceStatus: this.baselines.get(key),
          },
        ];
      }
      case "DescribeInstancePatches": {
        const inst = (this.instances.get(where) ?? []).find((i) => i.id === input.InstanceId);
        if (!inst) return invalid("InvalidInstanceId", `no instance ${String(input.InstanceId)}`);
        return describeInstancePatches(
          inst.patches ?? [],
          input,
          this.pageSize,
          this.strictPatches,
        );
      }
      case "DescribeAvailablePatches":
        return describeAvailablePatches(this.catalog, input, this.pageSize);
      case "DescribeDocument": {
        const doc = this.documents.get(`${where}/${String(input.Name)}`);
        if (!doc) return invalid("InvalidDocument", "The specified document does not exist.");
        return [200, { Document: { Name: input.Name, DocumentType: doc.type, Status: "Active" } }];
      }
      case "DescribeDocumentPermission": {
        const doc = this.documents.get(`${where}/${String(input.Name)}`);
        if (!doc) return invalid("InvalidDocument", "The specified document does not exist.");
        const { items, next } = this.page(doc.sharedWith, input);
        return [200, { AccountIds: items, ...(next ? { NextToken: next } : {}) }];
      }
      case "StartAutomationExecution": {
        this.starts += 1;
        if (!this.documents.has(`${where}/${String(input.DocumentName)}`)) {
          return invalid(
            "AutomationDefinitionNotFoundException",
            `Automation definition ${String(input.DocumentName)} not found`,
          );
        }
        const token = input.ClientToken as string | undefined;
        const existing = this.forgetClientTokens
          ? undefined
          : [...this.executions.values()].find(
              (e) => token !== undefined && e.clientToken?.toLowerCase() === token.toLowerCase(),
            );
        if (existing) {
          // IdempotentParameterMismatch: "an idempotent operation is retried and the parameters
          // don't match the original call to the API with the same idempotency token" (botocore
          // ssm model, shape IdempotentParameterMismatch). A retry with the same parameters is the
          // same request.
          if (JSON.stringify(existing.input) !== JSON.stringify(input)) {
            return invalid(
              "IdempotentParameterMismatch",
              "ClientToken reused with other parameters",
            );
          }
          return [200, { AutomationExecutionId: existing.id }];
        }
        // AutomationExecutionId is 36 characters (botocore ssm model): a UUID.
        const id = `${String(this.nextId++).padStart(8, "0")}-0000-4000-8000-000000000000`;
        this.executions.set(id, {
          id,
          clientToken: token,
          tags: (input.Tags as { Key: string; Value: string }[] | undefined) ?? [],
          startTime: Date.now() / 1000,
          input,
          account,
          region,
          polls: 0,
        });
        if (this.starts === 1 && this.holdFirstStartMs > 0) {
          await new Promise((r) => setTimeout(r, this.holdFirstStartMs));
        }
        return [200, { AutomationExecutionId: id }];
      }
      case "ListTagsForResource": {
        const ex = this.executions.get(String(input.ResourceId));
        if (input.ResourceType !== "Automation" || !ex || `${ex.account}/${ex.region}` !== where) {
          return invalid("InvalidResourceId", "The resource ID isn't valid.");
        }
        return [200, { TagList: ex.tags }];
      }
      case "GetAutomationExecution": {
        const ex = this.executions.get(String(input.AutomationExecutionId));
        if (!ex) return invalid("AutomationExecutionNotFoundException", "no such execution");
        const seq = this.plan.parentStatuses;
        const status = seq[Math.min(ex.polls, seq.length - 1)];
        ex.polls += 1;
        return [
          200,
          {
            AutomationExecution: {
              AutomationExecutionId: ex.id,
              DocumentName: ex.input.DocumentName,
              AutomationExecutionStatus: status,
            },
          },
        ];
      }
      case "DescribeAutomationStepExecutions": {
        const ex = this.executions.get(String(input.AutomationExecutionId));
        if (!ex) return invalid("AutomationExecutionNotFoundException", "no such execution");
        const seq = this.plan.parentStatuses;
        const done = ex.polls >= seq.length && !STILL_RUNNING.has(seq[seq.length - 1]);
        const steps: unknown[] = [];
        let n = 0;
        for (const loc of (ex.input.TargetLocations as {
          Accounts: string[];
          Regions: string[];
        }[]) ?? []) {
          if (this.plan.steps === "perLocation") {
            n += 1;
            steps.push({
              StepName: `location-${n}`,
              StepExecutionId: `step-${n}`,
              StepStatus: done ? "Success" : "InProgress",
              ExecutionStartTime: 1_764_000_000 + n,
              TargetLocation: { Accounts: loc.Accounts, Regions: loc.Regions },
            });
            continue;
          }
          for (const a of loc.Accounts) {
            for (const r of loc.Regions) {
              const key = `${a}/${r}`;
              if (this.plan.omit?.includes(key)) continue;
              n += 1;
              const status = done
                ? (this.plan.targetStatuses?.[key] ?? this.plan.defaultTargetStatus ?? "Success")
                : "InProgress";
              const failure = this.plan.failureMessages?.[key];
              steps.push({
                StepName: `patch-${a}-${r}`,
                StepExecutionId: `step-${n}`,
                StepStatus: status,
                ExecutionStartTime: 1_764_000_000 + n,
                TargetLocation: { Accounts: [a], Regions: [r] },
                ...(failure ? { FailureMessage: failure } : {}),
              });
            }
          }
        }
        const { items, next } = this.page(steps, input);
        return [200, { StepExecutions: items, ...(next ? { NextToken: next } : {}) }];
      }
      case "DescribeAutomationExecutions":
        return this.describeExecutions(input, account, region);
      default:
        return invalid("InvalidAction", `the fake does not implement ${op}`);
    }
  }

  /**
   * DescribeAutomationExecutions as its API reference documents it: every execution of the
   * caller's account and region (parents started there, and the child executions SSM starts in
   * that account and region for a multi-account parent — "the automation you run from the primary
   * account starts child automations in each of the target accounts", user guide), narrowed by
   * the documented filter keys (AutomationExecutionFilterKey in the botocore model), with the
   * members of AutomationExecutionMetadata. Unknown keys were already refused by validation.
   */
  private describeExecutions(
    input: Record<string, unknown>,
    account: string,
    region: string,
  ): [number, unknown] {
    const filters = (input.Filters as { Key: string; Values: string[] }[] | undefined) ?? [];
    const seq = this.plan.parentStatuses;
    const all: { meta: Record<string, unknown>; tags: { Key: string; Value: string }[] }[] = [];
    for (const ex of this.executions.values()) {
      const status = seq[Math.min(Math.max(ex.polls - 1, 0), seq.length - 1)];
      if (ex.account === account && ex.region === region && !this.unlisted) {
        all.push({
          tags: ex.tags,
          meta: {
            AutomationExecutionId: ex.id,
            DocumentName: ex.input.DocumentName,
            AutomationExecutionStatus: status,
            ExecutionStartTime: ex.startTime,
            AutomationType: ex.input.TargetLocations ? "CrossAccount" : "Local",
          },
        });
      }
      const done = ex.polls >= seq.length && !STILL_RUNNING.has(seq[seq.length - 1]);
      if (this.plan.children === "none") continue;
      let n = 0;
      for (const loc of (ex.input.TargetLocations as {
        Accounts: string[];
        Regions: string[];
        ExecutionRoleName?: string;
      }[]) ?? []) {
        for (const a of loc.Accounts) {
          for (const r of loc.Regions) {
            const key = `${a}/${r}`;
            n += 1;
            if (this.plan.omit?.includes(key) || a !== account || r !== region) continue;
            const role = loc.ExecutionRoleName ?? "AWS-SystemsManager-AutomationExecutionRole";
            const failure = this.plan.failureMessages?.[key];
            all.push({
              tags: [],
              meta: {
                AutomationExecutionId: `${ex.id}-child-${n}`,
                ParentAutomationExecutionId: ex.id,
                DocumentName: ex.input.DocumentName,
                AutomationExecutionStatus: done
                  ? (this.plan.targetStatuses?.[key] ?? this.plan.defaultTargetStatus ?? "Success")
                  : "InProgress",
                ExecutionStartTime: ex.startTime + n,
                ExecutedBy: arnOf(a, role),
                AutomationType: "Local",
                ...(failure ? { FailureMessage: failure } : {}),
              },
            });
            const older = this.plan.olderAttempts?.[key];
            if (older !== undefined) {
              all.push({
                tags: [],
                meta: {
                  AutomationExecutionId: `${ex.id}-child-${n}-earlier`,
                  ParentAutomationExecutionId: ex.id,
                  DocumentName: ex.input.DocumentName,
                  AutomationExecutionStatus: older,
                  ExecutionStartTime: ex.startTime + n - 0.5,
                  ExecutedBy: arnOf(a, role),
                  AutomationType: "Local",
                },
              });
            }
          }
        }
      }
    }
    const matches = all.filter(({ meta, tags }) =>
      filters.every((f) => {
        const v = f.Values;
        switch (f.Key) {
          case "ParentExecutionId":
            return v.includes(String(meta.ParentAutomationExecutionId));
          case "ExecutionId":
            return v.includes(String(meta.AutomationExecutionId));
          case "DocumentNamePrefix":
            return v.some((p) => String(meta.DocumentName).startsWith(p));
          case "ExecutionStatus":
            return v.includes(String(meta.AutomationExecutionStatus));
          case "AutomationType":
            return v.includes(String(meta.AutomationType));
          case "TagKey":
            return tags.some((t) => v.includes(t.Key));
          case "StartTimeAfter":
            return v.every((t) => Number(meta.ExecutionStartTime) >= Date.parse(t) / 1000);
          case "StartTimeBefore":
            return v.every((t) => Number(meta.ExecutionStartTime) <= Date.parse(t) / 1000);
          default:
            // CurrentAction, TargetResourceGroup, AutomationSubtype, OpsItemId: nothing here has them.
            return false;
        }
      }),
    );
    const { items, next } = this.page(
      matches.map((m) => m.meta),
      input,
    );
    return [200, { AutomationExecutionMetadataList: items, ...(next ? { NextToken: next } : {}) }];
  }
}

/** An AWS account id inside an ARN (arn:partition:service:region:account:...). */
function arnOf(account: string, role: string): string {
  return `arn:aws:sts::${account}:assumed-role/${role}/Automation-${account}`;
}

/** Fake credentials and region in the environment, and no instance metadata lookups. */
export function useFakeEnv(accessKeyId: string): () => void {
  const keys = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
  ];
  const saved = new Map(keys.map((k) => [k, process.env[k]]));
  process.env.AWS_ACCESS_KEY_ID = accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = "fake-secret";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  process.env.AWS_CONFIG_FILE = "/nonexistent/patchfleet-test-config";
  process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/patchfleet-test-credentials";
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
