import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_RESOURCE_GROUP_TAG } from "../domain";
import { DEFAULT_RESOURCE_GROUP_NAME } from "./config";

export interface PatchTargetGroupArgs {
  /**
   * Physical name of the group. It must be the same in every account-region, because the central
   * runbook and the maintenance windows target the group by name.
   * https://docs.aws.amazon.com/ARG/latest/APIReference/API_CreateGroup.html
   * @default "patchfleet-patch-targets"
   */
  groupName?: string;
  /**
   * Tag key that selects EC2 instances into the group.
   * @default "ssm-linuxpatching"
   */
  tagKey?: pulumi.Input<string>;
  /**
   * Tag value that selects EC2 instances into the group.
   * @default "True"
   */
  tagValue?: pulumi.Input<string>;
  /** Tags of the group itself. @default {} */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * A tag-based resource group of the EC2 instances to patch (query type TAG_FILTERS_1_0).
 * https://docs.aws.amazon.com/ARG/latest/userguide/gettingstarted-query.html
 */
export class PatchTargetGroup extends pulumi.ComponentResource {
  public readonly groupName: pulumi.Output<string>;
  public readonly groupArn: pulumi.Output<string>;

  constructor(name: string, args: PatchTargetGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:resourcegroups:PatchTargetGroup", name, {}, opts);
    const groupName = args.groupName ?? DEFAULT_RESOURCE_GROUP_NAME;
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(groupName) || /^aws/i.test(groupName)) {
      throw new pulumi.ResourceError(
        `groupName must be 1–128 letters, digits and _.- and must not start with aws, got ${JSON.stringify(groupName)}; rename it`,
        this,
      );
    }
    const query = pulumi
      .all([
        args.tagKey ?? DEFAULT_RESOURCE_GROUP_TAG.key,
        args.tagValue ?? DEFAULT_RESOURCE_GROUP_TAG.value,
      ])
      .apply(([key, value]) =>
        JSON.stringify({
          ResourceTypeFilters: ["AWS::EC2::Instance"],
          TagFilters: [{ Key: key, Values: [value] }],
        }),
      );
    const group = new aws.resourcegroups.Group(
      `${name}-group`,
      {
        name: groupName,
        description: "EC2 instances patched by patchfleet, selected by tag",
        resourceQuery: { type: "TAG_FILTERS_1_0", query },
        tags: args.tags ?? {},
      },
      { parent: this },
    );
    this.groupName = group.name;
    this.groupArn = group.arn;
    this.registerOutputs({ groupName: this.groupName, groupArn: this.groupArn });
  }
}
