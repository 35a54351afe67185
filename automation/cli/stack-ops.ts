import { Command } from "./main";
import { UsageError } from "./io";
function pending(op: string): Command {
  return {
    summary: `${op} every stack of the fleet (in progress)`,
    help: `patchfleet ${op}: in progress\n`,
    run: async () => {
      throw new UsageError(`${op} is not built yet`);
    },
  };
}
export const commands: Record<string, Command> = {
  preview: pending("preview"),
  up: pending("up"),
  refresh: pending("refresh"),
  destroy: pending("destroy"),
  drift: pending("drift"),
  outputs: pending("outputs"),
};
