/**
 * The patchfleet CrossGuard policy pack, as `pulumi preview --policy-pack <this dir>` runs it.
 * This is the only module that constructs the PolicyPack: constructing one starts the analyzer
 * gRPC server, and a process may serve only one pack. Everything else imports the policies from
 * ./policies or runs them in process through ./evaluate.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME } from "./pack";
import { policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description:
    "patchfleet: every patch-tagged instance belongs to an approved baseline, and the patching " +
    "roles, windows and resource groups around it stay safe.",
  policies,
});
