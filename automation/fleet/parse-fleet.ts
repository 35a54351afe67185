/**
 * The fleet file (docs/fleet-file.md): YAML in, a validated and fully-defaulted Fleet out, or a
 * FleetError that lists every problem at once, each with its path and the fix. Nothing is sent to
 * any cloud before this passes.
 *
 * This file holds the top level; the sections are validated under ./fleet/: the toolkit
 * (checker.ts), the YAML document (yaml.ts), accounts and patch groups (accounts.ts), fleet-wide
 * settings (settings.ts), and rollout and backend (rollout.ts).
 */
import { promises as fs } from "fs";
import { validateAll } from "../../components/config-util";
import type { Fleet } from "./types";
import { parseAccountSections } from "./accounts";
import { Checker, type FleetIssue } from "./checker";
import { DEFAULT_BACKEND, parseBackend, parseRollout } from "./rollout-settings";
import { parseComplianceSettings } from "./compliance-settings";
import { checkRingOffsets, parseRingSections } from "./rings-settings";
import { parseNotificationSettings } from "./notifications-settings";
import { checkCentralScale, parseSettings, parseTags } from "./settings";
import { MAX_FLEET_FILE_BYTES, readYaml, tooLargeMessage } from "./yaml";
import { InputError } from "../../domain";

export { closest } from "../../components/config-util";
export type { FleetIssue } from "./checker";
export { DEFAULT_BACKEND, MAX_FLEET_FILE_BYTES };

/** The fleet file is missing or invalid. `message` has one `<file>: <path>: <message>` line each. */
export class FleetError extends InputError {
  readonly issues: FleetIssue[];
  constructor(file: string, issues: FleetIssue[]) {
    super(
      issues
        .map(
          (i) =>
            `${file}: ${i.path}: ${i.message}${i.line === undefined ? "" : ` (line ${i.line})`}`,
        )
        .join("\n"),
    );
    this.issues = issues;
  }
}

export const FLEET_KEYS = [
  "project",
  "central",
  "members",
  "patchGroups",
  "resourceGroup",
  "roles",
  "runbookName",
  "runbookMaxConcurrency",
  "runbookMaxErrors",
  "logBucket",
  "logRetentionDays",
  "organizationId",
  "maintenanceWindows",
  "rollout",
  "backend",
  "secretsProvider",
  "tags",
  "compliance",
  "rings",
  "freezes",
  "notifications",
] as const;

export const DEFAULT_PROJECT = "patchfleet";

const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function isExtensible(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === "object" && raw !== null && !Array.isArray(raw);
}

function parseTop(text: string, file: string, c: Checker): Fleet | undefined {
  const yaml = readYaml(text, c);
  if (yaml === undefined) return undefined;
  if (yaml.raw === undefined || yaml.raw === null) {
    c.add(
      "(file)",
      "is empty; a fleet file needs at least central: and members: (see examples/fleet.yaml)",
    );
    return undefined;
  }
  // Top-level keys starting with "x-" are free for the user: a place for anchors (&defaults).
  const raw = isExtensible(yaml.raw)
    ? Object.fromEntries(Object.entries(yaml.raw).filter(([k]) => !k.startsWith("x-")))
    : yaml.raw;
  const top = c.map(
    raw,
    "(file)",
    FLEET_KEYS,
    "fleet settings (central, members, patchGroups, ...)",
  );
  if (top === undefined) return undefined;
  const project = c.named(
    top,
    "project",
    "",
    PROJECT_NAME,
    "must be a Pulumi project name: 1–100 letters, digits, _ . -",
    DEFAULT_PROJECT,
  );
  const { central, members, drafts } = parseAccountSections(c, top, yaml.source);
  const settings = parseSettings(c, top, central?.account.account);
  const compliance = parseComplianceSettings(c, top.compliance);
  checkCentralScale(
    c,
    central?.account,
    members.length,
    members.map((m) => m.account.account),
    settings,
    compliance.dataSync === true,
  );
  const used = new Set(drafts.flatMap((d) => d.account.regions));
  const rollout = parseRollout(c, top.rollout, used);
  const { backend, secretsProvider } = parseBackend(c, top);
  const tags = parseTags(c, top.tags, "tags");
  const ringed = parseRingSections(
    c,
    top,
    drafts.map((d) => d.account),
  );
  checkRingOffsets(c, ringed.rings, settings.maintenanceWindows);
  const memberIds = members.map((m) => m.account.account);
  const notifications = parseNotificationSettings(
    c,
    top.notifications,
    central?.account,
    memberIds,
    settings.organizationId,
  );

  for (const i of c.issues) {
    const line = yaml.lineOf(i.path);
    if (line !== undefined) i.line = line;
  }
  if (central === undefined || c.issues.length > 0) return undefined;
  const fleet: Fleet = {
    file,
    project,
    central: central.account,
    members: members.map((m) => m.account),
    ...settings,
    rollout,
    backend,
    tags,
    compliance,
    ...ringed,
  };
  if (secretsProvider !== undefined) fleet.secretsProvider = secretsProvider;
  if (notifications !== undefined) fleet.notifications = notifications;
  return fleet;
}

/** Parses and validates a fleet file's text. Throws FleetError listing every problem. */
export function parseFleet(text: string, file: string): Fleet {
  const c = new Checker();
  const fleet = validateAll(() => parseTop(text, file, c), c.issues, {
    path: "(file)",
    input: "the fleet file",
    example: "examples/fleet.yaml",
  });
  if (fleet === undefined) throw new FleetError(file, c.issues);
  return fleet;
}

/**
 * The file's text, read only up to MAX_FLEET_FILE_BYTES: a regular file's size is checked before
 * a byte is read, and anything else (a pipe, a device) stops being read past the limit.
 */
async function readBounded(file: string): Promise<string> {
  const handle = await fs.open(file, "r");
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
    if (stat.isFile() && stat.size > MAX_FLEET_FILE_BYTES) {
      throw new FleetError(file, [{ path: "(file)", message: tooLargeMessage(stat.size) }]);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, MAX_FLEET_FILE_BYTES + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_FLEET_FILE_BYTES) {
        throw new FleetError(file, [{ path: "(file)", message: tooLargeMessage(total, true) }]);
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Reads and validates a fleet file; a missing or unreadable file is a FleetError too. */
export async function loadFleet(file: string): Promise<Fleet> {
  let text: string;
  try {
    text = await readBounded(file);
  } catch (err) {
    if (err instanceof FleetError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? "file not found; pass the path of your fleet file (see examples/fleet.yaml)"
        : code === "EISDIR"
          ? "is a directory; pass the path of the fleet YAML file inside it"
          : `cannot be read (${code ?? (err instanceof Error ? err.message : String(err))}); check the path and its permissions`;
    throw new FleetError(file, [{ path: "(file)", message }]);
  }
  return parseFleet(text, file);
}
