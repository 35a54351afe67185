/**
 * The @pulumi/aws services the components use, each imported from its own module.
 *
 * `import * as aws from "@pulumi/aws"` makes the type checker read the declarations of every AWS
 * service (about 960,000 lines in @pulumi/aws 7) and a process load the package's index of all of
 * them; the services below are what the components need. Components import this module as `aws`,
 * so their code reads as the provider's documentation writes it (`aws.ssm.PatchBaseline`).
 */
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export { Provider } from "@pulumi/aws/provider";
export * as resourcegroups from "@pulumi/aws/resourcegroups";
export * as s3 from "@pulumi/aws/s3";
export * as sns from "@pulumi/aws/sns";
export * as ssm from "@pulumi/aws/ssm";
