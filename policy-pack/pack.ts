/** The pack's identity, as the engine reports it (the version must match package.json). */
export const PACK_NAME = "patchfleet";
export const PACK_VERSION = "0.1.0";
/** Level of a policy that declares none (@pulumi/policy's default). */
export const PACK_ENFORCEMENT_LEVEL = "advisory";
