/**
 * `--shard k/n`: a deterministic slice of the fleet's members, so a CI matrix of n jobs covers
 * every member exactly once. Members are ordered by account id (not by their place in the fleet
 * file) and dealt round-robin, so reordering the file never moves an account to another shard and
 * the shards differ in size by at most one.
 */
import { InputError } from "../../domain";

export class ShardError extends InputError {}

export interface Shard {
  /** 1-based index of this shard. */
  k: number;
  /** Number of shards. */
  n: number;
}

/** Parses "k/n" (1 ≤ k ≤ n) or throws a ShardError that names the option and the fix. */
export function parseShard(spec: string): Shard {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(spec);
  if (m === null) {
    throw new ShardError(
      `--shard ${spec}: expected k/n with whole numbers, e.g. --shard 2/4 for the second of four shards`,
    );
  }
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1) throw new ShardError(`--shard ${spec}: n must be at least 1`);
  if (k < 1 || k > n) throw new ShardError(`--shard ${spec}: k must be 1..n (1..${n})`);
  return { k, n };
}

/** The members of shard k of n, in their fleet-file order. */
export function selectShard<T extends { account: string }>(
  members: readonly T[],
  spec: string,
): T[] {
  const { k, n } = parseShard(spec);
  const sorted = [...members].sort((a, b) =>
    a.account < b.account ? -1 : a.account > b.account ? 1 : 0,
  );
  const chosen = new Set(sorted.filter((_, i) => i % n === k - 1));
  return members.filter((m) => chosen.has(m));
}
