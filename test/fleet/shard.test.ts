import { strict as assert } from "assert";
import fc from "fast-check";
import { ShardError, parseShard, selectShard } from "../../automation/rollout/shard";

const accounts = fc.uniqueArray(fc.stringMatching(/^[0-9]{12}$/), { maxLength: 40 });

describe("selectShard (--shard k/n)", () => {
  it("parses k/n and rejects bad specs with the option, the value and the fix", () => {
    assert.deepEqual(parseShard("2/4"), { k: 2, n: 4 });
    assert.deepEqual(parseShard(" 1 / 1 "), { k: 1, n: 1 });
    const cases: [string, string][] = [
      ["3/2", "--shard 3/2: k must be 1..n (1..2)"],
      ["0/2", "--shard 0/2: k must be 1..n (1..2)"],
      ["1/0", "--shard 1/0: n must be at least 1"],
      [
        "2",
        "--shard 2: expected k/n with whole numbers, e.g. --shard 2/4 for the second of four shards",
      ],
      [
        "a/b",
        "--shard a/b: expected k/n with whole numbers, e.g. --shard 2/4 for the second of four shards",
      ],
      [
        "-1/3",
        "--shard -1/3: expected k/n with whole numbers, e.g. --shard 2/4 for the second of four shards",
      ],
    ];
    for (const [spec, message] of cases) {
      assert.throws(
        () => selectShard([{ account: "111111111111" }], spec),
        (e: unknown) => e instanceof ShardError && e.message === message,
        spec,
      );
    }
  });

  it("deals members round-robin by account id and keeps fleet-file order inside a shard", () => {
    const members = [
      "444444444444",
      "111111111111",
      "333333333333",
      "222222222222",
      "555555555555",
    ].map((account) => ({ account }));
    const ids = (spec: string) => selectShard(members, spec).map((m) => m.account);
    assert.deepEqual(ids("1/2"), ["111111111111", "333333333333", "555555555555"]);
    assert.deepEqual(ids("2/2"), ["444444444444", "222222222222"]);
    assert.deepEqual(ids("3/3"), ["333333333333"]);
    assert.deepEqual(ids("5/7"), ["555555555555"]);
    assert.deepEqual(ids("7/7"), []);
  });

  it("property: the n shards partition the members exactly, evenly, whatever the file order", () => {
    fc.assert(
      fc.property(accounts, fc.integer({ min: 1, max: 12 }), fc.nat(), (ids, n, seed) => {
        const members = ids.map((account, i) => ({ account, name: `m${i}` }));
        // The same fleet with its members in another order.
        const shuffled = [...members].sort(
          (a, b) =>
            ((Number(a.account.slice(-6)) * 7919 + seed) % 1009) -
            ((Number(b.account.slice(-6)) * 7919 + seed) % 1009),
        );
        const seen = new Map<string, number>();
        const sizes: number[] = [];
        for (let k = 1; k <= n; k++) {
          const shard = selectShard(members, `${k}/${n}`);
          sizes.push(shard.length);
          for (const m of shard) seen.set(m.account, (seen.get(m.account) ?? 0) + 1);
          // Fleet-file order is kept inside a shard.
          const positions = shard.map((m) => members.indexOf(m));
          assert.deepEqual(
            positions,
            [...positions].sort((a, b) => a - b),
          );
          const again = selectShard(shuffled, `${k}/${n}`)
            .map((m) => m.account)
            .sort();
          assert.deepEqual(again, shard.map((m) => m.account).sort());
        }
        assert.equal(seen.size, members.length);
        assert.ok(
          [...seen.values()].every((c) => c === 1),
          "a member is in two shards",
        );
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `uneven shards ${sizes}`);
      }),
      { numRuns: 1000 },
    );
  });
});
