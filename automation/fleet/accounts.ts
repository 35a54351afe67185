/**
 * The account sections of a fleet file: central and members (id, name, regions, roles, external
 * id, own patch groups), each account's patch groups merged over the fleet's, and duplicates.
 */
import { parsePatchGroups } from "../../components/config";
import { describe, indexPath, isPlainObject, joinPath } from "../../components/config-util";
import type { PatchGroupSpec } from "../../components/types";
import type { FleetAccount } from "./types";
import type { Checker, Obj } from "./checker";

const ACCOUNT_KEYS = ["account", "name", "regions", "deployRole", "readRole", "externalId"];
const CENTRAL_KEYS = [...ACCOUNT_KEYS, "operationsRole", "patchGroups"];
const MEMBER_KEYS = [...ACCOUNT_KEYS, "patchGroups"];

/** Names become Pulumi stack names (letters, digits, _ . -), kept short enough to read. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export interface AccountDraft {
  account: FleetAccount;
  path: string;
  /** The account's own patchGroups entries: a spec, or null to drop a fleet-wide group. */
  ownGroups?: Record<string, PatchGroupSpec | null>;
}

function parseAccount(
  c: Checker,
  raw: unknown,
  path: string,
  kind: "central" | "member",
  source: (path: (string | number)[]) => string | undefined,
  yamlPath: (string | number)[],
): AccountDraft | undefined {
  const keys = kind === "central" ? CENTRAL_KEYS : MEMBER_KEYS;
  if (kind === "member" && isPlainObject(raw) && raw.operationsRole !== undefined) {
    c.add(
      joinPath(path, "operationsRole"),
      "only central has an operationsRole (patch automations start in the central account); remove it here",
    );
    raw = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "operationsRole"));
  }
  const obj = c.map(raw, path, keys, "account settings (account, name, regions, ...)");
  if (obj === undefined) return undefined;
  const account = c.accountId(
    obj.account,
    joinPath(path, "account"),
    source([...yamlPath, "account"]),
  );
  let name = c.string(obj, "name", path);
  if (name === undefined && (obj.name === undefined || obj.name === null) && kind === "member") {
    c.add(
      joinPath(path, "name"),
      "is required: a short unique name like prod-a; stack names derive from it",
    );
  } else if (name !== undefined && !ACCOUNT_NAME.test(name)) {
    c.add(
      joinPath(path, "name"),
      `must be 1–64 letters, digits, _ . - starting with a letter or digit (it names the Pulumi stack), got ${describe(name)}`,
    );
    name = undefined;
  }
  const regions = c.regions(obj.regions, joinPath(path, "regions"));
  const result: FleetAccount = {
    account: account ?? "",
    name: name ?? account ?? "",
    regions,
    patchGroups: {},
  };
  for (const key of ["deployRole", "readRole", "operationsRole"] as const) {
    const arn = c.roleArn(obj, key, path, account, regions);
    if (arn !== undefined) result[key] = arn;
  }
  const externalId = c.string(obj, "externalId", path);
  if (externalId !== undefined) {
    if (!EXTERNAL_ID.test(externalId)) {
      c.add(
        joinPath(path, "externalId"),
        `must be 2–1224 characters of letters, digits and +=,.@:/_-, got ${describe(externalId)}`,
      );
    } else {
      result.externalId = externalId;
    }
  }
  const draft: AccountDraft = { account: result, path };
  if (obj.patchGroups !== undefined) {
    const p = joinPath(path, "patchGroups");
    if (!isPlainObject(obj.patchGroups)) {
      c.add(
        p,
        `must be a map of patch group name → baseline (or null to drop a fleet-wide group), got ${describe(obj.patchGroups)}`,
      );
    } else {
      const entries = Object.entries(obj.patchGroups);
      const specs = parsePatchGroups(
        Object.fromEntries(entries.filter(([, v]) => v !== null)),
        p,
        c.issues,
      );
      draft.ownGroups = { ...specs };
      for (const [k, v] of entries) {
        // defineProperty: a key named __proto__ must stay a key (and be reported), not a prototype.
        if (v === null) {
          Object.defineProperty(draft.ownGroups, k, {
            value: null,
            enumerable: true,
            writable: true,
          });
        }
      }
    }
  }
  return account === undefined ? undefined : draft;
}

/** Applies an account's own patch groups over the fleet's and checks the result. */
function mergeGroups(
  c: Checker,
  draft: AccountDraft,
  fleetGroups: Record<string, PatchGroupSpec> | undefined,
  fleetNames: string[],
): void {
  // Counted by name, so a group that failed validation (already reported) is not "missing" too.
  const names = new Set(fleetNames);
  const merged: Record<string, PatchGroupSpec> = { ...(fleetGroups ?? {}) };
  const p = joinPath(draft.path, "patchGroups");
  for (const [name, spec] of Object.entries(draft.ownGroups ?? {})) {
    if (spec !== null) {
      merged[name] = spec;
      names.add(name);
    } else if (
      fleetGroups !== undefined &&
      Object.prototype.hasOwnProperty.call(fleetGroups, name)
    ) {
      delete merged[name];
      names.delete(name);
    } else {
      const known = Object.keys(fleetGroups ?? {});
      c.add(
        joinPath(p, name),
        `is null, which drops a fleet-wide patch group, but the fleet has no group ${name}; fleet patch groups: ${known.length > 0 ? known.join(", ") : "none"}`,
      );
    }
  }
  // Two defaults inside one map are reported where that map is validated; here only a fleet-wide
  // default meeting an account's own default for the same operating system.
  const own = draft.ownGroups ?? {};
  const isOwn = (name: string) => Object.prototype.hasOwnProperty.call(own, name);
  for (const [name, spec] of Object.entries(merged)) {
    if (!spec.defaultForOperatingSystem || !isOwn(name)) continue;
    const inherited = Object.entries(merged).find(
      ([n, s]) =>
        !isOwn(n) && s.defaultForOperatingSystem && s.operatingSystem === spec.operatingSystem,
    );
    if (inherited !== undefined) {
      c.add(
        joinPath(joinPath(p, name), "defaultForOperatingSystem"),
        `makes ${name} the default for ${spec.operatingSystem}, but the fleet-wide group ${inherited[0]} already is; set defaultForOperatingSystem: false here, or drop ${inherited[0]} for this account with ${inherited[0]}: null`,
      );
    }
  }
  if (names.size === 0 && fleetGroups !== undefined && fleetNames.length > 0) {
    c.add(p, "leaves this account without patch groups; keep at least one");
  }
  draft.account.patchGroups = merged;
}

/** Duplicate accounts (including central listed as a member) and duplicate names. */
function checkDuplicates(c: Checker, central: AccountDraft | undefined, members: AccountDraft[]) {
  const byAccount = new Map<string, string>();
  const byName = new Map<string, string>();
  if (central !== undefined) {
    byAccount.set(central.account.account, "central");
    byName.set(central.account.name.toLowerCase(), "central");
  }
  for (const m of members) {
    const { account, name } = m.account;
    const seen = byAccount.get(account);
    if (seen === "central") {
      c.add(
        joinPath(m.path, "account"),
        `${account} is the central account; the central account is configured under central only, remove this member`,
      );
    } else if (seen !== undefined) {
      c.add(joinPath(m.path, "account"), `${account} is already ${seen}; list each account once`);
    } else {
      byAccount.set(account, m.path);
    }
    const sameName = byName.get(name.toLowerCase());
    if (sameName !== undefined && seen === undefined) {
      c.add(
        joinPath(m.path, "name"),
        `${name} is already the name of ${sameName} (names are compared ignoring case); stack names must be unique, pick another`,
      );
    } else if (sameName === undefined) {
      byName.set(name.toLowerCase(), m.path);
    }
  }
}

/**
 * Every member region must be a central region: the runbook the central account shares, and the log
 * bucket's per-account, per-region prefixes, exist only in the central account's regions, so a member
 * region outside them would deploy cleanly and then fail to patch or to upload its logs.
 */
function checkMemberRegions(
  c: Checker,
  central: AccountDraft | undefined,
  members: AccountDraft[],
) {
  const centralRegions = central?.account.regions;
  // An invalid central region list is reported on its own; nothing to compare against.
  if (!Array.isArray(centralRegions) || centralRegions.length === 0) return;
  const home = new Set(centralRegions);
  for (const m of members) {
    const outside = (Array.isArray(m.account.regions) ? m.account.regions : []).filter(
      (r) => !home.has(r),
    );
    if (outside.length === 0) continue;
    c.add(
      joinPath(m.path, "regions"),
      `${outside.join(", ")} ${outside.length === 1 ? "is not a region" : "are not regions"} of the central account (central.regions: ${centralRegions.join(", ")}); the shared runbook and the patch log prefixes exist only there, so add ${outside.length === 1 ? "it" : "them"} to central.regions or remove ${outside.length === 1 ? "it" : "them"} here`,
    );
  }
}

/** The central and member accounts, checked against each other and merged with the fleet's groups. */
export function parseAccountSections(
  c: Checker,
  top: Obj,
  source: (path: (string | number)[]) => string | undefined,
): { central: AccountDraft | undefined; members: AccountDraft[]; drafts: AccountDraft[] } {
  let central: AccountDraft | undefined;
  if (top.central === undefined || top.central === null) {
    c.add(
      "central",
      'is required: the central account, e.g. { account: "111111111111", regions: [us-east-1] }',
    );
  } else {
    central = parseAccount(c, top.central, "central", "central", source, ["central"]);
  }
  const members: AccountDraft[] = [];
  if (top.members !== undefined && top.members !== null) {
    if (!Array.isArray(top.members)) {
      c.add("members", `must be a list of member accounts, got ${describe(top.members)}`);
    } else {
      top.members.forEach((m: unknown, i) => {
        const d = parseAccount(c, m, indexPath("members", i), "member", source, ["members", i]);
        if (d !== undefined) members.push(d);
      });
    }
  }
  checkDuplicates(c, central, members);
  checkMemberRegions(c, central, members);
  const fleetGroups =
    top.patchGroups === undefined || top.patchGroups === null
      ? undefined
      : parsePatchGroups(top.patchGroups, "patchGroups", c.issues);
  const drafts = central === undefined ? members : [central, ...members];
  if (fleetGroups === undefined && drafts.some((d) => d.ownGroups === undefined)) {
    c.add(
      "patchGroups",
      "is required: a map of patch group name → baseline applied to every account (see examples/fleet.yaml)",
    );
  }
  if (
    fleetGroups !== undefined &&
    isPlainObject(top.patchGroups) &&
    Object.keys(top.patchGroups).length === 0
  ) {
    c.add("patchGroups", "must define at least one patch group");
  }
  const fleetNames = isPlainObject(top.patchGroups) ? Object.keys(top.patchGroups) : [];
  for (const d of drafts) mergeGroups(c, d, fleetGroups, fleetNames);
  return { central, members, drafts };
}
