/**
 * Names and ARNs that both the stack config and the fleet file accept, each with the rule a
 * failing value is told about. One place, so the two validators cannot drift apart.
 */

/** IAM role names (administration and execution roles). */
export const IAM_ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const IAM_ROLE_NAME_RULE = "must be an IAM role name: 1–64 letters, digits and +=,.@_-";

/** An IAM role ARN; groups: 1 partition, 2 account id, 3 role path and name. */
export const ROLE_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role\/([\w+=,.@/-]{1,512})$/;

/** S3 bucket names (the log bucket). */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const BUCKET_NAME_RULE =
  "must be an S3 bucket name: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";

/** SSM document names (the runbook). */
export const DOCUMENT_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,128}$/;
/** AWS keeps these prefixes for its own documents. */
export const RESERVED_DOCUMENT_PREFIX = /^(aws|amazon|amzn)/i;
export const RESERVED_DOCUMENT_PREFIX_RULE =
  "must not start with aws, amazon or amzn (reserved for AWS documents); rename it";

/** Resource Groups names. */
export const RESOURCE_GROUP_NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,128}$/;
export const RESOURCE_GROUP_NAME_RULE = "must be 1–128 letters, digits and _.-";
/** AWS keeps names starting with AWS or aws for itself. */
export const RESERVED_RESOURCE_GROUP_PREFIX = /^aws/i;
export const RESERVED_RESOURCE_GROUP_PREFIX_RULE =
  "must not start with AWS or aws (reserved); rename it";
