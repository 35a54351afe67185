/**
 * The in-process twin of @pulumi/policy's unknown-checking proxy (which that package keeps
 * internal): reading a property whose value is not known yet throws UnknownValueError with the
 * same message the real pack produces, so a policy behaves the same in both places.
 */
import { UNKNOWN, WIRE_UNKNOWNS } from "./values";

export class UnknownValueError extends Error {
  constructor(
    readonly kind: string,
    readonly path: readonly PropertyKey[],
  ) {
    super(`${kind} value at .${path.map(String).join(".")} can't be known during preview`);
    this.name = "UnknownValueError";
  }
}

function unknownKind(value: unknown): string | undefined {
  if (value === UNKNOWN) return "string";
  return typeof value === "string" ? WIRE_UNKNOWNS[value] : undefined;
}

export function unknownCheckingProxy<T extends object>(target: T): T {
  return wrap(target, []) as T;
}

function wrap(target: unknown, path: readonly PropertyKey[]): unknown {
  if (!(target instanceof Object)) return target;
  return new Proxy(target, {
    get(obj, prop) {
      const value = (obj as Record<PropertyKey, unknown>)[prop];
      const next = [...path, prop];
      const kind = unknownKind(value);
      if (kind !== undefined) throw new UnknownValueError(kind, next);
      // A non-configurable, non-writable own data property must be returned as is (a Proxy
      // invariant; Array methods read such properties).
      const desc = Object.getOwnPropertyDescriptor(obj, prop);
      if (desc && "value" in desc && desc.configurable === false && desc.writable === false) {
        return value;
      }
      return wrap(value, next);
    },
  });
}
