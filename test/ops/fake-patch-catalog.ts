/**
 * The local SSM endpoint's patch data: per-node patches (DescribeInstancePatches) and the patch
 * catalog (DescribeAvailablePatches), answered as the API reference documents them. Requests are
 * checked against botocore's model first (test/aws-models) and refused as SSM refuses them.
 *
 * - DescribeInstancePatches: response members PatchComplianceData (Title, KBId, Classification,
 *   Severity, State, InstalledTime, CVEIds; botocore ssm.json shape PatchComplianceData), filter
 *   keys Classification | KBId | Severity | State, MaxResults 10–100
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeInstancePatches.html).
 *   The reference gives State filter values as `Installed | InstalledOther | InstalledPendingReboot`
 *   while responses carry `INSTALLED | ...` (shape PatchComplianceDataState); it is silent on
 *   whether the upper-case form is accepted in filters, so both spellings match here.
 * - DescribeAvailablePatches: Windows keys PATCH_SET, PRODUCT, PRODUCT_FAMILY, MSRC_SEVERITY,
 *   CLASSIFICATION, PATCH_ID; Linux keys need PRODUCT alongside ("the following command fails:
 *   ... Key=CVE_ID" without PRODUCT), MaxResults 1–100
 *   (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAvailablePatches.html).
 *   The error code of that refusal is not documented; ValidationException is used.
 */
import { requestProblems } from "../aws-models";

export interface FakePatchDetail {
  title: string;
  kbId?: string;
  state: "MISSING" | "FAILED" | "INSTALLED" | "INSTALLED_PENDING_REBOOT" | "INSTALLED_OTHER";
  classification?: string;
  severity?: string;
  /** Comma-separated, as the API's CVEIds string. */
  cveIds?: string;
  installedTime?: Date;
}

/** One entry of the patch catalog (shape Patch). */
export interface FakeCatalogPatch {
  id: string;
  releaseDate: Date;
  title: string;
  product: string;
  kbNumber?: string;
  name?: string;
  version?: string;
  release?: string;
  arch?: string;
  classification?: string;
  severity?: string;
}

type Reply = [number, unknown];

const WINDOWS_KEYS = [
  "PATCH_SET",
  "PRODUCT",
  "PRODUCT_FAMILY",
  "MSRC_SEVERITY",
  "CLASSIFICATION",
  "PATCH_ID",
];
const LINUX_KEYS = [
  "PRODUCT",
  "NAME",
  "SEVERITY",
  "EPOCH",
  "VERSION",
  "RELEASE",
  "ARCH",
  "REPOSITORY",
  "ADVISORY_ID",
  "CVE_ID",
  "BUGZILLA_ID",
  "CLASSIFICATION",
];

/**
 * Checks requests against botocore's model. Off for callers whose fixtures predate it (their
 * instance ids, e.g. "i-a00001", break the model's InstanceId pattern).
 */
function validation(op: string, input: unknown, strict: boolean): Reply | undefined {
  if (!strict) return undefined;
  const problems = requestProblems("ssm", op, input);
  return problems.length > 0
    ? [400, { __type: "ValidationException", message: problems.join("; ") }]
    : undefined;
}

function filtersOf(input: Record<string, unknown>): { Key: string; Values: string[] }[] {
  return ((input.Filters as { Key: string; Values?: string[] }[] | undefined) ?? []).map((f) => ({
    Key: f.Key,
    Values: f.Values ?? [],
  }));
}

const norm = (s: string) => s.replace(/_/g, "").toLowerCase();

function page<T>(items: T[], input: Record<string, unknown>, cap: number) {
  const start = Number(input.NextToken ?? 0);
  const size = Math.min(Number(input.MaxResults ?? cap), cap);
  const slice = items.slice(start, start + size);
  return start + size < items.length
    ? { items: slice, next: String(start + size) }
    : { items: slice, next: undefined };
}

export function describeInstancePatches(
  patches: FakePatchDetail[],
  input: Record<string, unknown>,
  pageSize: number,
  strict: boolean,
): Reply {
  const bad = validation("DescribeInstancePatches", input, strict);
  if (bad) return bad;
  let list = patches;
  for (const f of filtersOf(input)) {
    const field: Record<string, (p: FakePatchDetail) => string> = {
      State: (p) => p.state,
      Severity: (p) => p.severity ?? "",
      Classification: (p) => p.classification ?? "",
      KBId: (p) => p.kbId ?? p.title,
    };
    const get = field[f.Key];
    if (!get) {
      return [400, { __type: "InvalidFilter", message: `unsupported filter key ${f.Key}` }];
    }
    list = list.filter((p) => f.Values.some((v) => norm(v) === norm(get(p))));
  }
  const { items, next } = page(list, input, pageSize);
  return [
    200,
    {
      Patches: items.map((p) => ({
        Title: p.title,
        KBId: p.kbId ?? p.title,
        Classification: p.classification ?? "Security",
        Severity: p.severity ?? "Critical",
        State: p.state,
        InstalledTime: p.installedTime ? p.installedTime.getTime() / 1000 : 0,
        ...(p.cveIds ? { CVEIds: p.cveIds } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    },
  ];
}

export function describeAvailablePatches(
  catalog: FakeCatalogPatch[],
  input: Record<string, unknown>,
  pageSize: number,
): Reply {
  const bad = validation("DescribeAvailablePatches", input, true);
  if (bad) return bad;
  const filters = filtersOf(input);
  const keys = filters.map((f) => f.Key);
  for (const k of keys) {
    if (!WINDOWS_KEYS.includes(k) && !LINUX_KEYS.includes(k)) {
      return [400, { __type: "InvalidFilter", message: `unsupported filter key ${k}` }];
    }
  }
  const linuxOnly = keys.filter((k) => !WINDOWS_KEYS.includes(k));
  if (linuxOnly.length > 0 && !keys.includes("PRODUCT")) {
    return [
      400,
      { __type: "ValidationException", message: "Linux patch filters need a PRODUCT filter" },
    ];
  }
  const field: Record<string, (p: FakeCatalogPatch) => string | undefined> = {
    PATCH_ID: (p) => p.kbNumber,
    PRODUCT: (p) => p.product,
    NAME: (p) => p.name,
    VERSION: (p) => p.version,
    RELEASE: (p) => p.release,
    ARCH: (p) => p.arch,
    CLASSIFICATION: (p) => p.classification,
    SEVERITY: (p) => p.severity,
    MSRC_SEVERITY: (p) => p.severity,
  };
  const list = catalog.filter((p) =>
    filters.every((f) => {
      const get = field[f.Key];
      const v = get ? get(p) : undefined;
      return v !== undefined && f.Values.includes(v);
    }),
  );
  const { items, next } = page(list, input, pageSize);
  return [
    200,
    {
      Patches: items.map((p) => ({
        Id: p.id,
        ReleaseDate: p.releaseDate.getTime() / 1000,
        Title: p.title,
        Product: p.product,
        ...(p.kbNumber ? { KbNumber: p.kbNumber } : {}),
        ...(p.name ? { Name: p.name } : {}),
        ...(p.version ? { Version: p.version } : {}),
        ...(p.release ? { Release: p.release } : {}),
        ...(p.arch ? { Arch: p.arch } : {}),
        ...(p.classification ? { Classification: p.classification } : {}),
        ...(p.severity ? { Severity: p.severity } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    },
  ];
}
