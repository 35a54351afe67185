// An application team's stack. Its instances join patch groups through the PatchGroup tag; the
// groups themselves are registered by the account's patchfleet topology stack, so the policy pack
// learns them from policy config (`patchfleet policy-config`, or policy-config.json here).
//
// `batch` is tagged for "legacy-batch", a patch group that no baseline is registered for: that
// instance would never be patched, and `patchfleet check` blocks it.
import * as aws from "@pulumi/aws";

const ami = "ami-0abcdef1234567890";

export const web = new aws.ec2.Instance("web", {
  ami,
  instanceType: "t3.small",
  tags: { Name: "web", PatchGroup: "web-linux", "ssm-linuxpatching": "True" },
}).id;

export const batch = new aws.ec2.Instance("batch", {
  ami,
  instanceType: "t3.medium",
  tags: { Name: "batch", PatchGroup: "legacy-batch", "ssm-linuxpatching": "True" },
}).id;
