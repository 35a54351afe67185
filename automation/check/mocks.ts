/**
 * Deterministic stand-ins for what the cloud would compute: resource ids, ARNs, auto-generated
 * names and the answers of the AWS data sources a patch topology reads. The same program and target
 * always yield the same values, so two checks of one fleet print identical reports.
 */
import type * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../../domain";

/** FNV-1a, 32 bits, as 8 hex digits: stable across runs and machines, cheap. */
export function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const hash = (h >>> 0).toString(16).padStart(8, "0");
  hashLog?.push([text, hash]);
  return hash;
}

/** The first `length` digits of stableHash(text), recorded as such. */
function shortHash(text: string, length: number): string {
  const hash = stableHash(text).slice(0, length);
  hashLog?.push([text, hash]);
  return hash;
}

/**
 * Every (input, hash) the mocks computed, in order, while recording: the shared synthesis of the
 * check (restamp.ts) recomputes them for each account-region its synthesis stands for.
 */
export type HashLog = [input: string, hash: string][];
let hashLog: HashLog | undefined;

/** Starts recording hashes; the returned function stops and returns them. */
export function recordHashes(): () => HashLog {
  const log: HashLog = [];
  hashLog = log;
  return () => {
    if (hashLog === log) hashLog = undefined;
    return log;
  };
}

/** Id prefixes AWS uses for resources whose ids are generated, so mock ids read like real ones. */
const ID_PREFIXES: Record<string, string> = {
  "aws:ssm/patchBaseline:PatchBaseline": "pb-",
  "aws:ssm/maintenanceWindow:MaintenanceWindow": "mw-",
  "aws:ec2/instance:Instance": "i-",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
  "aws:ec2/securityGroup:SecurityGroup": "sg-",
  "aws:ec2/vpc:Vpc": "vpc-",
  "aws:ec2/subnet:Subnet": "subnet-",
};

/** Services whose ARNs carry no region (IAM) or neither region nor account (S3 buckets). */
const GLOBAL_SERVICES = new Set(["iam", "s3", "organizations", "cloudfront", "route53"]);
const ACCOUNTLESS_SERVICES = new Set(["s3"]);
const SERVICE_NAMES: Record<string, string> = {
  resourcegroups: "resource-groups",
  cloudwatch: "logs",
  autoscaling: "autoscaling",
};

/** Splits `aws:ssm/patchBaseline:PatchBaseline` into its package, module and resource name. */
function splitType(type: string): { pkg: string; module: string; resource: string } {
  const [pkg = "", middle = "", resource = ""] = type.split(":");
  const module = middle.split("/")[0] ?? "";
  return { pkg, module, resource };
}

export interface MockTarget {
  account: string;
  /** Region of resources registered without an explicit provider (the default provider). */
  defaultRegion: string;
}

/**
 * The `pulumi.runtime.Mocks` of the offline check. Regions come from the provider each resource is
 * registered with: the synthesis engine reports every provider it sees through `recordProvider`.
 */
export class CheckMocks implements pulumi.runtime.Mocks {
  private readonly providerRegions = new Map<string, string>();

  constructor(private readonly target: MockTarget) {}

  /** Remember a provider's region under its reference (`urn::id`). */
  recordProvider(ref: string, region: string | undefined): void {
    this.providerRegions.set(ref, region ?? this.target.defaultRegion);
  }

  /** The region a provider reference stands for; the default region when none is given. */
  regionOf(providerRef: string | undefined): string {
    if (!providerRef) return this.target.defaultRegion;
    return this.providerRegions.get(providerRef) ?? this.target.defaultRegion;
  }

  /** The deterministic id of a resource. Providers get one too, as the engine gives them. */
  static idFor(type: string, name: string): string {
    const hash = stableHash(`${type}::${name}`);
    const prefix = ID_PREFIXES[type];
    if (prefix) return `${prefix}${hash}${stableHash(`${name}::${type}`)}`;
    return `${name}-${hash}`;
  }

  arnFor(type: string, physicalName: string, region: string): string {
    const { module, resource } = splitType(type);
    const service = SERVICE_NAMES[module] ?? module;
    const partition = partitionOf(region || this.target.defaultRegion);
    const arnRegion = GLOBAL_SERVICES.has(service) ? "" : region;
    const account = ACCOUNTLESS_SERVICES.has(service) ? "" : this.target.account;
    const kind = resource.toLowerCase();
    const path = service === "s3" ? physicalName : `${kind}/${physicalName}`;
    return `arn:${partition}:${service}:${arnRegion}:${account}:${path}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): {
    id: string;
    state: Record<string, unknown>;
  } {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (args.type.startsWith("pulumi:providers:")) {
      return { id: CheckMocks.idFor(args.type, args.name), state: { ...inputs } };
    }
    // A read (`Resource.get`) or an import names the id of an existing resource: keep it.
    const id = args.id || CheckMocks.idFor(args.type, args.name);
    const region = this.regionOf(args.provider);
    // Pulumi auto-names resources whose `name` is not given: logical name plus a random suffix.
    // Here the suffix is a hash so the name is stable.
    const autoName = `${args.name}-${shortHash(args.name, 7)}`;
    const state: Record<string, unknown> = { ...inputs };
    if (args.type === "aws:s3/bucket:Bucket" || args.type === "aws:s3/bucketV2:BucketV2") {
      const bucket = typeof inputs.bucket === "string" ? inputs.bucket : autoName;
      state.bucket = bucket;
      state.arn = this.arnFor(args.type, bucket, region);
      state.bucketDomainName = `${bucket}.s3.amazonaws.com`;
      state.region = region;
      return { id: bucket, state };
    }
    const physicalName = typeof inputs.name === "string" ? inputs.name : autoName;
    if (inputs.name === undefined) state.name = physicalName;
    if (inputs.arn === undefined) state.arn = this.arnFor(args.type, physicalName, region);
    if (args.type === "aws:iam/role:Role") state.uniqueId = `AROA${stableHash(physicalName)}`;
    if (args.type === "aws:ssm/patchBaseline:PatchBaseline")
      state.arn = this.arnFor(args.type, id, region);
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const region = this.regionOf(args.provider);
    const partition = partitionOf(region);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: this.target.account,
          accountId: this.target.account,
          arn: `arn:${partition}:iam::${this.target.account}:user/patchfleet-check`,
          userId: "AIDAPATCHFLEETCHECK",
        };
      case "aws:index/getRegion:getRegion":
        return { id: region, name: region, region, description: region, endpoint: "" };
      case "aws:index/getPartition:getPartition":
        return {
          id: partition,
          partition,
          dnsSuffix: partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com",
          reverseDnsPrefix: partition === "aws-cn" ? "cn.com.amazonaws" : "com.amazonaws",
        };
      case "aws:iam/getPolicyDocument:getPolicyDocument": {
        const json = policyDocumentJson(inputs);
        return { ...inputs, id: stableHash(json), json, minifiedJson: json };
      }
      default:
        return inputs;
    }
  }
}

interface PolicyStatementInput {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  notPrincipals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

/** What `aws.iam.getPolicyDocument` renders, enough for policies that parse the document. */
function policyDocumentJson(inputs: Record<string, unknown>): string {
  const statements = (inputs.statements ?? []) as PolicyStatementInput[];
  const principals = (list: { type: string; identifiers: string[] }[]) => {
    const out: Record<string, string[]> = {};
    for (const p of list) out[p.type] = [...(out[p.type] ?? []), ...p.identifiers];
    return out;
  };
  const doc = {
    Version: (inputs.version as string | undefined) ?? "2012-10-17",
    Statement: statements.map((s) => {
      const out: Record<string, unknown> = { Effect: s.effect ?? "Allow" };
      if (s.sid) out.Sid = s.sid;
      if (s.actions) out.Action = s.actions;
      if (s.notActions) out.NotAction = s.notActions;
      if (s.resources) out.Resource = s.resources;
      if (s.notResources) out.NotResource = s.notResources;
      if (s.principals) out.Principal = principals(s.principals);
      if (s.notPrincipals) out.NotPrincipal = principals(s.notPrincipals);
      if (s.conditions) {
        const cond: Record<string, Record<string, string[]>> = {};
        for (const c of s.conditions) cond[c.test] = { ...cond[c.test], [c.variable]: c.values };
        out.Condition = cond;
      }
      return out;
    }),
  };
  return JSON.stringify(doc);
}
