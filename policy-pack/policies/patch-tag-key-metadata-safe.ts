import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  patchTagKeyMetadataSafeSchema,
  readConfig,
  type PatchTagKeyMetadataSafeConfig,
} from "../config";
import { effectiveTags, providerProps } from "../default-tags";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekArray, peekString, q } from "../values";

const description =
  "Instances that expose their tags in instance metadata carry no patch tag key with a space.";

export const patchTagKeyMetadataSafe: ResourceValidationPolicy = {
  name: "patchfleet-patch-tag-key-metadata-safe",
  description,
  enforcementLevel: "advisory",
  configSchema: patchTagKeyMetadataSafeSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.instance && args.type !== TYPES.launchTemplate) return;
    const cfg = readConfig<PatchTagKeyMetadataSafeConfig>(args, patchTagKeyMetadataSafeSchema);
    const spaced = cfg.tagKeys.filter((k) => k.includes(" "));
    if (spaced.length === 0) return;
    const subj = subject(args.type, args.name);
    const unknown = (what: string): void =>
      reportNotKnownYet(reportViolation, description, subj, what, args.urn);

    // Tag maps that end up on instances: an instance's own tags over its provider's default
    // tags, a launch template's instance tag specifications.
    const tagMaps: unknown[] = [];
    let unknownTags = "its instance tags";
    if (args.type === TYPES.instance) {
      const eff = effectiveTags(peek(args.props, "tags"), providerProps(args.provider));
      if (eff === UNKNOWN) tagMaps.push(UNKNOWN);
      else {
        tagMaps.push(eff.tags);
        if (eff.defaultsUnknown) {
          tagMaps.push(UNKNOWN);
          unknownTags = "the defaultTags of its provider";
        }
      }
    } else {
      const specs = peekArray(args.props, "tagSpecifications");
      if (specs === UNKNOWN) tagMaps.push(specs);
      else {
        for (const spec of specs) {
          const type = isUnknown(spec) ? UNKNOWN : peekString(spec, "resourceType");
          if (type === UNKNOWN) tagMaps.push(UNKNOWN);
          else if (type === "instance") tagMaps.push(peek(spec, "tags"));
        }
      }
    }
    let tagsUnknown = false;
    const found: string[] = [];
    for (const tags of tagMaps) {
      if (isUnknown(tags)) tagsUnknown = true;
      else
        for (const k of spaced)
          if (peek(tags, k) !== undefined && !found.includes(k)) found.push(k);
    }
    if (found.length === 0 && !tagsUnknown) return;

    const metadata = peek(args.props, "metadataOptions");
    const setting = isUnknown(metadata) ? UNKNOWN : peekString(metadata, "instanceMetadataTags");
    if (setting === UNKNOWN) return unknown("metadataOptions.instanceMetadataTags");
    if (setting !== "enabled") return;
    if (tagsUnknown && found.length === 0) return unknown(unknownTags);
    for (const key of found) {
      // EC2 refuses tag keys with spaces (or "/") on instances whose tags are exposed in
      // instance metadata, so the launch or the tagging fails.
      reportViolation(
        `${subj} enables instance metadata tags (metadataOptions.instanceMetadataTags is ` +
          `"enabled") and carries patch tag key ${q(key)}, which contains a space; EC2 rejects ` +
          `tag keys with spaces while metadata tags are enabled. Fix: use the tag key ` +
          `${q(key.replace(/ /g, ""))}, or disable instance metadata tags.`,
      );
    }
  },
};
