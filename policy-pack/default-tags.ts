/**
 * Tags an AWS provider adds to every resource it manages (`defaultTags.tags`), and an instance's
 * tags as EC2 will see them: the provider's defaults with the resource's own tags on top.
 *
 * The AWS provider resource sends its nested settings JSON-encoded: its `defaultTags` input is the
 * string `{"tags":{...}}`, not an object. Both forms are read here.
 */
import type { PolicyResource } from "@pulumi/policy";
import { UNKNOWN, isUnknown, peek } from "./values";

/** A provider as the policies see it: its URN and its inputs. */
export interface ProviderView {
  urn: string;
  props: unknown;
}

/** A tag map (raw values, a value may be unknown), UNKNOWN, or undefined when there is none. */
export type TagMap = Record<string, unknown>;

/** The `defaultTags.tags` of a provider's inputs. */
export function defaultTagsOf(providerProps: unknown): TagMap | typeof UNKNOWN | undefined {
  let dt = peek(providerProps, "defaultTags");
  if (isUnknown(dt)) return UNKNOWN;
  if (typeof dt === "string") {
    try {
      dt = JSON.parse(dt) as unknown;
    } catch {
      return undefined;
    }
  }
  const tags = peek(dt, "tags");
  if (isUnknown(tags)) return UNKNOWN;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) return undefined;
  return tags as TagMap;
}

/**
 * The provider inputs that apply to a resource: the provider resource of the stack with the same
 * URN when there is one (a stack policy sees every resource, providers included), otherwise the
 * props the engine attached to the resource's provider reference.
 */
export function providerProps(
  provider: ProviderView | undefined,
  providersByUrn?: ReadonlyMap<string, PolicyResource>,
): unknown {
  if (provider === undefined) return undefined;
  return providersByUrn?.get(provider.urn)?.props ?? provider.props;
}

/** Provider resources of a stack by URN (`pulumi:providers:aws` and the like). */
export function providersByUrn(resources: readonly PolicyResource[]): Map<string, PolicyResource> {
  const out = new Map<string, PolicyResource>();
  for (const r of resources) if (r.type.startsWith("pulumi:providers:")) out.set(r.urn, r);
  return out;
}

/**
 * An instance's effective tags: the provider's default tags, overridden key by key by its own
 * tags (AWS gives the resource's own value precedence). UNKNOWN when its own tag map is unknown.
 * `defaultsUnknown` is true when the provider's default tags are not known yet, so keys missing
 * from the result may still arrive through them.
 */
export function effectiveTags(
  ownTags: unknown,
  provider: unknown,
): { tags: TagMap; defaultsUnknown: boolean } | typeof UNKNOWN {
  if (isUnknown(ownTags)) return UNKNOWN;
  const defaults = defaultTagsOf(provider);
  const own = typeof ownTags === "object" && ownTags !== null ? (ownTags as TagMap) : {};
  // Copied with peek, key by key: spreading would read through the unknown-checking proxy.
  const tags: TagMap = {};
  if (defaults !== UNKNOWN && defaults !== undefined) {
    for (const k of Object.keys(defaults)) tags[k] = peek(defaults, k);
  }
  for (const k of Object.keys(own)) tags[k] = peek(own, k);
  return { tags, defaultsUnknown: defaults === UNKNOWN };
}
