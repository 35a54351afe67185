/** HTML helpers for the pages patchfleet renders. Only re-exports. */
export { escapeHtml } from "./escape-html";
