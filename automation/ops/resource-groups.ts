/**
 * The one Resource Groups call preflight needs (GetGroup), through the SDK's Resource Groups
 * client, so its endpoint, credentials, FIPS and dual-stack settings follow the SDK's standard
 * configuration like every other call.
 * https://docs.aws.amazon.com/ARG/latest/APIReference/API_GetGroup.html
 */
import { GetGroupCommand, ResourceGroupsClient } from "@aws-sdk/client-resource-groups";
import { AwsFailureKind, awsFailureKind } from "./aws";
import { errorText } from "./util";

export type GroupCheck =
  { found: true } | { found: false; reason: AwsFailureKind; message: string };

/**
 * Whether a resource group exists. Throttling and server errors are retried by the client's retry
 * strategy; not-found and access-denied are answers, not errors.
 */
export async function getGroup(client: ResourceGroupsClient, name: string): Promise<GroupCheck> {
  try {
    await client.send(new GetGroupCommand({ Group: name }));
    return { found: true };
  } catch (err) {
    return { found: false, reason: awsFailureKind(err), message: errorText(err) };
  }
}
