/**
 * The patchfleet Pulumi program: one stack = the patch topology of one AWS account.
 * Reads the `patchfleet:` stack config (see Pulumi.example.yaml), validates all of it before
 * creating any resource, and exports the topology's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, buildTopology, parseAccountConfig, stackConfigToRaw } from "./components";
import type { AccountConfig } from "./components";

function loadAccountConfig(): AccountConfig {
  try {
    return parseAccountConfig(stackConfigToRaw(pulumi.runtime.allConfig(), "patchfleet"));
  } catch (err) {
    if (err instanceof ConfigError) {
      const lines = err.issues.map((i) => `  patchfleet:${i.path}: ${i.message}`);
      // RunError prints just this message: the user needs the list of fixes, not a stack trace.
      throw new pulumi.RunError(
        [
          `The patchfleet stack config has ${err.issues.length} problem(s):`,
          ...lines,
          "Fix them in Pulumi.<stack>.yaml (see Pulumi.example.yaml) or with `pulumi config set --path`.",
        ].join("\n"),
      );
    }
    throw err;
  }
}

const config = loadAccountConfig();
const topology = buildTopology("patchfleet", config);

export const accountId = config.accountId;
export const role = config.role;
export const regions = topology.regions;
export const administrationRoleArn = topology.administrationRoleArn;
export const executionRoleArn = topology.executionRoleArn;
export const maintenanceWindowRoleArn = topology.maintenanceWindowRoleArn;
export const logBucketName = topology.logBucketName;
