import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  readConfig,
  resourceGroupTargetsInstancesSchema,
  type ResourceGroupTargetsInstancesConfig,
} from "../config";
import { reportNotKnownYet } from "../report-unknown";
import { TYPES, subject } from "../resources";
import { UNKNOWN, isUnknown, peek, peekString, q } from "../values";

const description =
  "Resource groups used for patching select EC2 instances with a TAG_FILTERS_1_0 query.";

const INSTANCE = "AWS::EC2::Instance";
const TAG_FILTERS = "TAG_FILTERS_1_0";

interface Query {
  resourceTypes: unknown;
  tagKeys: string[];
}

function parseQuery(text: string): Query | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `it is not valid JSON (${(e as Error).message})`;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return "it is not a JSON object";
  const filters = peek(doc, "TagFilters");
  const tagKeys = Array.isArray(filters)
    ? filters.map((f) => peek(f, "Key")).filter((k): k is string => typeof k === "string")
    : [];
  return { resourceTypes: peek(doc, "ResourceTypeFilters"), tagKeys };
}

export const resourceGroupTargetsInstances: ResourceValidationPolicy = {
  name: "patchfleet-resource-group-targets-instances",
  description,
  enforcementLevel: "mandatory",
  configSchema: resourceGroupTargetsInstancesSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.resourceGroup) return;
    const cfg = readConfig<ResourceGroupTargetsInstancesConfig>(
      args,
      resourceGroupTargetsInstancesSchema,
    );
    const subj = subject(args.type, args.name);
    const awsName = peekString(args.props, "name");
    const named =
      cfg.groupNames.includes(args.name) ||
      (typeof awsName === "string" && cfg.groupNames.includes(awsName));
    const resourceQuery = peek(args.props, "resourceQuery");
    const queryText = isUnknown(resourceQuery) ? UNKNOWN : peekString(resourceQuery, "query");
    if (queryText === UNKNOWN) {
      // A group is only known to be used for patching by name or by its query: with the query
      // unknown, only a named group can be reported.
      if (named) {
        reportNotKnownYet(reportViolation, description, subj, "its resourceQuery", args.urn);
      }
      return;
    }
    const query = queryText === undefined ? undefined : parseQuery(queryText);
    const byTag = typeof query === "object" && query.tagKeys.some((k) => cfg.tagKeys.includes(k));
    if (!named && !byTag) return;
    const used = byTag
      ? `filters on patch tag ${q((query as Query).tagKeys.find((k) => cfg.tagKeys.includes(k)))}`
      : "is listed in groupNames";
    if (query === undefined) {
      reportViolation(
        `${subj} ${used} but has no resourceQuery. Fix: give it a ${TAG_FILTERS} query with ` +
          `ResourceTypeFilters ["${INSTANCE}"].`,
      );
      return;
    }
    if (typeof query === "string") {
      reportViolation(`${subj} ${used} but its resourceQuery.query cannot be read: ${query}.`);
      return;
    }
    const type = peekString(resourceQuery, "type");
    if (type === UNKNOWN) {
      reportNotKnownYet(reportViolation, description, subj, "its resourceQuery.type", args.urn);
    } else if (type !== undefined && type !== TAG_FILTERS) {
      // The provider defaults the query type to TAG_FILTERS_1_0 when it is not set.
      reportViolation(
        `${subj} ${used} but its resourceQuery.type is ${q(type)}. Fix: select patch targets ` +
          `with a ${TAG_FILTERS} query.`,
      );
    }
    const types = query.resourceTypes;
    if (!(Array.isArray(types) && types.length === 1 && types[0] === INSTANCE)) {
      reportViolation(
        `${subj} ${used} but its query's ResourceTypeFilters is ${q(types ?? null)}. Fix: set ` +
          `ResourceTypeFilters to ["${INSTANCE}"] so the group holds only instances Patch ` +
          `Manager can patch.`,
      );
    }
  },
};
