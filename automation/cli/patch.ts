import { Command } from "./main";
import { UsageError } from "./io";
export const command: Command = {
  summary: "start patching across the fleet (in progress)",
  help: "patchfleet patch: in progress\n",
  run: async () => {
    throw new UsageError("patch is not built yet");
  },
};
