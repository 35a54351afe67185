/** Small helpers shared by fleet operations. */
import type { FleetAccount } from "../fleet/types";

/** One account-region of the fleet. */
export interface AccountRegion {
  member: FleetAccount;
  region: string;
}

/** Each account-region of `accounts` once, in order (an account listed twice counts once). */
export function accountRegions(accounts: readonly FleetAccount[]): AccountRegion[] {
  const out: AccountRegion[] = [];
  const seen = new Set<string>();
  for (const member of accounts) {
    for (const region of member.regions) {
      const key = `${member.account}/${region}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ member, region });
    }
  }
  return out;
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping results in input order.
 * `fn` must not throw: each item's failure belongs in its own result.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers: Promise<void>[] = [];
  const width = Math.max(1, Math.min(limit, items.length));
  for (let w = 0; w < width; w++) {
    workers.push(
      (async () => {
        while (next < items.length) {
          const i = next++;
          results[i] = await fn(items[i], i);
        }
      })(),
    );
  }
  await Promise.all(workers);
  return results;
}

/** `name: message` of anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error)
    return err.name && err.name !== "Error" ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}
