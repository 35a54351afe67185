// A program that cannot load without its stack config: `instanceType` is required and the stack
// sets none. `patchfleet check --program examples/broken` reports Pulumi's own message and this
// file's line, and exits 2.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const instanceType = config.require("instanceType");

export const id = new aws.ec2.Instance("app", {
  ami: "ami-0abcdef1234567890",
  instanceType,
  tags: { PatchGroup: "web-linux" },
}).id;
