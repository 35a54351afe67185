import * as aws from "./aws-services";
import * as pulumi from "@pulumi/pulumi";
import {
  ACCOUNT_ID_PATTERN,
  PATCH_OPERATIONS,
  REBOOT_OPTIONS,
  RUN_PATCH_BASELINE_DOCUMENT,
} from "../domain";
import { checkShareCount } from "./document-sharing";
import { checkMaxConcurrency, checkMaxErrors } from "./schedule";

export { MAX_DOCUMENT_SHARE_ACCOUNTS, checkShareCount } from "./document-sharing";

export interface PatchRunbookArgs {
  /**
   * Physical document name; members and the fleet runner refer to it by name.
   * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html
   * @default "patchfleet-RunPatchBaseline"
   */
  documentName?: string;
  /** Name of the resource group the runCommand step targets (same in every account-region). */
  resourceGroupName: string;
  /** Bucket that receives the Run Command output. */
  logBucketName: string;
  /**
   * Rate control of the runCommand step: a count or a percentage of the group's instances.
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/running-automations-scale-controls.html
   * @default "10%"
   */
  maxConcurrency?: string;
  /** Errors tolerated before the step stops sending the command. @default "5%" */
  maxErrors?: string;
  /**
   * Accounts the document is shared with (the member accounts), via `permissions` type Share.
   * At most MAX_DOCUMENT_SHARE_ACCOUNTS (1,000, SSM's default quota for private sharing).
   * https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-ssm-sharing.html
   * @default []
   */
  sharedWithAccountIds?: string[];
  /** Tags of the document. @default {} */
  tags?: Record<string, string>;
}

/** The runbook content (schema 0.3) as plain data. Exported so tests and checks can read it. */
export function runbookContent(args: {
  resourceGroupName: string;
  logBucketName: string;
  maxConcurrency: string;
  maxErrors: string;
}): Record<string, unknown> {
  return {
    schemaVersion: "0.3",
    description:
      "Runs AWS-RunPatchBaseline (Scan or Install) on the patchfleet resource group of this account and region.",
    assumeRole: "{{ AutomationAssumeRole }}",
    parameters: {
      // No allowedPattern: the value is any role ARN the caller may pass (iam:PassRole), and the
      // partition in it varies.
      AutomationAssumeRole: {
        type: "String",
        description:
          "ARN of the role the automation runs as. For a multi-account start, the central account's administration role (e.g. arn:aws:iam::012345678901:role/AWS-SystemsManager-AutomationAdministrationRole); each target account runs under its execution role.",
      },
      Operation: {
        type: "String",
        description: "Scan reports missing patches; Install installs them.",
        allowedValues: [...PATCH_OPERATIONS],
        default: "Scan",
      },
      RebootOption: {
        type: "String",
        description: "Reboot after installing when a patch needs it, or never.",
        allowedValues: [...REBOOT_OPTIONS],
        default: "RebootIfNeeded",
      },
      SnapshotId: {
        type: "String",
        description:
          "Optional snapshot id: the same id gives the same patch approvals on every run.",
        default: "",
      },
      InstallOverrideList: {
        type: "String",
        description: "Optional https:// or s3:// URL of a YAML list of patches to install instead.",
        default: "",
      },
    },
    mainSteps: [
      {
        name: "RunPatchBaseline",
        action: "aws:runCommand",
        inputs: {
          DocumentName: RUN_PATCH_BASELINE_DOCUMENT,
          Targets: [{ Key: "resource-groups:Name", Values: [args.resourceGroupName] }],
          MaxConcurrency: args.maxConcurrency,
          MaxErrors: args.maxErrors,
          Parameters: {
            Operation: ["{{ Operation }}"],
            RebootOption: ["{{ RebootOption }}"],
            SnapshotId: ["{{ SnapshotId }}"],
            InstallOverrideList: ["{{ InstallOverrideList }}"],
          },
          OutputS3BucketName: args.logBucketName,
          OutputS3KeyPrefix:
            "accountid={{ global:ACCOUNT_ID }}/region={{ global:REGION }}/automation/",
        },
      },
    ],
  };
}

/**
 * The Automation runbook that patches the resource group of one account-region. Owned by the
 * central account and shared with the members, so one multi-account automation can run it
 * everywhere.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-runcommand.html
 */
export class PatchRunbook extends pulumi.ComponentResource {
  public readonly documentName: pulumi.Output<string>;
  public readonly documentArn: pulumi.Output<string>;

  constructor(name: string, args: PatchRunbookArgs, opts?: pulumi.ComponentResourceOptions) {
    super("patchfleet:ssm:PatchRunbook", name, {}, opts);
    const maxConcurrency = args.maxConcurrency ?? "10%";
    const maxErrors = args.maxErrors ?? "5%";
    const problems = [
      ["maxConcurrency", checkMaxConcurrency(maxConcurrency)],
      ["maxErrors", checkMaxErrors(maxErrors)],
    ].filter(([, p]) => p !== undefined);
    if (problems.length > 0) {
      throw new pulumi.ResourceError(problems.map(([k, p]) => `${k} ${p}`).join("\n"), this);
    }
    const shared = args.sharedWithAccountIds ?? [];
    const badAccount = shared.find((id) => !ACCOUNT_ID_PATTERN.test(id));
    if (badAccount !== undefined) {
      throw new pulumi.ResourceError(
        `sharedWithAccountIds must hold 12-digit account id strings, got ${JSON.stringify(badAccount)}`,
        this,
      );
    }
    const shareProblem = checkShareCount(shared.length);
    if (shareProblem !== undefined) {
      throw new pulumi.ResourceError(`sharedWithAccountIds ${shareProblem}`, this);
    }
    const content = runbookContent({
      resourceGroupName: args.resourceGroupName,
      logBucketName: args.logBucketName,
      maxConcurrency,
      maxErrors,
    });
    const document = new aws.ssm.Document(
      `${name}-document`,
      {
        name: args.documentName ?? "patchfleet-RunPatchBaseline",
        documentType: "Automation",
        documentFormat: "JSON",
        content: JSON.stringify(content, null, 2),
        // The provider reads this string map by the keys `type` and `account_ids` (comma-separated)
        // and refuses a plan without them ("account_ids must be defined"), so the key is
        // snake_case here even though every other input is camelCase.
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_document#permissions
        permissions:
          shared.length > 0 ? { type: "Share", account_ids: shared.join(",") } : undefined,
        tags: args.tags ?? {},
      },
      {
        parent: this,
        // Updating a document's content in place fails or is silently skipped by the provider
        // (pulumi-aws #2555: "documentVersion failed to satisfy constraint"). Replace it instead;
        // the name is fixed, so the old document has to go before the new one is created.
        replaceOnChanges: ["content"],
        deleteBeforeReplace: true,
      },
    );
    this.documentName = document.name;
    this.documentArn = document.arn;
    this.registerOutputs({ documentName: this.documentName, documentArn: this.documentArn });
  }
}
