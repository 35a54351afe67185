/**
 * The fleet file's `notifications:` section: the central alert topic, which Run Command statuses
 * of the maintenance window tasks and which automation statuses raise an alert, and who is
 * subscribed. See docs/fleet-file.md ("Notifications"). The section's keys are validated by the
 * same function as the `patchfleet:notifications` stack config; this adds what only the whole
 * fleet can break (the size of the central topic and key policies).
 */
import { notificationsProblem, parseNotifications } from "../../components/config-notifications";
import type { NotificationsSpec } from "../../components/types";
import type { Checker } from "./checker";
import type { FleetAccount } from "./types";

export function parseNotificationSettings(
  c: Checker,
  raw: unknown,
  central: Pick<FleetAccount, "account" | "regions"> | undefined,
  memberIds: string[],
  organizationId: string | undefined,
): NotificationsSpec | undefined {
  const spec = parseNotifications(raw, "notifications", c.issues);
  if (spec === undefined || central === undefined || !Array.isArray(central.regions)) return spec;
  if (central.regions.length === 0) return spec;
  const size = notificationsProblem(
    spec,
    central.regions,
    central.account,
    memberIds,
    organizationId,
  );
  if (size !== undefined) c.add("notifications", size);
  return spec;
}
