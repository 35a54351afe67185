import { strict as assert } from "assert";
import { runbookContent } from "../../components/runbook";
import { logLocation } from "../../automation/ops/patch-report";
import { makeFleet, member } from "./fixtures";

describe("patch report log location", () => {
  it("points at the prefix the runbook's run-command step writes to", () => {
    const fleet = makeFleet([member("222222222222", ["eu-west-1"])]);
    const content = JSON.stringify(
      runbookContent({
        resourceGroupName: "g",
        logBucketName: "patchfleet-logs-111111111111",
        maxConcurrency: "10%",
        maxErrors: "5%",
      }),
    );
    const prefix = /"OutputS3KeyPrefix":"([^"]+)"/.exec(content)?.[1];
    assert.equal(
      prefix,
      "accountid={{ global:ACCOUNT_ID }}/region={{ global:REGION }}/automation/",
    );
    const resolved = (prefix ?? "")
      .replace("{{ global:ACCOUNT_ID }}", "222222222222")
      .replace("{{ global:REGION }}", "eu-west-1");
    assert.equal(
      logLocation(fleet, "222222222222", "eu-west-1"),
      `s3://patchfleet-logs-111111111111/${resolved}`,
    );
  });
});
