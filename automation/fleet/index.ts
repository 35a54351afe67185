/** The fleet file: its parser and the validated model it produces. Only re-exports. */
export type * from "./types";
export { DEFAULT_PROJECT, FLEET_KEYS, FleetError, loadFleet, parseFleet } from "./parse-fleet";
export type { FleetIssue } from "./parse-fleet";
