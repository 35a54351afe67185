import { Command } from "./main";
import { UsageError } from "./io";
export const command: Command = {
  summary: "write CrossGuard config for app stacks of one account (in progress)",
  help: "patchfleet policy-config: in progress\n",
  run: async () => {
    throw new UsageError("policy-config is not built yet");
  },
};
