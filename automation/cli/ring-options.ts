/**
 * `patch --ring`, `--force` and `--new-rollout`: which runs a ringed fleet allows, and the ring
 * run itself (automation/ops/rings). Refusals are RingRefusal, which the patch command turns into
 * exit 2 with the message.
 */
import type { PatchOptions, PatchReport } from "../ops/patch";
import { RingRefusal, freezeRefusal, runRing } from "../ops/rings/ring-run";
import { UsageError } from "./io";

/**
 * The ring run's report; a message when the ring had already finished; or undefined when the
 * options ask for a plain fleet-wide run, which a ringed fleet allows only for Scan.
 */
export async function ringRun(
  options: { ring?: string; force?: string; "new-rollout"?: boolean },
  patch: PatchOptions,
): Promise<PatchReport | string | undefined> {
  const force = options.force;
  if (force !== undefined && force.trim() === "") {
    throw new UsageError(
      '--force needs a reason, e.g. --force "security fix CVE-2025-1234 cannot wait"',
    );
  }
  if (options.ring === undefined) {
    if (options["new-rollout"]) throw new UsageError("--new-rollout goes with --ring <first ring>");
    if (patch.operation !== "Install") return undefined;
    const rings = patch.fleet.rings;
    if (rings !== undefined && force === undefined) {
      throw new RingRefusal(
        `this fleet patches in rings (${rings.map((r) => r.name).join(", ")}): pass --ring ${rings[0].name} to install the first one, or --force "<reason>" to install everywhere at once`,
      );
    }
    const frozen = freezeRefusal(patch.fleet, undefined, new Date());
    if (frozen !== undefined && force === undefined) throw new RingRefusal(frozen);
    if (force !== undefined) patch.log?.(`forced: ${force}`);
    return undefined;
  }
  const result = await runRing({
    ...patch,
    ring: options.ring,
    ...(force !== undefined ? { force } : {}),
    ...(options["new-rollout"] ? { newRollout: true } : {}),
  });
  return result.kind === "patched" ? result.report : result.message;
}
