/**
 * What rings and freezes change in an account's stack: its maintenance windows (account over ring
 * over fleet, and an install window that starts only after a freeze in force at deploy time) and
 * the tags that tell the policy pack which ring a window belongs to
 * (patchfleet-maintenance-window-ring-order).
 */
import type { Fleet } from "./types";
import { type Windows, activeFreezes, ringOf, windowsFor } from "./rings-settings";

/** Tag keys on every resource of a ringed account; the policy pack reads them off the windows. */
export const RING_TAG = "patchfleet:ring";
export const RING_ORDER_TAG = "patchfleet:ring-order";
export const RING_SOAK_TAG = "patchfleet:ring-soak-hours";

export function ringTags(fleet: Pick<Fleet, "rings">, account: string): Record<string, string> {
  const ring = ringOf(fleet.rings, account);
  if (ring === undefined || fleet.rings === undefined) return {};
  return {
    [RING_TAG]: ring.name,
    [RING_ORDER_TAG]: String(fleet.rings.indexOf(ring) + 1),
    [RING_SOAK_TAG]: String(ring.soakHours),
  };
}

/**
 * The account's windows. A freeze in force when the stack is deployed moves the install window's
 * StartDate to the end of the freeze: CreateMaintenanceWindow/UpdateMaintenanceWindow take a
 * StartDate ("StartDate allows you to delay activation of the maintenance window until the specified future date", API reference) and an EndDate,
 * so the window resumes by itself when the freeze ends, without a second deployment.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateMaintenanceWindow.html
 */
export function ringWindows(
  fleet: Pick<Fleet, "rings" | "freezes" | "maintenanceWindows">,
  account: string,
  now: Date = new Date(),
): Windows {
  const windows = windowsFor(fleet.maintenanceWindows, fleet.rings, account);
  const ring = ringOf(fleet.rings, account)?.name;
  const frozen = activeFreezes(fleet.freezes, ring, now);
  if (windows.install === undefined || frozen.length === 0) return windows;
  const until = frozen.map((f) => f.end).sort()[frozen.length - 1];
  // One second after the freeze's last second: a freeze ending on a day ends at 23:59:59Z.
  const resume = new Date(Date.parse(until) + 1000).toISOString().replace(/\.000Z$/, "Z");
  return { ...windows, install: { ...windows.install, startDate: resume } };
}
