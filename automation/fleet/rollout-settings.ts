/**
 * How a fleet run proceeds and where its state lives: the rollout section (concurrency, failure
 * tolerance, region order), the Pulumi backend URL and the secrets provider.
 */
import { describe, indexPath } from "../../components/config-util";
import type { Fleet } from "./types";
import type { Checker, Obj } from "./checker";

export const DEFAULT_BACKEND = "file://./.patchfleet/state";

const BACKEND_SCHEMES = ["file://", "s3://", "azblob://", "gs://", "https://", "http://"];
const SECRETS_SCHEMES = ["awskms://", "azurekeyvault://", "gcpkms://", "hashivault://"];

export function parseRollout(c: Checker, raw: unknown, usedRegions: Set<string>): Fleet["rollout"] {
  const out: Fleet["rollout"] = {
    maxConcurrent: { kind: "count", value: 1 },
    failureTolerance: { kind: "count", value: 0 },
  };
  if (raw === undefined || raw === null) return out;
  const obj = c.map(
    raw,
    "rollout",
    ["maxConcurrent", "failureTolerance", "regionOrder"],
    "rollout settings",
  );
  if (obj === undefined) return out;
  if (obj.maxConcurrent !== undefined) {
    out.maxConcurrent =
      c.countOrPercent(obj.maxConcurrent, "rollout.maxConcurrent", 1) ?? out.maxConcurrent;
  }
  if (obj.failureTolerance !== undefined) {
    out.failureTolerance =
      c.countOrPercent(obj.failureTolerance, "rollout.failureTolerance", 0) ?? out.failureTolerance;
  }
  if (obj.regionOrder !== undefined) {
    const p = "rollout.regionOrder";
    if (!Array.isArray(obj.regionOrder)) {
      c.add(
        p,
        `must be a list of regions, e.g. [us-east-1, eu-west-1], got ${describe(obj.regionOrder)}`,
      );
      return out;
    }
    const order: string[] = [];
    obj.regionOrder.forEach((item: unknown, i) => {
      const ip = indexPath(p, i);
      const region = c.region(item, ip);
      if (region === undefined) return;
      if (order.includes(region)) c.add(ip, `${region} is listed twice; list each region once`);
      else if (!usedRegions.has(region)) {
        c.add(
          ip,
          `${region} is not a region of any account; remove it or add it to an account's regions`,
        );
      } else order.push(region);
    });
    out.regionOrder = order;
  }
  return out;
}

/** The backend URL (defaulted) and the secrets provider, when one is set. */
export function parseBackend(
  c: Checker,
  top: Obj,
): { backend: string; secretsProvider: string | undefined } {
  const backend = c.string(top, "backend", "") ?? DEFAULT_BACKEND;
  if (!BACKEND_SCHEMES.some((s) => backend.startsWith(s) && backend.length > s.length)) {
    c.add(
      "backend",
      `must be a Pulumi backend URL starting with ${BACKEND_SCHEMES.join(", ")} (e.g. file://./.patchfleet/state or s3://my-bucket/patchfleet), got ${describe(backend)}`,
    );
  }
  const secretsProvider = c.string(top, "secretsProvider", "");
  if (
    secretsProvider !== undefined &&
    secretsProvider !== "passphrase" &&
    !SECRETS_SCHEMES.some((s) => secretsProvider.startsWith(s) && secretsProvider.length > s.length)
  ) {
    c.add(
      "secretsProvider",
      `must be passphrase or a key URL starting with ${SECRETS_SCHEMES.join(", ")} (e.g. awskms://alias/patchfleet), got ${describe(secretsProvider)}`,
    );
  }
  return { backend, secretsProvider };
}
