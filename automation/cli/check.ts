import { Command } from "./main";
import { UsageError } from "./io";
export const command: Command = {
  summary: "synthesize the fleet offline and run the policy pack (in progress)",
  help: "patchfleet check: in progress\n",
  run: async () => {
    throw new UsageError("check is not built yet");
  },
};
