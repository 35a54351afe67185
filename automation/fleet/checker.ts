/**
 * The fleet validator's toolkit: a Checker that collects every issue (path + message with the fix)
 * instead of stopping at the first, with the checks several sections share (maps with known keys,
 * strings, account ids, regions, role ARNs, counts or percentages) and "did you mean" hints.
 */
import { ACCOUNT_ID_PATTERN, AWS_REGIONS, partitionOf } from "../../domain";
import { ROLE_ARN_PATTERN } from "../../components/config-names";
import {
  closest,
  describe,
  indexPath,
  joinPath,
  objectWithKnownKeys,
  optionalString,
} from "../../components/config-util";
import type { CountOrPercent } from "./types";

export interface FleetIssue {
  /** Where the problem is, e.g. `members[1].regions[0]`; `line 3, column 5` for YAML syntax. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** 1-based line in the fleet file of the value (or key) the path points at, when known. */
  line?: number;
}

export type Obj = Record<string, unknown>;

/** Example role names in error messages, one per role key: a read role is not a deploy role. */
const ROLE_EXAMPLES: Record<string, string> = {
  deployRole: "patchfleet-deploy",
  readRole: "patchfleet-read",
  operationsRole: "patchfleet-operations",
};

export class Checker {
  readonly issues: FleetIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** `raw` as a map whose keys are all in `known`, or undefined (with an issue) if not a map. */
  map(raw: unknown, path: string, known: readonly string[], what: string): Obj | undefined {
    return objectWithKnownKeys(raw, path, known, this.issues, {
      what,
      suggest: true,
      keyPath: path === "(file)" ? (key) => key : undefined,
    });
  }

  /** A string, or undefined when absent; null (a key written without a value) is absent too. */
  string(obj: Obj, key: string, path: string): string | undefined {
    if (obj[key] === null) return undefined;
    return optionalString(obj, key, path, this.issues);
  }

  /** A string matching `pattern`, or `fallback` (with an issue) when it does not. */
  named(obj: Obj, key: string, path: string, pattern: RegExp, rule: string, fallback: string) {
    const value = this.string(obj, key, path);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) {
      this.add(joinPath(path, key), `${rule}, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  accountId(raw: unknown, path: string, numberSource: string | undefined): string | undefined {
    if (typeof raw === "string" && ACCOUNT_ID_PATTERN.test(raw)) return raw;
    if (typeof raw === "number") {
      // YAML reads an unquoted 012345678901 as the number 12345678901: the zero is already gone.
      const digits =
        numberSource !== undefined && /^[0-9]+$/.test(numberSource) ? numberSource : String(raw);
      this.add(
        path,
        `account ids must be quoted strings: YAML read the number ${digits}, and unquoted numbers lose leading zeros; ` +
          (digits.length === 12
            ? `write "${digits}" in quotes`
            : `write the 12-digit id in quotes, e.g. "012345678901"`),
      );
      return undefined;
    }
    if (raw === undefined || raw === null) {
      this.add(path, 'is required: the 12-digit AWS account id in quotes, e.g. "111111111111"');
      return undefined;
    }
    this.add(
      path,
      `must be a 12-digit AWS account id in quotes, e.g. "111111111111", got ${describe(raw)}`,
    );
    return undefined;
  }

  region(raw: unknown, path: string): string | undefined {
    if (typeof raw === "string" && (AWS_REGIONS as readonly string[]).includes(raw)) return raw;
    const guess = typeof raw === "string" ? closest(raw, AWS_REGIONS) : undefined;
    this.add(
      path,
      `${describe(raw)} is not an AWS region with Systems Manager; ` +
        (guess !== undefined ? `did you mean ${guess}?` : `use one of ${AWS_REGIONS.join(", ")}`),
    );
    return undefined;
  }

  regions(raw: unknown, path: string): string[] {
    if (raw === undefined || raw === null) {
      this.add(
        path,
        "is required: a list of regions, home region first, e.g. [us-east-1, eu-west-1]",
      );
      return [];
    }
    if (!Array.isArray(raw) || raw.length === 0) {
      this.add(
        path,
        `must be a non-empty list of regions, e.g. [us-east-1, eu-west-1], got ${describe(raw)}`,
      );
      return [];
    }
    const out: string[] = [];
    raw.forEach((item: unknown, i) => {
      const p = indexPath(path, i);
      const region = this.region(item, p);
      if (region === undefined) return;
      if (out.includes(region)) {
        this.add(p, `${region} is listed twice; list each region once`);
      } else if (out.length > 0 && partitionOf(region) !== partitionOf(out[0])) {
        this.add(
          p,
          `${region} is in partition ${partitionOf(region)} but the home region ${out[0]} is in ${partitionOf(out[0])}; one account's regions share a partition`,
        );
      } else {
        out.push(region);
      }
    });
    return out;
  }

  roleArn(obj: Obj, key: string, path: string, account: string | undefined, regions: string[]) {
    const value = this.string(obj, key, path);
    if (value === undefined) return undefined;
    const p = joinPath(path, key);
    const m = ROLE_ARN_PATTERN.exec(value);
    if (m === null) {
      this.add(
        p,
        `must be an IAM role ARN like arn:aws:iam::${account ?? "111111111111"}:role/${ROLE_EXAMPLES[key] ?? "patchfleet-deploy"}, got ${describe(value)}`,
      );
      return undefined;
    }
    if (account !== undefined && m[2] !== account) {
      this.add(
        p,
        `is a role in account ${m[2]}, but this is account ${account}; use a role in ${account}`,
      );
      return undefined;
    }
    if (regions.length > 0 && m[1] !== partitionOf(regions[0])) {
      this.add(
        p,
        `is in partition ${m[1]} but the home region ${regions[0]} is in ${partitionOf(regions[0])}; write arn:${partitionOf(regions[0])}:iam::...`,
      );
      return undefined;
    }
    return value;
  }

  countOrPercent(raw: unknown, path: string, min: 0 | 1): CountOrPercent | undefined {
    if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= min) {
      return { kind: "count", value: raw };
    }
    if (typeof raw === "string") {
      const count = /^[0-9]{1,9}$/.exec(raw);
      if (count !== null && Number(raw) >= min) return { kind: "count", value: Number(raw) };
      const pct = /^([0-9]{1,3})%$/.exec(raw);
      if (pct !== null && Number(pct[1]) >= min && Number(pct[1]) <= 100) {
        return { kind: "percent", value: Number(pct[1]) };
      }
    }
    this.add(
      path,
      `must be a whole number of targets (${min} or more) or a percentage like "25%" (${min}%–100%), got ${describe(raw)}`,
    );
    return undefined;
  }
}
