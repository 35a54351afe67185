/**
 * What runs inside each stack: the inline topology program, and how the central stack's outputs
 * reach the member stacks (as their program's config and as visible stack config).
 */
import type { ConfigMap, OutputMap, PulumiFn } from "@pulumi/pulumi/automation";
import type { AccountConfig } from "../../components/types";
import { CENTRAL_OUTPUTS, TOPOLOGY_COMPONENT_NAME, type CentralOutputName } from "../../domain";

/** The central stack's outputs that member stacks are configured with. */
export type CentralOutputs = Record<CentralOutputName, string>;

/** Builds a stack's inline program. The default deploys the account patch topology. */
export type ProgramFactory = (config: AccountConfig) => PulumiFn;

/**
 * The default program: the same topology builder, component name and stack outputs as the
 * single-account program in index.ts, so a stack deployed either way has the same resources.
 * The components load on first run, so listing or previewing never pays for @pulumi/aws unless a
 * program actually runs.
 */
export const topologyProgram: ProgramFactory = (config) => async () => {
  const { buildTopology, topologyOutputs } = await import("../../components/topology");
  return topologyOutputs(config, buildTopology(TOPOLOGY_COMPONENT_NAME, config));
};

function pickString(outputs: OutputMap, key: CentralOutputName): string | undefined {
  const v = outputs[key]?.value;
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The central outputs members need, as far as `outputs` has them. */
function centralOutputFields(outputs: OutputMap): Partial<CentralOutputs> {
  let runbookName = pickString(outputs, "runbookName");
  if (runbookName === undefined) {
    const regions = outputs.regions?.value as Record<string, { runbookName?: unknown }> | undefined;
    const first = regions ? Object.values(regions)[0] : undefined;
    if (typeof first?.runbookName === "string") runbookName = first.runbookName;
  }
  return {
    administrationRoleArn: pickString(outputs, "administrationRoleArn"),
    runbookName,
    logBucketName: pickString(outputs, "logBucketName"),
  };
}

/** The central outputs members need, or undefined when the central stack has not been deployed. */
export function centralOutputsFrom(outputs: OutputMap | undefined): CentralOutputs | undefined {
  if (!outputs) return undefined;
  const { administrationRoleArn, runbookName, logBucketName } = centralOutputFields(outputs);
  if (!administrationRoleArn || !logBucketName || !runbookName) return undefined;
  return { administrationRoleArn, runbookName, logBucketName };
}

/** Names of the central outputs members need that `outputs` lacks. */
export function missingCentralOutputs(outputs: OutputMap): string[] {
  const fields = centralOutputFields(outputs);
  return CENTRAL_OUTPUTS.filter((k) => fields[k] === undefined);
}

/** A member's topology config with the central stack's outputs applied. */
export function applyCentralOutputs(config: AccountConfig, central: CentralOutputs): AccountConfig {
  const roleName = central.administrationRoleArn.split("/").pop() ?? config.administrationRoleName;
  return {
    ...config,
    administrationRoleName: roleName,
    runbookName: central.runbookName,
    logBucketName: central.logBucketName,
  };
}

/** The stack config a member gets from the central stack (visible in Pulumi.<stack>.yaml). */
export function centralConfigMap(project: string, central: CentralOutputs): ConfigMap {
  return {
    [`${project}:centralAdministrationRoleArn`]: { value: central.administrationRoleArn },
    [`${project}:centralRunbookName`]: { value: central.runbookName },
    [`${project}:centralLogBucketName`]: { value: central.logBucketName },
  };
}
