/**
 * Imported first by an executable's entry module, so that the deferral happens before any import
 * after it loads @pulumi/pulumi (ES imports run in order, and each is hoisted above other code).
 */
import { deferSdkOnlyModules } from "./defer-sdk-modules";

deferSdkOnlyModules();
