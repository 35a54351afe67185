/**
 * pulumi-resource-aws for the engine tests: a stand-in AWS provider served with
 * @pulumi/pulumi/provider. It answers at the version @pulumi/aws asks for, keeps resources in
 * local JSON files (cloud.ts), and refuses inputs as AWS and the real provider would (rules.ts).
 *
 * Provider config (region, assumeRoles, allowedAccountIds) arrives in the engine's Configure
 * call, which @pulumi/pulumi/provider does not hand to a Provider; it is read off the gRPC
 * request before the SDK's own handler runs.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { fileOf, withRecords } from "./cloud";
import type { Scope } from "./cloud";
import { RULES, UNKNOWN, problems } from "./rules";

// The version of the aws plugin that @pulumi/aws 7.48.0 requests (its package.json `pulumi`).
const VERSION = "7.48.0";

type Props = Record<string, unknown>;

interface AwsConfig {
  region?: string;
  assumeRoles?: { roleArn?: string }[];
  allowedAccountIds?: string[];
  forbiddenAccountIds?: string[];
}

let config: AwsConfig = {};

function parseMaybeJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function captureConfigure(): void {
  const grpcPath = require.resolve("@grpc/grpc-js", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))],
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(grpcPath) as {
    Server: {
      prototype: { addService: (service: unknown, impl: Record<string, unknown>) => void };
    };
  };
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, impl) {
    const configure = impl.configure as ((call: unknown, cb: unknown) => void) | undefined;
    if (configure) {
      impl.configure = (call: { request: ConfigureRequest }, cb: unknown) => {
        config = readConfig(call.request);
        configure.call(impl, call, cb);
      };
    }
    addService.call(this, service, impl);
  };
}

interface ConfigureRequest {
  getArgs?: () => { toJavaScript: () => Props } | undefined;
  getVariablesMap: () => { toObject: () => [string, string][] };
}

function readConfig(req: ConfigureRequest): AwsConfig {
  const args = req.getArgs?.()?.toJavaScript();
  if (args && Object.keys(args).length > 0) {
    return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, parseMaybeJson(v)]));
  }
  const out: Props = {};
  for (const [k, v] of req.getVariablesMap().toObject()) {
    out[k.replace(/^aws:(config:)?/, "")] = parseMaybeJson(v);
  }
  return out;
}

/** The account the credentials land in: the assumed role's, else the ambient one. */
function scope(): Scope {
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    // Terraform AWS provider docs: region is required, from config or AWS_REGION.
    throw new Error("missing region: set aws:region or the provider's region (or AWS_REGION)");
  }
  const roleArn = config.assumeRoles?.[0]?.roleArn;
  const account = roleArn
    ? (/^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(roleArn)?.[1] ?? "")
    : (process.env.PATCHFLEET_STANDIN_ACCOUNT ?? "000000000000");
  if (!account) throw new Error(`assume_role.role_arn ${roleArn} is not an IAM role ARN`);
  // Terraform AWS provider docs, allowed_account_ids: "List of allowed AWS account IDs to prevent
  // you from mistakenly using an incorrect one".
  if (config.allowedAccountIds?.length && !config.allowedAccountIds.includes(account)) {
    throw new Error(`AWS account ID not allowed: ${account}`);
  }
  if (config.forbiddenAccountIds?.includes(account)) {
    throw new Error(`AWS account ID not allowed: ${account}`);
  }
  return { account, region };
}

function typeOf(urn: string): string {
  // urn:pulumi:<stack>::<project>::<parent types $ ...>type::name
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? qualified;
}

function hex(n: number): string {
  return crypto.randomBytes(n).toString("hex").slice(0, n);
}

/** The id and computed outputs AWS returns for a new resource. */
function computed(type: string, p: Props, s: Scope): { id: string; outs: Props } {
  const part = "aws";
  const arn = (service: string, resource: string, region = s.region): string =>
    `arn:${part}:${service}:${region}:${s.account}:${resource}`;
  const tagsAll = p.tags ?? {};
  switch (type) {
    case "aws:ssm/patchBaseline:PatchBaseline": {
      const id = `pb-${hex(17)}`;
      return { id, outs: { arn: arn("ssm", `patchbaseline/${id}`), tagsAll } };
    }
    case "aws:ssm/maintenanceWindow:MaintenanceWindow": {
      const id = `mw-${hex(17)}`;
      return { id, outs: { enabled: p.enabled ?? true, tagsAll } };
    }
    case "aws:ssm/document:Document": {
      const id = String(p.name);
      return {
        id,
        outs: {
          arn: arn("ssm", `document/${id}`),
          documentVersion: "1",
          latestVersion: "1",
          defaultVersion: "1",
          status: "Active",
          owner: s.account,
          tagsAll,
        },
      };
    }
    case "aws:iam/role:Role": {
      const id = String(p.name);
      return {
        id,
        outs: {
          arn: `arn:${part}:iam::${s.account}:role${String(p.path ?? "/")}${id}`,
          uniqueId: `AROA${hex(17).toUpperCase()}`,
          createDate: new Date().toISOString(),
          tagsAll,
        },
      };
    }
    case "aws:s3/bucket:Bucket": {
      const id = String(p.bucket ?? `${String(p.bucketPrefix ?? "terraform-")}${hex(24)}`);
      return {
        id,
        outs: {
          bucket: id,
          arn: `arn:${part}:s3:::${id}`,
          bucketDomainName: `${id}.s3.amazonaws.com`,
          region: s.region,
          tagsAll,
        },
      };
    }
    case "aws:resourcegroups/group:Group": {
      const id = String(p.name);
      return { id, outs: { arn: arn("resource-groups", `group/${id}`), tagsAll } };
    }
    case "aws:ssm/patchGroup:PatchGroup":
      return { id: `${String(p.patchGroup)},${String(p.baselineId)}`, outs: {} };
    case "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget":
    case "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": {
      const id = crypto.randomUUID();
      return {
        id,
        outs: type.endsWith("Task")
          ? { windowTaskId: id, arn: arn("ssm", `windowtask/${id}`) }
          : {},
      };
    }
    // Ids and attributes as the provider docs list them: aws_kms_key (id = key id), aws_kms_alias
    // (id = name), aws_sns_topic (id = ARN), aws_sns_topic_policy (id = topic ARN),
    // aws_sns_topic_subscription (id = subscription ARN), aws_cloudwatch_event_rule (id = name),
    // aws_ssm_resource_data_sync (id = name).
    case "aws:kms/key:Key": {
      const id = crypto.randomUUID();
      return { id, outs: { arn: arn("kms", `key/${id}`), keyId: id, tagsAll } };
    }
    case "aws:kms/alias:Alias": {
      const id = String(p.name);
      return { id, outs: { arn: arn("kms", id), targetKeyArn: p.targetKeyId } };
    }
    case "aws:sns/topic:Topic": {
      const id = arn("sns", String(p.name));
      return { id, outs: { arn: id, owner: s.account, tagsAll } };
    }
    case "aws:sns/topicPolicy:TopicPolicy":
      return { id: String(p.arn), outs: { owner: s.account } };
    case "aws:sns/topicSubscription:TopicSubscription": {
      const id = `${String(p.topic)}:${crypto.randomUUID()}`;
      return { id, outs: { arn: id, ownerId: s.account } };
    }
    case "aws:cloudwatch/eventRule:EventRule": {
      const id = String(p.name);
      return { id, outs: { arn: arn("events", `rule/${id}`), tagsAll } };
    }
    case "aws:cloudwatch/eventTarget:EventTarget":
      return { id: `${String(p.rule)}-${String(p.targetId)}`, outs: {} };
    case "aws:ec2/instance:Instance": {
      const id = `i-${hex(17)}`;
      return { id, outs: { arn: arn("ec2", `instance/${id}`), tagsAll } };
    }
    default:
      return { id: String(p.bucket ?? p.name ?? hex(16)), outs: { tagsAll } };
  }
}

/** Inputs that are the user's, not computed by AWS, for diffing. */
function inputsOf(type: string, props: Props): Props {
  const computedKeys = new Set([
    "id",
    "arn",
    "tagsAll",
    "uniqueId",
    "createDate",
    "documentVersion",
    "latestVersion",
    "defaultVersion",
    "status",
    "owner",
    "windowTaskId",
    "bucketDomainName",
    "keyId",
    "targetKeyArn",
    "ownerId",
    "urn",
  ]);
  if (type === "aws:s3/bucket:Bucket") computedKeys.add("region");
  // Here `arn` is an argument (the topic a policy belongs to, a rule target's ARN), not an output.
  if (
    type === "aws:sns/topicPolicy:TopicPolicy" ||
    type === "aws:cloudwatch/eventTarget:EventTarget"
  ) {
    computedKeys.delete("arn");
  }
  return Object.fromEntries(Object.entries(props).filter(([k]) => !computedKeys.has(k)));
}

/**
 * A slow cloud, for tests that need an operation in flight: PATCHFLEET_STANDIN_DELAY_MS per call.
 * PATCHFLEET_STANDIN_GATE names a file: while it exists, every call writes `<gate>.reached` and
 * waits, so a test holds an operation open exactly until it removes the file (no timing guesses).
 */
async function pause(): Promise<void> {
  const gate = process.env.PATCHFLEET_STANDIN_GATE;
  if (gate && fs.existsSync(gate)) {
    fs.writeFileSync(`${gate}.reached`, String(process.pid));
    while (fs.existsSync(gate)) await new Promise((r) => setTimeout(r, 50));
  }
  const ms = Number(process.env.PATCHFLEET_STANDIN_DELAY_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

function refuse(type: string, found: string[]): never {
  throw new Error(`${type}: ${found.join("; ")}`);
}

const standIn: provider.Provider = {
  version: VERSION,

  async check(urn, _olds, news) {
    const type = typeOf(urn);
    const found = problems(type, news as Props);
    return {
      inputs: news as Props,
      failures: found.map((reason) => ({ property: reason.split(":")[0] ?? "", reason })),
    };
  },

  async diff(_id, urn, olds, news) {
    const type = typeOf(urn);
    const before = inputsOf(type, olds as Props);
    const after = news as Props;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
    );
    const replaceOn = RULES[type]?.replaceOn ?? [];
    return {
      changes: changed.length > 0,
      replaces: changed.filter(
        (k) => replaceOn.includes(k) || (after[k] === UNKNOWN && replaceOn.includes(k)),
      ),
    };
  },

  async create(urn, inputs) {
    await pause();
    const type = typeOf(urn);
    const s = scope();
    const found = problems(type, inputs as Props);
    if (found.length > 0) refuse(type, found);
    const { id, outs } = computed(type, inputs as Props, s);
    await withRecords(fileOf(type, s), (records) => {
      const byId = (records[type] ??= {});
      // AWS refuses a second resource of the same name: EntityAlreadyExists (IAM CreateRole),
      // DocumentAlreadyExists (SSM CreateDocument), BucketAlreadyExists (S3 CreateBucket).
      if (byId[id]) throw new Error(`${type} ${id} already exists in ${s.account} ${s.region}`);
      byId[id] = { ...(inputs as Props), ...outs };
    });
    return { id, outs: { ...(inputs as Props), ...outs } };
  },

  async read(id, urn, props) {
    await pause();
    const type = typeOf(urn);
    const s = scope();
    const found = await withRecords(fileOf(type, s), (records) => records[type]?.[id]);
    // A resource gone from the cloud reads as no id: the engine drops it from the stack.
    return found
      ? { id, props: found, inputs: inputsOf(type, found) }
      : { id: undefined, props: props ?? {} };
  },

  async update(id, urn, olds, news) {
    await pause();
    const type = typeOf(urn);
    const s = scope();
    const found = problems(type, news as Props);
    if (found.length > 0) refuse(type, found);
    const computedOld = Object.fromEntries(
      Object.entries(olds as Props).filter(([k]) => !(k in inputsOf(type, olds as Props))),
    );
    const outs = { ...computedOld, ...(news as Props), tagsAll: (news as Props).tags ?? {} };
    await withRecords(fileOf(type, s), (records) => {
      (records[type] ??= {})[id] = outs;
    });
    return { outs };
  },

  async delete(id, urn) {
    await pause();
    const type = typeOf(urn);
    const s = scope();
    await withRecords(fileOf(type, s), (records) => {
      delete records[type]?.[id];
    });
  },

  async invoke(token) {
    const s = scope();
    switch (token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        // STS GetCallerIdentity: Account, Arn, UserId (sts.json GetCallerIdentityResponse).
        return {
          outputs: {
            accountId: s.account,
            arn: `arn:aws:sts::${s.account}:assumed-role/patchfleet/standin`,
            userId: "AROASTANDIN:standin",
            id: s.account,
          },
        };
      case "aws:index/getRegion:getRegion":
        return {
          outputs: {
            name: s.region,
            region: s.region,
            id: s.region,
            endpoint: `ec2.${s.region}.amazonaws.com`,
          },
        };
      case "aws:index/getPartition:getPartition":
        return {
          outputs: {
            partition: "aws",
            dnsSuffix: "amazonaws.com",
            id: "aws",
            reverseDnsPrefix: "com.amazonaws",
          },
        };
      default:
        throw new Error(`the stand-in AWS provider does not answer ${token}`);
    }
  },
};

captureConfigure();
void provider.main(standIn, process.argv.slice(2));
