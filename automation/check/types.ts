/**
 * Plain-data shapes of the offline check. Everything here crosses the process boundary between the
 * check's coordinator and its synthesis workers, so it stays JSON-serializable.
 */
import type { AccountConfig } from "../../components/types";

/** Policy config JSON as `pulumi preview --policy-pack-config` takes it: policy name → settings. */
export type PolicyConfig = Record<string, Record<string, unknown>>;

/** What a worker synthesizes: the topology of one account, or a user's Pulumi program. */
export type ProgramSpec =
  | {
      kind: "topology";
      /** Name of the AccountPatchTopology component, as the runner's program names it. */
      componentName: string;
      config: AccountConfig;
    }
  | {
      kind: "program";
      /** Absolute path of the program's entry file (.ts or .js). */
      entry: string;
      /** The program's directory: failures are located in files under it. */
      root: string;
      /** Directory error locations are shown relative to (the user's working directory). */
      displayBase: string;
      /** Stack config the program reads through `pulumi.Config` ("<namespace>:<key>" → value). */
      config: Record<string, string>;
    };

/** One target of a check: one Pulumi stack (an account with all its regions, or a program). */
export interface CheckJob {
  /** Position in the report; results are ordered by it. */
  index: number;
  name: string;
  account: string;
  regions: string[];
  project: string;
  stack: string;
  program: ProgramSpec;
  /** Config passed to the policies. The coordinator merges the user's and the fleet's. */
  policyConfig: PolicyConfig;
  /**
   * Derive `patchfleet-instance-approved-baseline.patchGroups` from the target's own
   * `aws:ssm/patchGroup:PatchGroup` resources, as the fleet's app stacks would receive it.
   */
  patchGroupsFromResources: boolean;
  /**
   * Record every hash the mocks compute (TargetResult.hashes): this synthesis stands for other
   * account-regions, whose results are re-stamped from it (restamp.ts).
   */
  recordHashes?: boolean;
}

/** One registered resource, as the engine would see it. */
export interface SynthesizedResource {
  urn: string;
  type: string;
  name: string;
  /** Whether the resource is a custom resource (false for components and the stack). */
  custom: boolean;
  /** Region of the provider the resource was registered with, "" for global resources. */
  region: string;
  /** Inputs with secrets replaced by "[secret]". */
  inputs: Record<string, unknown>;
  /** The mock id, "" for component resources. */
  id: string;
  parent?: string;
  /** Provider reference `urn::id`, when the resource names one. */
  provider?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface CheckViolation {
  policy: string;
  enforcementLevel: string;
  resourceType?: string;
  resourceName?: string;
  urn?: string;
  message: string;
}

/** The failure message of a target an interrupted check never started. */
export const NOT_CHECKED = "not checked: the check was interrupted";

/** The failure message of a target that was running when the check was interrupted. */
export const INTERRUPTED = "interrupted: the check was stopped while this target was running";

/** Whether a target's failure only says the check was interrupted (before or while it ran). */
export function wasInterrupted(failure: { message: string } | undefined): boolean {
  return failure?.message === NOT_CHECKED || failure?.message === INTERRUPTED;
}

/** Where a failed program went wrong, in the user's own source. */
export interface ProgramFailure {
  message: string;
  /** "path/to/file.ts:line:column" relative to the program root, when known. */
  location?: string;
}

export interface TargetResult {
  index: number;
  name: string;
  account: string;
  regions: string[];
  resources: SynthesizedResource[];
  violations: CheckViolation[];
  /** Set when the program could not be loaded or threw; resources and violations are then empty. */
  failure?: ProgramFailure;
  /** Warnings the program logged through `pulumi.log.warn`. */
  warnings: string[];
  /** Milliseconds spent synthesizing and evaluating this target inside its worker. */
  millis: number;
  /** With CheckJob.recordHashes: each (input, hash) the mocks computed, in order. */
  hashes?: [input: string, hash: string][];
}

/** Coordinator → worker. */
export type WorkerRequest = { kind: "job"; job: CheckJob } | { kind: "stop" };

/** Worker → coordinator. */
export type WorkerMessage =
  | { kind: "ready" }
  | { kind: "result"; result: TargetResult }
  | { kind: "stopped"; maxRssKiB: number }
  /**
   * Sent every half second while a job runs: resources the program has registered so far, and how
   * long ago the last one was.
   */
  | { kind: "progress"; resources: number; idleMs: number };
