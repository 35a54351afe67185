/**
 * Reading resource properties that may not be known yet.
 *
 * During `pulumi preview` the engine sends computed values (an id or ARN of a resource that does
 * not exist yet) as fixed sentinel strings, and @pulumi/policy wraps `props` in a proxy that throws
 * as soon as a policy reads such a value. A throw inside a stack policy turns that policy's whole
 * result into one advisory "can't run during preview" note, so one unknown baseline id would hide
 * every other finding of the stack. Our policies therefore read properties through `peek`, which
 * goes around the proxy and hands back the raw value, and test it with `isUnknown` themselves.
 */

/** Marks a value that is not known yet, in resources fed to `evaluatePolicies`. */
export const UNKNOWN: unique symbol = Symbol("patchfleet.unknown");

/**
 * The sentinels the engine uses on the wire for computed values, by the kind of value (the same
 * strings @pulumi/pulumi and @pulumi/policy recognise).
 */
export const WIRE_UNKNOWNS: Readonly<Record<string, string>> = {
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "boolean",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9": "string",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "Array",
  "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
  "e48ece36-62e2-4504-bad9-02848725956a": "archive",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "Object",
};

/** The wire sentinel of an unknown string (what the engine sends for most computed outputs). */
export const WIRE_UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || (typeof value === "string" && Object.hasOwn(WIRE_UNKNOWNS, value));
}

/**
 * The raw value of `obj[key]`, without triggering the unknown-checking proxy: an own property's
 * descriptor comes from the proxy's target untouched. Returns undefined for missing keys and for
 * anything that is not an object.
 */
export function peek(obj: unknown, key: string | number): unknown {
  if (typeof obj !== "object" || obj === null) return undefined;
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  return desc === undefined ? undefined : desc.value;
}

/** A string value, or UNKNOWN, or undefined when absent or not a string. */
export function peekString(
  obj: unknown,
  key: string | number,
): string | typeof UNKNOWN | undefined {
  const v = peek(obj, key);
  if (isUnknown(v)) return UNKNOWN;
  return typeof v === "string" ? v : undefined;
}

/** The elements of an array value (raw), UNKNOWN, or an empty list when absent. */
export function peekArray(obj: unknown, key: string | number): readonly unknown[] | typeof UNKNOWN {
  const v = peek(obj, key);
  if (isUnknown(v)) return UNKNOWN;
  return Array.isArray(v) ? v : [];
}

/** A string list from a value that AWS accepts as a string or a list of strings. */
export function stringList(value: unknown): string[] | typeof UNKNOWN {
  if (isUnknown(value)) return UNKNOWN;
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (const v of value) {
    if (isUnknown(v)) return UNKNOWN;
    if (typeof v === "string") out.push(v);
  }
  return out;
}

/** Quote a value for a message: strings in double quotes, the rest as JSON. */
export function q(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
