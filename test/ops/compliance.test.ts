import { strict as assert } from "assert";
import { gatherCompliance } from "../../automation/ops/compliance";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL_KEY, makeFleet, makeInstances, member, registerRoles } from "./fixtures";

const A = "222222222222";
const B = "333333333333";
const C = "444444444444";

describe("compliance against the local SSM/STS endpoint", function () {
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

  it("reads every page of every target once and reports exact counts", async () => {
    const fleet = makeFleet([
      member(A, ["us-east-1", "eu-west-1"], { externalId: "ext-A" }),
      member(B, ["us-east-1"]),
    ]);
    registerRoles(fake, fleet);
    fake.instances.set(`${A}/us-east-1`, makeInstances("a1", 120));
    fake.instances.set(`${A}/eu-west-1`, makeInstances("a2", 7));
    fake.instances.set(`${B}/us-east-1`, []);
    const report = await gatherCompliance({
      fleet,
      runId: "run1",
      aws: { endpoint: fake.url },
      concurrency: 4,
      detailLimit: 0,
    });
    assert.deepEqual(
      report.targets.map((t) => [t.account, t.region, t.state, t.totals.instances, t.apiCalls]),
      [
        [A, "us-east-1", "SUCCEEDED", 120, 6],
        [A, "eu-west-1", "SUCCEEDED", 7, 2],
        [B, "us-east-1", "SUCCEEDED", 0, 1],
      ],
    );
    console.log(JSON.stringify(report.totals));
  });
});
