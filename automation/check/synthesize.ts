/**
 * Runs one Pulumi program under the SDK's mock runtime and records every resource it registers, the
 * way the engine would receive it: type, logical name, URN, inputs, parent, provider (and so the
 * region), dependencies and property dependencies.
 *
 * `pulumi.runtime.setMocks` hides the dependencies from its `Mocks` callbacks, so this module wraps
 * the mock monitor's `registerResource`, which receives the SDK's complete RegisterResourceRequest.
 * Each run starts from a reset runtime: `setMocks` resets the SDK's whole runtime state (monitor,
 * pending-RPC chain, stack resource, feature flags, package refs) as it does between the
 * Automation API's runs, and the run waits until every registration has settled before the next
 * starts. Programs that might leave work running after that (a user's program) can also run in an
 * async-local store of their own, as the Automation API runs inline programs; that costs about a
 * fifth more CPU per run (async hooks on every promise), which the topology does not need.
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { CheckMocks, MockTarget } from "./mocks";
import { skipUnreadPromiseStacks } from "./sdk-debug-stacks";
import type { SynthesizedResource } from "./types";

// The per-run store is internal to the SDK (its .d.ts leaves it out); the Automation API's
// language server uses the same function to isolate inline programs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeState = require("@pulumi/pulumi/runtime/state") as {
  withLocalStorage<T>(callback: () => T): T;
};

/** Wire-format markers of the Pulumi property protocol. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const REDACTED = "[secret]";
export const UNKNOWN_TEXT = "[unknown]";

/**
 * Turns a wire-format property value into plain data. Secrets are redacted for reports and
 * unwrapped for policies (the engine hands policies plain values); unknowns become `unknown`.
 */
export function plainValue(
  value: unknown,
  secrets: "redact" | "unwrap",
  unknown: unknown,
): unknown {
  if (value === UNKNOWN_VALUE) return unknown;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => plainValue(v, secrets, unknown));
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return secrets === "redact" ? REDACTED : plainValue(obj.value, secrets, unknown);
    case ASSET_SIG:
      return { asset: obj.path ?? obj.uri ?? (obj.text !== undefined ? "<text>" : "") };
    case ARCHIVE_SIG:
      return { archive: obj.path ?? obj.uri ?? "<assets>" };
    case RESOURCE_SIG:
      return obj.urn;
    default: {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) out[key] = plainValue(obj[key], secrets, unknown);
      return out;
    }
  }
}

/** A registered resource plus the unredacted property values the policies read. */
export interface CapturedResource extends SynthesizedResource {
  props: Record<string, unknown>;
}

export interface SynthesisOptions {
  project: string;
  stack: string;
  target: MockTarget;
  /** Stack config ("<namespace>:<key>" → value). */
  config: Record<string, string>;
  /** Value that stands for an unknown in `props` (the policy pack's marker). */
  unknown?: unknown;
  /** Run in an async-local runtime store of its own. @default false */
  asyncLocalStore?: boolean;
  /** Called as each resource registration starts (progress for a timeout's message). */
  onRegister?: (type: string) => void;
}

export interface SynthesisResult {
  resources: CapturedResource[];
  warnings: string[];
}

/** The program failed: its own error, not a crash of the check. */
export class ProgramError extends Error {
  constructor(readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "ProgramError";
  }
}

interface ProtoStruct {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): ProtoStruct | undefined;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): {
    forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void;
  };
}
interface ReadRequest {
  getId(): string;
  getType(): string;
  getName(): string;
  getParent(): string;
  getProperties(): ProtoStruct | undefined;
  getProvider(): string;
  getDependenciesList(): string[];
}
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
}
type Callback = (err: unknown, resp?: RegisterResponse) => void;
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
  readResource(
    req: ReadRequest,
    callback: (err: unknown, resp?: { getUrn(): string }) => void,
  ): Promise<void>;
  newUrn(parent: string, type: string, name: string): string;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The URN the engine gives a resource: its type qualified by its parent's qualified type, except
 * that the root stack does not qualify its children. (The SDK's mock monitor qualifies by the
 * parent's last type only, root stack included.)
 */
export function engineUrn(
  stack: string,
  project: string,
  parent: string,
  type: string,
  name: string,
): string {
  let qualified = type;
  if (parent) {
    const parentQualified = parent.split("::")[2] ?? "";
    if (parentQualified !== ROOT_STACK_TYPE) qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/**
 * Runs `program` under a fresh mock runtime and returns what it registered. A program that throws,
 * or rejects a promise nobody awaits, fails with `ProgramError` carrying the program's own error.
 */
export function synthesize(
  options: SynthesisOptions,
  program: () => unknown,
): Promise<SynthesisResult> {
  skipUnreadPromiseStacks();
  const run = async (): Promise<SynthesisResult> => {
    const mocks = new CheckMocks(options.target);
    await pulumi.runtime.setMocks(mocks, options.project, options.stack, false);
    pulumi.runtime.setAllConfig({ ...options.config }, []);
    const monitor = settings.getMonitor() as unknown as MockMonitorLike;
    const captured: CapturedResource[] = [];
    monitor.newUrn = (parent, type, name) =>
      engineUrn(options.stack, options.project, parent, type, name);
    const original = monitor.registerResource.bind(monitor);
    const unknown = options.unknown ?? UNKNOWN_TEXT;
    // `Resource.get(...)` reads an existing resource: the engine lists it with the stack's own.
    const originalRead = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) =>
      originalRead(req, (err, resp) => {
        if (!err && resp) {
          const raw = req.getProperties()?.toJavaScript() ?? {};
          const providerRef = req.getProvider() || undefined;
          captured.push({
            urn: resp.getUrn(),
            type: req.getType(),
            name: req.getName(),
            custom: true,
            region: mocks.regionOf(providerRef),
            inputs: plainValue(raw, "redact", UNKNOWN_TEXT) as Record<string, unknown>,
            props: plainValue(raw, "unwrap", unknown) as Record<string, unknown>,
            id: req.getId(),
            parent: req.getParent() || undefined,
            provider: providerRef,
            dependencies: req.getDependenciesList(),
            propertyDependencies: {},
          });
        }
        callback(err, resp);
      });
    const onRegister = options.onRegister;
    monitor.registerResource = (req, callback) => {
      onRegister?.(req.getType());
      return original(req, (err, resp) => {
        if (!err && resp) {
          const raw = req.getObject()?.toJavaScript() ?? {};
          const type = req.getType();
          const providerRef = req.getProvider() || undefined;
          const props = plainValue(raw, "unwrap", unknown) as Record<string, unknown>;
          const urn = resp.getUrn();
          const id = resp.getId();
          if (type.startsWith("pulumi:providers:")) {
            const region = typeof props.region === "string" ? props.region : undefined;
            mocks.recordProvider(`${urn}::${id}`, region);
          }
          const propertyDependencies: Record<string, string[]> = {};
          req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
          });
          captured.push({
            urn,
            type,
            name: req.getName(),
            custom: req.getCustom(),
            region: type.startsWith("pulumi:providers:")
              ? typeof props.region === "string"
                ? props.region
                : options.target.defaultRegion
              : req.getCustom()
                ? mocks.regionOf(providerRef)
                : "",
            inputs: plainValue(raw, "redact", UNKNOWN_TEXT) as Record<string, unknown>,
            props,
            id,
            parent: req.getParent() || undefined,
            provider: providerRef,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
          });
        }
        callback(err, resp);
      });
    };

    const errors: unknown[] = [];
    const onUncaught = (err: unknown) => {
      if (!errors.includes(err)) errors.push(err);
    };
    const warnings: string[] = [];
    const consoleWarn = console.warn;
    console.warn = (...args: unknown[]) => {
      const text = args.map(String).join(" ");
      warnings.push(text.replace(/^warning: \[runtime\] /, ""));
    };
    process.on("uncaughtException", onUncaught);
    process.on("unhandledRejection", onUncaught);
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        await program();
      });
      await settings.disconnect();
      // Node reports a rejection nobody handled only after the microtask queue drains: give it a
      // turn, so a throwing apply is this target's failure, not a stray event after it.
      await new Promise((resolve) => setImmediate(resolve));
    } catch (err) {
      errors.unshift(err);
      await settings.disconnect().catch(() => undefined);
    } finally {
      process.off("uncaughtException", onUncaught);
      process.off("unhandledRejection", onUncaught);
      console.warn = consoleWarn;
    }
    if (errors.length > 0) throw new ProgramError(errors[0]);
    return { resources: captured, warnings };
  };
  return options.asyncLocalStore ? runtimeState.withLocalStorage(run) : run();
}
