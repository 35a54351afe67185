import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { APPROVED_BASELINE_POLICY } from "../../domain";
import { baselineFix, judgeBaseline, type BaselineVerdict } from "../baseline-rules";
import {
  instanceApprovedBaselineSchema,
  readConfig,
  type InstanceApprovedBaselineConfig,
} from "../config";
import { effectiveTags, providerProps, providersByUrn } from "../default-tags";
import { NOT_KNOWN_YET, reportUnknown } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekArray, peekString, q } from "../values";

type GroupVerdict =
  { kind: "ok" } | { kind: "unknown"; what: string } | { kind: "fail"; text: string };

interface PatchTag {
  key: string;
  value: string | typeof UNKNOWN;
  /** Where the tag comes from when it is not the resource's own, for messages. */
  via?: string;
}

interface TagScan {
  tags: PatchTag[];
  /** What could not be read, when something could not. */
  unknown?: string;
}

/**
 * Patch tags a resource puts on instances: an instance's own tags over its provider's default
 * tags, launch tag specs, propagated ASG tags. (The provider's default tags reach neither launch
 * template tag specifications nor ASG tags.)
 */
function scanPatchTags(
  r: PolicyResource,
  tagKeys: readonly string[],
  providers: ReadonlyMap<string, PolicyResource>,
): TagScan | undefined {
  const scan: TagScan = { tags: [] };
  const fromMap = (tags: unknown, where: string): void => {
    if (isUnknown(tags)) {
      scan.unknown ??= where;
      return;
    }
    for (const key of tagKeys) {
      const v = peek(tags, key);
      if (v === undefined) continue;
      scan.tags.push({ key, value: isUnknown(v) ? UNKNOWN : String(v) });
    }
  };
  switch (r.type) {
    case TYPES.instance: {
      const own = peek(r.props, "tags");
      const eff = effectiveTags(own, providerProps(r.provider, providers));
      if (eff === UNKNOWN) return { tags: [], unknown: "its tags" };
      fromMap(eff.tags, "its tags");
      for (const t of scan.tags) {
        if (peek(own, t.key) === undefined) {
          t.via = ` (from the defaultTags of provider ${q(r.provider?.name ?? "")})`;
        }
      }
      // A patch tag of its own is checked; without one, the provider's unknown default tags
      // may still add one.
      if (eff.defaultsUnknown && scan.tags.length === 0) {
        scan.unknown ??= "the defaultTags of its provider";
      }
      return scan;
    }
    case TYPES.launchTemplate: {
      const specs = peekArray(r.props, "tagSpecifications");
      if (specs === UNKNOWN) return { tags: [], unknown: "its tagSpecifications" };
      for (const spec of specs) {
        const type = isUnknown(spec) ? UNKNOWN : peekString(spec, "resourceType");
        if (type === UNKNOWN) scan.unknown ??= "the resourceType of a tag specification";
        else if (type === "instance")
          fromMap(peek(spec, "tags"), "the tags of its instance tag specification");
      }
      return scan;
    }
    case TYPES.autoScalingGroup: {
      const tags = peekArray(r.props, "tags");
      if (tags === UNKNOWN) return { tags: [], unknown: "its tags" };
      for (const t of tags) {
        const key = isUnknown(t) ? UNKNOWN : peekString(t, "key");
        if (key === UNKNOWN) {
          scan.unknown ??= "the key of one of its tags";
          continue;
        }
        if (key === undefined || !tagKeys.includes(key)) continue;
        const propagate = peek(t, "propagateAtLaunch");
        if (isUnknown(propagate)) {
          scan.unknown ??= `propagateAtLaunch of its tag ${q(key)}`;
          continue;
        }
        if (propagate !== true && propagate !== "true") continue;
        const v = peek(t, "value");
        scan.tags.push({ key, value: isUnknown(v) ? UNKNOWN : String(v) });
      }
      return scan;
    }
    default:
      return undefined;
  }
}

/**
 * A baseline reference as SSM accepts it (id, or ARN ending in `patchbaseline/<id>`) and the id it
 * names, so an approval listed by ARN matches a registration by id and the other way round.
 */
function refForms(ref: string): string[] {
  const m = /:patchbaseline\/(pb-[0-9a-f]+)$/.exec(ref);
  return m ? [ref, m[1]] : [ref];
}

/** Patch groups and baselines of one stack, and verdicts cached per baseline and per group. */
class PatchIndex {
  private readonly registrations = new Map<string, PolicyResource[]>();
  private readonly unnamedRegistrations: PolicyResource[] = [];
  private readonly baselinesByRef = new Map<string, PolicyResource>();
  private readonly approved: Set<string>;
  private readonly baselineVerdicts = new Map<PolicyResource, BaselineVerdict>();
  private readonly groupVerdicts = new Map<string, GroupVerdict>();

  constructor(
    resources: readonly PolicyResource[],
    private readonly cfg: InstanceApprovedBaselineConfig,
  ) {
    this.approved = new Set(cfg.approvedBaselines.flatMap(refForms));
    for (const r of resources) {
      if (r.type === TYPES.patchGroup) {
        const group = peekString(r.props, "patchGroup");
        if (group === UNKNOWN) this.unnamedRegistrations.push(r);
        else if (group !== undefined) {
          const list = this.registrations.get(group);
          if (list) list.push(r);
          else this.registrations.set(group, [r]);
        }
      } else if (r.type === TYPES.patchBaseline) {
        for (const key of ["name", "arn", "id"]) {
          const ref = peekString(r.props, key);
          if (typeof ref === "string") for (const f of refForms(ref)) this.baselinesByRef.set(f, r);
        }
      }
    }
  }

  private findBaseline(ref: string): PolicyResource | undefined {
    for (const f of refForms(ref)) {
      const b = this.baselinesByRef.get(f);
      if (b) return b;
    }
    return undefined;
  }

  private isApproved(ref: string): boolean {
    return refForms(ref).some((f) => this.approved.has(f));
  }

  private baselineApproved(b: PolicyResource): BaselineVerdict {
    let v = this.baselineVerdicts.get(b);
    if (v === undefined) {
      const refs = ["name", "arn", "id"].map((k) => peekString(b.props, k));
      v = refs.some((ref) => typeof ref === "string" && this.isApproved(ref))
        ? { kind: "ok" }
        : judgeBaseline(b.props, this.cfg);
      this.baselineVerdicts.set(b, v);
    }
    return v;
  }

  /** Verdict for a group whose baseline is one of these in-stack baselines. */
  private inStack(group: string, baselines: readonly PolicyResource[]): GroupVerdict {
    let unknown: GroupVerdict | undefined;
    for (const b of baselines) {
      const v = this.baselineApproved(b);
      if (v.kind === "fail") {
        return {
          kind: "fail",
          text:
            `patch group ${q(group)} is registered to patch baseline ${q(b.name)}, which is not ` +
            `approved: ${v.reason}. Fix: ${baselineFix(b.props, this.cfg)}, or list the ` +
            `baseline's id, ARN or name in approvedBaselines.`,
        };
      }
      if (v.kind === "unknown") {
        unknown ??= { kind: "unknown", what: `${v.what} of patch baseline ${q(b.name)}` };
      }
    }
    return unknown ?? { kind: "ok" };
  }

  private registration(group: string, pg: PolicyResource): GroupVerdict {
    const id = peekString(pg.props, "baselineId");
    if (typeof id === "string" && this.isApproved(id)) return { kind: "ok" };
    // On the first preview of a new stack the id is unknown; the property dependencies of
    // baselineId still say which baseline resource it will come from.
    let baselines = (pg.propertyDependencies["baselineId"] ?? []).filter(
      (d) => d.type === TYPES.patchBaseline,
    );
    if (baselines.length === 0 && typeof id === "string") {
      const b = this.findBaseline(id);
      if (b) baselines = [b];
    }
    if (baselines.length > 0) return this.inStack(group, baselines);
    if (id === UNKNOWN) {
      return { kind: "unknown", what: `the baseline id of ${subject(pg.type, pg.name)}` };
    }
    if (id === undefined) {
      return {
        kind: "fail",
        text:
          `patch group ${q(group)} is registered by ${subject(pg.type, pg.name)} without a ` +
          `baselineId. Fix: set baselineId to an approved baseline.`,
      };
    }
    return {
      kind: "fail",
      text:
        `patch group ${q(group)} is registered to baseline ${q(id)}, which is neither in ` +
        `approvedBaselines nor defined in this stack. Fix: add the baseline to ` +
        `approvedBaselines, or register the group to an approved baseline.`,
    };
  }

  private judgeGroup(group: string): GroupVerdict {
    const regs = this.registrations.get(group);
    if (regs) {
      let unknown: GroupVerdict | undefined;
      for (const pg of regs) {
        const v = this.registration(group, pg);
        if (v.kind === "fail") return v;
        if (v.kind === "unknown") unknown ??= v;
      }
      return unknown ?? { kind: "ok" };
    }
    if (Object.hasOwn(this.cfg.patchGroups, group)) {
      const id = this.cfg.patchGroups[group];
      if (this.isApproved(id)) return { kind: "ok" };
      const b = this.findBaseline(id);
      if (b) return this.inStack(group, [b]);
      return {
        kind: "fail",
        text:
          `patch group ${q(group)} maps to baseline ${q(id)} in config patchGroups, which is ` +
          `not in approvedBaselines. Fix: add the baseline to approvedBaselines, or map the ` +
          `group to an approved baseline.`,
      };
    }
    if (this.unnamedRegistrations.length > 0) {
      const pg = this.unnamedRegistrations[0];
      return { kind: "unknown", what: `the patchGroup name of ${subject(pg.type, pg.name)}` };
    }
    return {
      kind: "fail",
      text:
        `patch group ${q(group)} is not registered in this stack (aws:ssm/patchGroup:PatchGroup) ` +
        `or in config patchGroups. Fix: register the group to an approved baseline, or correct ` +
        `the tag value.`,
    };
  }

  group(group: string): GroupVerdict {
    let v = this.groupVerdicts.get(group);
    if (v === undefined) {
      v = this.judgeGroup(group);
      this.groupVerdicts.set(group, v);
    }
    return v;
  }
}

const description =
  "Every instance, launch template and Auto Scaling group that carries a patch tag belongs to a " +
  "patch group registered to an approved patch baseline.";

export const instanceApprovedBaseline: StackValidationPolicy = {
  name: APPROVED_BASELINE_POLICY,
  description,
  enforcementLevel: "mandatory",
  configSchema: instanceApprovedBaselineSchema,
  validateStack: (args, reportViolation) => {
    const cfg = readConfig<InstanceApprovedBaselineConfig>(args, instanceApprovedBaselineSchema);
    const index = new PatchIndex(args.resources, cfg);
    const providers = providersByUrn(args.resources);
    for (const r of args.resources) {
      const scan = scanPatchTags(r, cfg.tagKeys, providers);
      if (scan === undefined) continue;
      const subj = subject(r.type, r.name);
      if (scan.unknown !== undefined) {
        const text = `${subj} cannot be checked during preview: ${scan.unknown}${NOT_KNOWN_YET}`;
        reportUnknown(reportViolation, description, text, r.urn);
      }
      for (const tag of scan.tags) {
        if (tag.value === UNKNOWN) {
          const text = `${subj} cannot be checked during preview: the value of its tag ${q(tag.key)}${NOT_KNOWN_YET}`;
          reportUnknown(reportViolation, description, text, r.urn);
          continue;
        }
        const v = index.group(tag.value);
        const has = `${subj} has patch tag ${tag.key}=${q(tag.value)}${tag.via ?? ""}`;
        if (v.kind === "fail") reportViolation(`${has}: ${v.text}`, r.urn);
        else if (v.kind === "unknown") {
          const text = `${has}, which cannot be checked during preview: ${v.what}${NOT_KNOWN_YET}`;
          reportUnknown(reportViolation, description, text, r.urn);
        }
      }
      if (
        cfg.requireTag &&
        r.type === TYPES.instance &&
        scan.tags.length === 0 &&
        scan.unknown === undefined
      ) {
        reportViolation(
          `${subj} has no patch tag (${cfg.tagKeys.join(" or ")}). Fix: tag it with a patch ` +
            `group registered to an approved baseline, or set requireTag to false.`,
          r.urn,
        );
      }
    }
  },
};
