/** SSM's limits on sharing a document privately with other accounts (no Pulumi imports). */

/**
 * How many accounts one document can be shared with privately. SSM's DocumentPermissionLimit
 * error: "By default, you can share a private document with a maximum of 1,000 accounts" (a quota
 * AWS Support can raise). The 20-accounts-per-call limit of ModifyDocumentPermission
 * (AccountIdsToAdd, max 20) is the provider's concern: terraform-provider-aws batches the ids of
 * `permissions.account_ids` 20 at a time (internal/service/ssm/document.go,
 * SSM_DOCUMENT_PERMISSIONS_BATCH_LIMIT), so a longer list deploys.
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html
 */
export const MAX_DOCUMENT_SHARE_ACCOUNTS = 1000;

/** Undefined when `count` member accounts can share one runbook, else the problem and the fix. */
export function checkShareCount(count: number): string | undefined {
  return count <= MAX_DOCUMENT_SHARE_ACCOUNTS
    ? undefined
    : `lists ${count} accounts, but SSM shares a document privately with at most ${MAX_DOCUMENT_SHARE_ACCOUNTS} accounts by default (DocumentPermissionLimit); split the fleet across central accounts, or ask AWS Support to raise the quota before deploying`;
}
