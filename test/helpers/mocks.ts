/**
 * One shared mock runtime for component tests: records every resource the program registers
 * (type, name, inputs, parent, provider, resource options that reach the engine) and every
 * provider function call, with deterministic ids. Call `installMocks()` in a `before`/`beforeEach`
 * hook (it also clears the record), build, `await settle()`, then assert on `resources`.
 */
import * as pulumi from "@pulumi/pulumi";
import { skipUnreadPromiseStacks } from "../../automation/check/sdk-debug-stacks";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** Inputs as the engine received them (component inputs are always `{}`: pulumi #10533). */
  inputs: Record<string, unknown>;
  custom: boolean;
  /** URN of the parent, undefined for the stack's direct children. */
  parent: string | undefined;
  /** Provider reference `urn::id`, undefined when the default provider is used. */
  provider: string | undefined;
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  dependencies: string[];
  id: string | undefined;
}

export interface RecordedCall {
  token: string;
  inputs: Record<string, unknown>;
}

/** Everything registered since the last `installMocks()`/`resetRecord()`, in order. */
export const resources: RecordedResource[] = [];
/** Every provider function (invoke) called since the last reset. */
export const calls: RecordedCall[] = [];

export const MOCK_PROJECT = "patchfleet";
export const MOCK_STACK = "test";

interface PendingRequest {
  parent: string | undefined;
  replaceOnChanges: string[];
  deleteBeforeReplace: boolean;
  dependencies: string[];
}
let pending: PendingRequest | undefined;
let lastCreated: RecordedResource | undefined;

/** Deterministic id of a mocked resource. */
export function mockId(name: string): string {
  return `${name}-id`;
}

/** Deterministic ARN of a mocked resource that has one. */
export function mockArn(type: string, name: string): string {
  return `arn:aws:mock:::${type}/${name}`;
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const id = args.custom === false ? undefined : mockId(args.name);
    const record: RecordedResource = {
      urn: "",
      type: args.type,
      name: args.name,
      inputs,
      custom: args.custom !== false,
      parent: pending?.parent,
      provider: args.provider === "" ? undefined : args.provider,
      replaceOnChanges: pending?.replaceOnChanges ?? [],
      deleteBeforeReplace: pending?.deleteBeforeReplace ?? false,
      dependencies: pending?.dependencies ?? [],
      id,
    };
    resources.push(record);
    lastCreated = record;
    const state: Record<string, unknown> = { ...inputs, arn: mockArn(args.type, args.name) };
    // Physical names: echo the explicit name, as AWS would.
    if (args.type === "aws:s3/bucket:Bucket") state.bucket = inputs.bucket;
    return { id, state };
  },
  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    calls.push({ token: args.token, inputs: (args.inputs ?? {}) as Record<string, unknown> });
    return {};
  },
};

/** The parts of the monitor request and callback the wrapper below reads. */
interface RegisterRequest {
  getParent(): string;
  getReplaceonchangesList(): string[];
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
}
type RegisterCallback = (err: unknown, resp: { getUrn(): string } | undefined) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: RegisterCallback): Promise<void>;
  __patchfleetWrapped?: boolean;
}

/**
 * Installs the mocks (again) and clears the record. The SDK's mock monitor does not pass the
 * parent or resource options to `newResource`, so its registerResource is wrapped: the wrapper
 * stashes them, and `newResource` (called synchronously at the start of the monitor's
 * registerResource) picks them up; the URN comes from the monitor's own response.
 */
export async function installMocks(): Promise<void> {
  // As in the offline check: the SDK's per-promise debug stacks, source-mapped under ts-node, were
  // most of these tests' CPU, and nothing reads them.
  skipUnreadPromiseStacks();
  await pulumi.runtime.setMocks(mocks, MOCK_PROJECT, MOCK_STACK, false);
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  if (monitor.__patchfleetWrapped !== true) {
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
      pending = {
        parent: req.getParent() === "" ? undefined : req.getParent(),
        replaceOnChanges: req.getReplaceonchangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        dependencies: req.getDependenciesList(),
      };
      lastCreated = undefined;
      let record: RecordedResource | undefined = undefined;
      const done = original(req, (err, resp) => {
        if (err === null && record !== undefined && resp !== undefined) record.urn = resp.getUrn();
        cb(err, resp);
      });
      record = lastCreated;
      pending = undefined;
      return done;
    };
    monitor.__patchfleetWrapped = true;
  }
  resetRecord();
}

export function resetRecord(): void {
  resources.length = 0;
  calls.length = 0;
}

/** Waits until every outstanding registration has reached the mock monitor. */
export async function settle(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs(): Promise<void>;
  };
  await settings.waitForRPCs();
}

/** Resolves an Output's value (mock runtime: always known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    output.apply((v) => {
      resolve(v);
      return v;
    });
  });
}

export function ofType(type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

/** The one resource with this logical name; fails the test when there is not exactly one. */
export function named(name: string): RecordedResource {
  const found = resources.filter((r) => r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected exactly one resource named ${name}, found ${found.length}`);
  }
  return found[0] as RecordedResource;
}

/** The logical name in a URN or in a provider reference `urn::id`. */
export function nameOfUrn(urnOrRef: string | undefined): string | undefined {
  if (urnOrRef === undefined) return undefined;
  const parts = urnOrRef.split("::");
  return parts[3];
}

/** Parses a JSON string input (IAM documents, runbook content). */
export function json<T = Record<string, unknown>>(value: unknown): T {
  if (typeof value !== "string") throw new Error(`expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}
