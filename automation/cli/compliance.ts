import { Command } from "./main";
import { UsageError } from "./io";
export const command: Command = {
  summary: "gather fleet compliance (in progress)",
  help: "patchfleet compliance: in progress\n",
  run: async () => {
    throw new UsageError("compliance is not built yet");
  },
};
