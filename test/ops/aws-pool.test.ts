import { strict as assert } from "assert";
import { gatherCompliance } from "../../automation/ops/compliance";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL_KEY, makeFleet, makeInstances, member, registerRoles } from "./fixtures";

// Every account-region has its own client (S1), but they share one keep-alive connection pool: a
// fleet read must cost one TCP connection per request in flight, not one per call.
describe("connection reuse across account-region clients", () => {
  let fake: FakeAws;
  let restoreEnv: () => void;

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
  });

  async function readFleet(concurrency: number): Promise<number> {
    const accounts = ["222222222222", "333333333333", "444444444444"];
    const fleet = makeFleet(accounts.map((a) => member(a, ["us-east-1", "eu-west-1"])));
    registerRoles(fake, fleet);
    for (const a of accounts) {
      for (const r of ["us-east-1", "eu-west-1"])
        fake.instances.set(`${a}/${r}`, makeInstances(`${a}-${r}`, 120));
    }
    const report = await gatherCompliance({
      fleet,
      runId: "pool",
      aws: { endpoint: fake.url },
      concurrency,
      detailLimit: 0,
    });
    assert.equal(report.targets.length, 6);
    return fake.calls.length;
  }

  it("uses one connection for a whole sequential read", async () => {
    const calls = await readFleet(1);
    // 6 targets × (3 pages of instance information + 3 of patch states) + 3 AssumeRole.
    assert.equal(calls, 6 * 6 + 3);
    assert.equal(fake.connections, 1);
  });

  it("opens no more connections than requests in flight", async () => {
    const calls = await readFleet(3);
    assert.equal(calls, 6 * 6 + 3);
    assert.ok(fake.connections >= 1 && fake.connections <= 3, `connections: ${fake.connections}`);
  });
});
