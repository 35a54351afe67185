/**
 * The patchfleet Pulumi program: one stack = the patch topology of one AWS account.
 * Reads the `patchfleet:` stack config (see Pulumi.example.yaml), validates all of it before
 * creating any resource, and exports the topology's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  buildTopology,
  parseAccountConfig,
  stackConfigToRaw,
  topologyOutputs,
} from "./components";
import type { AccountConfig } from "./components";
import { TOPOLOGY_COMPONENT_NAME } from "./domain";

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
const topology = buildTopology(TOPOLOGY_COMPONENT_NAME, config);

// The outputs are named once, in domain/contracts.ts (TOPOLOGY_OUTPUTS); the fleet runner's
// program exports the same.
export const {
  accountId,
  role,
  regions,
  administrationRoleArn,
  executionRoleArn,
  maintenanceWindowRoleArn,
  logBucketName,
} = topologyOutputs(config, topology);
