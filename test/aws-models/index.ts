/**
 * AWS's own request constraints, read from the botocore service models in this folder (see
 * scripts/aws-models.js). Tests and local stand-ins call `requestProblems` to refuse what AWS would
 * refuse: missing required members, lengths, patterns, enums, numeric ranges and list sizes.
 *
 * The model validates the wire shape (AWS's member names, e.g. `TargetLocations`), so callers pass
 * the request as the SDK or the JSON protocol sends it.
 */
import * as fs from "node:fs";
import { repoPath } from "../helpers/repo-paths";

export type Service =
  "ssm" | "sts" | "s3" | "resource-groups" | "iam" | "events" | "sns" | "kms" | "account" | "ec2";

interface MemberRef {
  shape: string;
  location?: string;
  locationName?: string;
}

export interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  exception?: boolean;
}

export interface ServiceModel {
  source: string;
  metadata: Record<string, unknown>;
  operations: Record<string, { input?: MemberRef; output?: MemberRef; errors?: MemberRef[] }>;
  shapes: Record<string, Shape>;
}

const cache = new Map<Service, ServiceModel>();

export function model(service: Service): ServiceModel {
  let found = cache.get(service);
  if (!found) {
    found = JSON.parse(
      fs.readFileSync(repoPath("test", "aws-models", `${service}.json`), "utf8"),
    ) as ServiceModel;
    cache.set(service, found);
  }
  return found;
}

/** A shape of a service's model, by name; throws when the model has no such shape. */
export function shape(service: Service, name: string): Shape {
  const found = model(service).shapes[name];
  if (!found) throw new Error(`${service} model has no shape ${name}`);
  return found;
}

/** The shape of one member of a structure, e.g. member("ssm", "PatchFilterGroup", "PatchFilters"). */
export function member(service: Service, structure: string, name: string): Shape {
  const ref = shape(service, structure).members?.[name];
  if (!ref) throw new Error(`${service} shape ${structure} has no member ${name}`);
  return shape(service, ref.shape);
}

/** The error codes an operation is documented to return. */
export function errorCodes(service: Service, operation: string): string[] {
  const op = model(service).operations[operation];
  if (!op) throw new Error(`${service} model has no operation ${operation}`);
  return (op.errors ?? []).map((e) => shape(service, e.shape).error?.code ?? e.shape);
}

function lengthOf(value: string): number {
  // Smithy string lengths count Unicode code points.
  return [...value].length;
}

function check(
  service: Service,
  shapeName: string,
  value: unknown,
  where: string,
  problems: string[],
): void {
  const s = shape(service, shapeName);
  if (value === undefined || value === null) return;
  switch (s.type) {
    case "structure": {
      if (typeof value !== "object" || Array.isArray(value)) {
        problems.push(`${where}: must be an object`);
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const req of s.required ?? []) {
        if (obj[req] === undefined || obj[req] === null) {
          problems.push(`${where}.${req}: is required`);
        }
      }
      for (const [key, v] of Object.entries(obj)) {
        const ref = s.members?.[key];
        if (!ref) {
          problems.push(`${where}.${key}: is not a member of ${shapeName}`);
          continue;
        }
        check(service, ref.shape, v, `${where}.${key}`, problems);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) {
        problems.push(`${where}: must be a list`);
        return;
      }
      if (s.min !== undefined && value.length < s.min) {
        problems.push(`${where}: must have at least ${s.min} item(s), got ${value.length}`);
      }
      if (s.max !== undefined && value.length > s.max) {
        problems.push(`${where}: must have at most ${s.max} item(s), got ${value.length}`);
      }
      value.forEach((item, i) => check(service, s.member!.shape, item, `${where}[${i}]`, problems));
      return;
    }
    case "map": {
      if (typeof value !== "object" || Array.isArray(value)) {
        problems.push(`${where}: must be a map`);
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      if (s.min !== undefined && entries.length < s.min) {
        problems.push(`${where}: must have at least ${s.min} entries, got ${entries.length}`);
      }
      if (s.max !== undefined && entries.length > s.max) {
        problems.push(`${where}: must have at most ${s.max} entries, got ${entries.length}`);
      }
      for (const [k, v] of entries) {
        check(service, s.key!.shape, k, `${where} key ${JSON.stringify(k)}`, problems);
        check(service, s.value!.shape, v, `${where}[${JSON.stringify(k)}]`, problems);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") {
        problems.push(`${where}: must be a string`);
        return;
      }
      const n = lengthOf(value);
      if (s.min !== undefined && n < s.min) {
        problems.push(`${where}: length must be at least ${s.min}, got ${n}`);
      }
      if (s.max !== undefined && n > s.max) {
        problems.push(`${where}: length must be at most ${s.max}, got ${n}`);
      }
      if (s.enum && !s.enum.includes(value)) {
        problems.push(
          `${where}: must be one of ${s.enum.join(", ")}, got ${JSON.stringify(value)}`,
        );
      }
      if (s.pattern !== undefined && !patternRegExp(s.pattern).test(value)) {
        problems.push(`${where}: must match ${s.pattern}, got ${JSON.stringify(value)}`);
      }
      return;
    }
    case "integer":
    case "long":
    case "double":
    case "float": {
      if (typeof value !== "number") {
        problems.push(`${where}: must be a number`);
        return;
      }
      if (s.min !== undefined && value < s.min) problems.push(`${where}: must be ≥ ${s.min}`);
      if (s.max !== undefined && value > s.max) problems.push(`${where}: must be ≤ ${s.max}`);
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${where}: must be a boolean`);
      return;
    case "timestamp":
      if (!(value instanceof Date) && typeof value !== "number" && typeof value !== "string") {
        problems.push(`${where}: must be a timestamp`);
      }
      return;
    case "blob":
      return;
    default:
      return;
  }
}

/**
 * Every way a request breaks the operation's input shape in AWS's model, as
 * "<Operation>.<path>: <problem>" lines; empty when AWS's model accepts it.
 */
export function requestProblems(service: Service, operation: string, request: unknown): string[] {
  const op = model(service).operations[operation];
  if (!op) throw new Error(`${service} model has no operation ${operation}`);
  const problems: string[] = [];
  if (op.input) check(service, op.input.shape, request ?? {}, operation, problems);
  return problems;
}

/** Checks one value against a named shape, e.g. valueProblems("ssm", "PatchFilterList", filters). */
export function valueProblems(service: Service, shapeName: string, value: unknown): string[] {
  const problems: string[] = [];
  check(service, shapeName, value, shapeName, problems);
  return problems;
}

/**
 * botocore's patterns are Java regular expressions; some open with an inline flag group that
 * JavaScript does not accept, e.g. ssm.json shape AccountId: "(?i)all|[0-9]{12}"
 * (ModifyDocumentPermission takes "All" or an account ID). A leading (?i) becomes the i flag.
 */
function patternRegExp(pattern: string): RegExp {
  if (pattern.startsWith("(?i)")) return new RegExp(pattern.slice(4), "ui");
  return new RegExp(pattern, "u");
}
