/** Every policy of the pack, in the order the engine lists them. */
import type { Policies } from "@pulumi/policy";
import { baselineRejectedPatchesBlocked } from "./baseline-rejected-patches-blocked";
import { baselineSecurityApproval } from "./baseline-security-approval";
import { iamNoWildcardPassRole } from "./iam-no-wildcard-passrole";
import { iamSsmTrustScoped } from "./iam-ssm-trust-scoped";
import { instanceApprovedBaseline } from "./instance-approved-baseline";
import { maintenanceWindowRateControl } from "./maintenance-window-rate-control";
import { maintenanceWindowRingOrder } from "./maintenance-window-ring-order";
import { patchTagKeyMetadataSafe } from "./patch-tag-key-metadata-safe";
import { resourceGroupTargetsInstances } from "./resource-group-targets-instances";

export {
  baselineRejectedPatchesBlocked,
  baselineSecurityApproval,
  iamNoWildcardPassRole,
  iamSsmTrustScoped,
  instanceApprovedBaseline,
  maintenanceWindowRateControl,
  maintenanceWindowRingOrder,
  patchTagKeyMetadataSafe,
  resourceGroupTargetsInstances,
};

export const policies: Policies = [
  instanceApprovedBaseline,
  baselineSecurityApproval,
  baselineRejectedPatchesBlocked,
  iamSsmTrustScoped,
  iamNoWildcardPassRole,
  maintenanceWindowRateControl,
  resourceGroupTargetsInstances,
  patchTagKeyMetadataSafe,
  maintenanceWindowRingOrder,
];
