import { strict as assert } from "assert";
import { AwsSessions } from "../../automation/ops/aws";
import { patchTargets, preflight } from "../../automation/ops/preflight";
import { FakeAws, useFakeEnv } from "./fake-aws";
import { CENTRAL, CENTRAL_KEY, makeFleet, member, registerRoles } from "./fixtures";

const A = "222222222222";
const B = "333333333333";

describe("preflight: the runbook in every region the automation runs in", function () {
  let fake: FakeAws;
  let restoreEnv: () => void;
  const fleet = makeFleet([member(A, ["us-east-1", "eu-west-1"]), member(B, ["ap-south-1"])]);

  beforeEach(async () => {
    restoreEnv = useFakeEnv(CENTRAL_KEY);
    fake = new FakeAws();
    await fake.start();
    registerRoles(fake, fleet);
  });
  afterEach(async () => {
    await fake.stop();
    restoreEnv();
  });

  async function check() {
    const aws = new AwsSessions({ endpoint: fake.url, runId: "r1", requestTimeoutMs: 5000 });
    try {
      return await preflight(fleet, aws);
    } finally {
      aws.destroy();
    }
  }

  it("a runbook only in the home region is missing in the other target regions", async () => {
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A, B],
    });
    const { problems } = await check();
    assert.deepEqual(
      problems.map((p) => [p.target, p.message]),
      ["eu-west-1", "ap-south-1"].map((r) => [
        `central ${CENTRAL}/${r}`,
        `runbook patchfleet-patch not found in the central account in ${r}: InvalidDocument: ` +
          "The specified document does not exist.",
      ]),
    );
    // Each region's document is read in that region of the central account.
    assert.deepEqual(
      fake
        .callsOf("DescribeDocument")
        .map((c) => `${c.account}/${c.region}`)
        .sort(),
      [`${CENTRAL}/ap-south-1`, `${CENTRAL}/eu-west-1`, `${CENTRAL}/us-east-1`],
    );
  });

  it("sharing is checked per region, only for the accounts patched there", async () => {
    fake.documents.set(`${CENTRAL}/us-east-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A],
    });
    fake.documents.set(`${CENTRAL}/eu-west-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [B],
    });
    fake.documents.set(`${CENTRAL}/ap-south-1/patchfleet-patch`, {
      type: "Automation",
      sharedWith: [A],
    });
    const { problems } = await check();
    assert.deepEqual(problems, [
      {
        target: `${A}/eu-west-1`,
        message: `runbook patchfleet-patch in eu-west-1 is not shared with member account ${A} (acct-222)`,
        fix:
          "share it from the central stack (patchfleet up), or run: aws ssm modify-document-permission " +
          `--name patchfleet-patch --permission-type Share --account-ids-to-add ${A} --region eu-west-1`,
      },
      {
        target: `${B}/ap-south-1`,
        message: `runbook patchfleet-patch in ap-south-1 is not shared with member account ${B} (acct-333)`,
        fix:
          "share it from the central stack (patchfleet up), or run: aws ssm modify-document-permission " +
          `--name patchfleet-patch --permission-type Share --account-ids-to-add ${B} --region ap-south-1`,
      },
    ]);
  });

  it("the central account's own regions are targets, first and once each", () => {
    const both = makeFleet([member(CENTRAL, ["us-east-1", "eu-west-1"]), member(A, ["us-east-1"])]);
    assert.deepEqual(
      patchTargets(both).map((t) => `${t.member.account}/${t.region}`),
      [`${CENTRAL}/us-east-1`, `${CENTRAL}/eu-west-1`, `${A}/us-east-1`],
    );
  });

  it("the resource group is checked in the central account with the operations role", async () => {
    for (const r of ["us-east-1", "eu-west-1", "ap-south-1"]) {
      fake.documents.set(`${CENTRAL}/${r}/patchfleet-patch`, {
        type: "Automation",
        sharedWith: [A, B],
      });
    }
    fake.resourceGroups.delete(`${CENTRAL}/us-east-1/patchfleet-patch-targets`);
    const { problems, notes } = await check();
    assert.deepEqual(problems, [
      {
        target: `${CENTRAL}/us-east-1`,
        message: `resource group patchfleet-patch-targets does not exist in ${CENTRAL}/us-east-1`,
        fix: "deploy the central stack (`patchfleet up`), or correct resourceGroup.name",
      },
    ]);
    assert.deepEqual(notes, []);
    const central = fake.callsOf("GetGroup", CENTRAL);
    assert.equal(central.length, 1);
  });
});
