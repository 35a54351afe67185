/**
 * Shared synthesis: accounts whose topology configuration is the same up to their account id and
 * regions register the same resource graph, so each distinct configuration is synthesized once
 * (its template) and every account-region of it is re-stamped from that: its account id, regions
 * and stack name put in place of the template's, and every hash the mocks derived from them
 * (resource ids, auto-names, policy document ids) computed again from the re-stamped input.
 *
 * Why this equals a full synthesis: the topology and the policy pack treat account ids, regions
 * and the stack name as opaque strings (compared for equality, concatenated, hashed by the mocks),
 * and the configurations are the same once those strings are replaced by placeholders (anything
 * else that depends on a region, its partition, is part of the class key). Replacing the strings
 * in the template's result therefore gives what the program would have registered. The mocks'
 * hashes are not substitutions, so the template records every (input, hash) pair and the
 * re-stamp recomputes the hash of each re-stamped input. Violations are sorted again, as their
 * order depends on names. test/check/shared-synthesis.test.ts compares both paths on random
 * fleets, and each check synthesizes one more member of every class in full and compares it with
 * its re-stamp before trusting the class (a mismatch synthesizes that class in full).
 */
import { partitionOf } from "../../domain";
import { sortViolations } from "./evaluate";
import { stableHash } from "./mocks";
import type { CheckJob, TargetResult } from "./types";

/** The stack name a template is synthesized under; every re-stamp replaces it. */
export const TEMPLATE_STACK = "patchfleet-shared-synthesis-5c1e0b7a";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One regular expression matching any of `tokens`, longest first. */
function tokenPattern(tokens: Iterable<string>): RegExp {
  const list = [...new Set(tokens)].filter((t) => t !== "").sort((a, b) => b.length - a.length);
  return new RegExp(list.map(escapeRegExp).join("|") || "(?!)", "g");
}

/** The strings a re-stamp replaces: account id and regions, in this order. */
function stampOf(job: Pick<CheckJob, "account" | "regions">): string[] {
  return [job.account, ...job.regions];
}

/**
 * The configuration class of a fleet target: its job with the account id and the regions replaced
 * by placeholders wherever they occur, plus the partition of each region. Undefined for targets
 * that are not the fleet's topology (a user's program) or whose stamp is ambiguous.
 */
export function classKey(job: CheckJob): string | undefined {
  if (job.program.kind !== "topology") return undefined;
  const stamp = stampOf(job);
  if (new Set(stamp).size !== stamp.length || stamp.some((s) => s.length < 3)) return undefined;
  const placeholders = new Map(stamp.map((s, i) => [s, `\u0000${i}\u0000`]));
  const shape = JSON.stringify([
    job.project,
    job.program,
    job.policyConfig,
    job.patchGroupsFromResources,
    job.regions.map((r) => partitionOf(r)),
  ]);
  if (shape.includes("\\u0000")) return undefined;
  return shape.replace(tokenPattern(stamp), (t) => placeholders.get(t) ?? t);
}

/** The job that synthesizes a class's template: its first job, under the template stack name. */
export function templateJob(first: CheckJob, index: number): CheckJob {
  return { ...first, index, stack: TEMPLATE_STACK, recordHashes: true };
}

/** A template's result, ready to be re-stamped for each job of its class. */
export class Template {
  private readonly text: string;
  private readonly pattern: RegExp;
  private readonly from: string[];
  private readonly hashes: [string, string][];

  constructor(
    readonly job: CheckJob,
    readonly result: TargetResult,
  ) {
    const {
      hashes = [],
      index: _i,
      name: _n,
      account: _a,
      regions: _r,
      millis: _m,
      ...rest
    } = result;
    this.text = JSON.stringify(rest);
    this.hashes = hashes;
    this.from = [...stampOf(job), TEMPLATE_STACK];
    this.pattern = tokenPattern([...this.from, ...hashes.map(([, h]) => h)]);
  }

  /** The result `job` (of this template's class) would have had from a synthesis of its own. */
  restamp(job: CheckJob): TargetResult {
    const started = Date.now();
    const to = [...stampOf(job), job.stack];
    const map = new Map<string, string>();
    this.from.forEach((f, i) => map.set(f, to[i]));
    const replace = (text: string) => text.replace(this.pattern, (t) => map.get(t) ?? t);
    for (const [input, hash] of this.hashes) {
      const stamped = replace(input);
      if (stamped !== input && !map.has(hash)) {
        map.set(hash, stableHash(stamped).slice(0, hash.length));
      }
    }
    const rest = JSON.parse(replace(this.text)) as Omit<
      TargetResult,
      "index" | "name" | "account" | "regions" | "millis"
    >;
    sortViolations(rest.violations);
    return {
      index: job.index,
      name: job.name,
      account: job.account,
      regions: [...job.regions],
      ...rest,
      millis: Date.now() - started,
    };
  }
}

/**
 * How many positions of `job`'s stamp differ from the template's: the job that differs most is the
 * one a class is verified with.
 */
export function stampDistance(a: CheckJob, b: CheckJob): number {
  const sa = stampOf(a);
  const sb = stampOf(b);
  return sa.reduce((n, s, i) => n + (s === sb[i] ? 0 : 1), 0);
}

/** The same target result, as JSON text without timing: what must match between the two paths. */
export function comparable(result: TargetResult): string {
  const { millis: _m, hashes: _h, ...rest } = result;
  return JSON.stringify(rest);
}
