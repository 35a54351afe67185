/**
 * The stand-in provider's refusals for the alert resources, without the engine: each request is
 * the one the Pulumi AWS provider sends (arguments from its docs, see engine/provider/rules.ts),
 * checked against botocore 1.44.8's models.
 */
import { strict as assert } from "assert";
import { problems } from "../engine/provider/rules";

describe("stand-in provider: alert and data sync resources", () => {
  it("accepts what patchfleet sends", () => {
    assert.deepEqual(
      problems("aws:cloudwatch/eventTarget:EventTarget", {
        rule: "patchfleet-automation-failed",
        targetId: "central-alert-topic",
        arn: "arn:aws:sns:us-east-1:111111111111:patchfleet-alerts",
        roleArn: "arn:aws:iam::222222222222:role/patchfleet-AlertPublisher",
      }),
      [],
    );
    assert.deepEqual(
      problems("aws:ssm/resourceDataSync:ResourceDataSync", {
        name: "patchfleet-inventory",
        s3Destination: { bucketName: "b", region: "us-east-1", syncFormat: "JsonSerDe" },
      }),
      [],
    );
  });

  it("refuses what AWS refuses", () => {
    // events model: TargetId max 64 (its pattern is unanchored in the model).
    assert.equal(
      problems("aws:cloudwatch/eventTarget:EventTarget", {
        rule: "r",
        targetId: "t".repeat(65),
        arn: "arn:aws:sns:us-east-1:111111111111:t",
      }).length,
      1,
    );
    // ssm model: ResourceDataSyncS3Format enum [JsonSerDe].
    assert.equal(
      problems("aws:ssm/resourceDataSync:ResourceDataSync", {
        name: "s",
        s3Destination: { bucketName: "b", region: "us-east-1", syncFormat: "Parquet" },
      }).length,
      1,
    );
    // ssm model: NotificationEvent enum.
    assert.equal(
      problems("aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", {
        windowId: "mw-0123456789abcdef0",
        taskArn: "AWS-RunPatchBaseline",
        taskType: "RUN_COMMAND",
        taskInvocationParameters: {
          runCommandParameters: { notificationConfig: { notificationEvents: ["Timeout"] } },
        },
      }).length,
      1,
    );
    // kms model: AliasNameType pattern ^[a-zA-Z0-9:/_-]+$; the provider docs: must start alias/.
    assert.ok(
      problems("aws:kms/alias:Alias", { name: "patchfleet alerts", targetKeyId: "k" }).length >= 2,
    );
  });
});
