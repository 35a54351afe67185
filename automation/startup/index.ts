/**
 * What our own executables (the CLI, a check worker) do first, before they load the SDK. Their
 * entry modules import ./defer-now before anything else.
 */
export { deferSdkOnlyModules } from "./defer-sdk-modules";
