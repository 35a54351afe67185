/**
 * The fleet validator's toolkit: a Checker that collects every issue (path + message with the fix)
 * instead of stopping at the first, with the checks several sections share (maps with known keys,
 * strings, account ids, regions, role ARNs, counts or percentages) and "did you mean" hints.
 */
import { ACCOUNT_ID_PATTERN, AWS_REGIONS, isAwsRegion } from "../../domain";
import { namedValue, parseRegionList, roleArnProblem } from "../../components/config-rules";
import {
  closest,
  describe,
  joinPath,
  objectWithKnownKeys,
  optionalString,
} from "../../components/config-util";
import { countOrPercentOf } from "./count-or-percent";
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

/** Why `raw` is not a region, with the closest region when it looks like a typo of one. */
function notARegion(raw: unknown): string {
  const guess = typeof raw === "string" ? closest(raw, AWS_REGIONS) : undefined;
  return (
    `${describe(raw)} is not an AWS region with Systems Manager; ` +
    (guess !== undefined ? `did you mean ${guess}?` : `use one of ${AWS_REGIONS.join(", ")}`)
  );
}

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
    return namedValue(value, joinPath(path, key), this.issues, pattern, rule, fallback);
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
    if (isAwsRegion(raw)) return raw;
    this.add(path, notARegion(raw));
    return undefined;
  }

  regions(raw: unknown, path: string): string[] {
    return parseRegionList(raw, path, this.issues, {
      required: "is required: a list of regions, home region first, e.g. [us-east-1, eu-west-1]",
      notList: "must be a non-empty list of regions, e.g. [us-east-1, eu-west-1]",
      notRegion: notARegion,
      nullIsAbsent: true,
    });
  }

  roleArn(obj: Obj, key: string, path: string, account: string | undefined, regions: string[]) {
    const value = this.string(obj, key, path);
    if (value === undefined) return undefined;
    const home = regions[0];
    const problem = roleArnProblem(value, account, home);
    if (problem === undefined) return value;
    this.add(
      joinPath(path, key),
      problem.kind === "format"
        ? `must be an IAM role ARN like arn:aws:iam::${account ?? "111111111111"}:role/${ROLE_EXAMPLES[key] ?? "patchfleet-deploy"}, got ${describe(value)}`
        : problem.kind === "account"
          ? `is a role in account ${problem.account}, but this is account ${account}; use a role in ${account}`
          : `is in partition ${problem.partition} but the home region ${home} is in ${problem.expected}; write arn:${problem.expected}:iam::...`,
    );
    return undefined;
  }

  countOrPercent(raw: unknown, path: string, min: 0 | 1): CountOrPercent | undefined {
    const value = countOrPercentOf(raw, min);
    if (value !== undefined) return value;
    this.add(
      path,
      `must be a whole number of targets (${min} or more) or a percentage like "25%" (${min}%–100%), got ${describe(raw)}`,
    );
    return undefined;
  }
}
