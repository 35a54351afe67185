import { strict as assert } from "assert";
import * as path from "path";
import { targetPolicyConfig } from "../../automation/check/evaluate";
import { CheckMocks, stableHash } from "../../automation/check/mocks";
import { ProgramSyntaxError, locateFailure } from "../../automation/check/program-loader";
import {
  buildReport,
  countByType,
  renderHtml,
  renderText,
  summaryLine,
} from "../../automation/check/check-report";
import { skipUnreadPromiseStacks } from "../../automation/check/sdk-debug-stacks";
import { plainValue, type CapturedResource } from "../../automation/check/synthesize";
import { NOT_CHECKED, type TargetResult } from "../../automation/check/types";

const SIG = "4dabf18193072939515e22adb298388d";

describe("check: deterministic mocks", () => {
  const mocks = new CheckMocks({ account: "111111111111", defaultRegion: "us-east-1" });

  it("hashes with FNV-1a so ids never change between runs", () => {
    assert.equal(stableHash(""), "811c9dc5");
    assert.equal(stableHash("a"), "e40c292c");
    assert.equal(
      CheckMocks.idFor("aws:ssm/patchBaseline:PatchBaseline", "web"),
      "pb-676eccea66dac2ec",
    );
    assert.equal(CheckMocks.idFor("aws:iam/role:Role", "r"), "r-4690f386");
  });

  it("builds ARNs from the partition, region and account of the target", () => {
    assert.equal(
      mocks.arnFor("aws:iam/role:Role", "r", "eu-west-1"),
      "arn:aws:iam::111111111111:role/r",
    );
    assert.equal(mocks.arnFor("aws:s3/bucket:Bucket", "b", "eu-west-1"), "arn:aws:s3:::b");
    assert.equal(
      mocks.arnFor("aws:ssm/document:Document", "d", "cn-north-1"),
      "arn:aws-cn:ssm:cn-north-1:111111111111:document/d",
    );
    assert.equal(
      mocks.arnFor("aws:resourcegroups/group:Group", "g", "us-gov-west-1"),
      "arn:aws-us-gov:resource-groups:us-gov-west-1:111111111111:group/g",
    );
  });

  it("auto-names resources without a name and keeps given names", () => {
    assert.deepEqual(
      mocks.newResource({
        type: "aws:iam/role:Role",
        name: "r",
        inputs: { assumeRolePolicy: "{}" },
        custom: true,
      }),
      {
        id: "r-4690f386",
        state: {
          assumeRolePolicy: "{}",
          name: "r-f70c471",
          arn: "arn:aws:iam::111111111111:role/r-f70c471",
          uniqueId: "AROA9763aefa",
        },
      },
    );
    assert.deepEqual(
      mocks.newResource({ type: "aws:s3/bucket:Bucket", name: "logs", inputs: {}, custom: true }),
      {
        id: "logs-cf02b88",
        state: {
          bucket: "logs-cf02b88",
          arn: "arn:aws:s3:::logs-cf02b88",
          bucketDomainName: "logs-cf02b88.s3.amazonaws.com",
          region: "us-east-1",
        },
      },
    );
    const named = mocks.newResource({
      type: "aws:ssm/document:Document",
      name: "runbook",
      inputs: { name: "Patch-Runbook" },
      custom: true,
    });
    assert.equal(named.state.name, "Patch-Runbook");
    assert.equal(named.state.arn, "arn:aws:ssm:us-east-1:111111111111:document/Patch-Runbook");
  });

  it("answers the AWS data sources a topology reads, in the provider's region", () => {
    const regional = new CheckMocks({ account: "222222222222", defaultRegion: "us-east-1" });
    regional.recordProvider("urn:p::eu::eu-1", "eu-central-1");
    assert.equal(regional.regionOf("urn:p::eu::eu-1"), "eu-central-1");
    assert.equal(regional.regionOf(undefined), "us-east-1");
    assert.deepEqual(
      regional.call({
        token: "aws:index/getRegion:getRegion",
        inputs: {},
        provider: "urn:p::eu::eu-1",
      }),
      {
        id: "eu-central-1",
        name: "eu-central-1",
        region: "eu-central-1",
        description: "eu-central-1",
        endpoint: "",
      },
    );
    assert.deepEqual(
      regional.call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} }),
      {
        id: "222222222222",
        accountId: "222222222222",
        arn: "arn:aws:iam::222222222222:user/patchfleet-check",
        userId: "AIDAPATCHFLEETCHECK",
      },
    );
    const doc = regional.call({
      token: "aws:iam/getPolicyDocument:getPolicyDocument",
      inputs: {
        statements: [
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["ssm.amazonaws.com"] }],
            conditions: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: ["222222222222"] },
            ],
          },
        ],
      },
    });
    assert.deepEqual(JSON.parse(doc.json as string), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["sts:AssumeRole"],
          Principal: { Service: ["ssm.amazonaws.com"] },
          Condition: { StringEquals: { "aws:SourceAccount": ["222222222222"] } },
        },
      ],
    });
  });
});

describe("check: wire values to plain data", () => {
  const wire = {
    password: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
    id: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    code: { [SIG]: "c44067f5952c0a294b673a41bacd8c17", path: "./app.zip" },
    role: {
      [SIG]: "5cf8f73096256a8f31e491e813e4eb8e",
      urn: "urn:pulumi:s::p::aws:iam/role:Role::r",
    },
    list: [1, { nested: { [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: ["a"] } }],
  };

  it("redacts secrets for reports", () => {
    assert.deepEqual(plainValue(wire, "redact", "[unknown]"), {
      password: "[secret]",
      id: "[unknown]",
      code: { asset: "./app.zip" },
      role: "urn:pulumi:s::p::aws:iam/role:Role::r",
      list: [1, { nested: "[secret]" }],
    });
  });

  it("unwraps secrets for policies and marks unknowns with the given value", () => {
    const unknown = Symbol("unknown");
    const plain = plainValue(wire, "unwrap", unknown) as Record<string, unknown>;
    assert.equal(plain.password, "hunter2");
    assert.equal(plain.id, unknown);
    assert.deepEqual(plain.list, [1, { nested: ["a"] }]);
  });
});

function captured(type: string, name: string, props: Record<string, unknown>): CapturedResource {
  return {
    urn: `urn:pulumi:s::p::${type}::${name}`,
    type,
    name,
    custom: true,
    region: "us-east-1",
    inputs: props,
    props,
    id: `${name}-id`,
    dependencies: [],
    propertyDependencies: {},
  };
}

describe("check: policy config of a fleet target", () => {
  const resources = [
    captured("aws:ssm/patchGroup:PatchGroup", "g1", { patchGroup: "web", baselineId: "pb-1" }),
    captured("aws:ssm/patchGroup:PatchGroup", "g2", { patchGroup: "db", baselineId: "pb-2" }),
    captured("aws:ec2/instance:Instance", "i", { tags: { PatchGroup: "web" } }),
  ];

  it("adds the target's own patch groups and baselines, keeping groups the user mapped", () => {
    const config = targetPolicyConfig(resources, {
      patchGroupsFromResources: true,
      policyConfig: {
        "patchfleet-instance-approved-baseline": {
          patchGroups: { db: "pb-user" },
          approvedBaselines: ["pb-user"],
        },
        "patchfleet-iam-no-wildcard-passrole": { enforcementLevel: "advisory" },
      },
    });
    assert.deepEqual(config, {
      "patchfleet-instance-approved-baseline": {
        patchGroups: { db: "pb-user", web: "pb-1" },
        approvedBaselines: ["pb-1", "pb-user"],
      },
      "patchfleet-iam-no-wildcard-passrole": { enforcementLevel: "advisory" },
    });
  });

  it("leaves a program's config as the user wrote it", () => {
    const policyConfig = { "patchfleet-instance-approved-baseline": { requireTag: true } };
    assert.deepEqual(
      targetPolicyConfig(resources, { patchGroupsFromResources: false, policyConfig }),
      policyConfig,
    );
  });
});

describe("check: report", () => {
  const results: TargetResult[] = [
    {
      index: 0,
      name: "central",
      account: "111111111111",
      regions: ["us-east-1"],
      resources: [
        {
          ...captured("aws:ssm/patchGroup:PatchGroup", "g", { patchGroup: "<web>" }),
          props: undefined,
        },
        { ...captured("aws:iam/role:Role", "a", {}), props: undefined },
        { ...captured("aws:iam/role:Role", "b", {}), props: undefined },
      ] as unknown as TargetResult["resources"],
      violations: [
        {
          policy: "patchfleet-baseline-rejected-patches-blocked",
          enforcementLevel: "advisory",
          resourceType: "aws:ssm/patchBaseline:PatchBaseline",
          resourceName: "b<1>",
          urn: "urn:x",
          message: "Use BLOCK & be safe.",
        },
      ],
      warnings: ["log bucket <x> has no lifecycle"],
      millis: 5,
    },
    {
      index: 1,
      name: "app",
      account: "123456789012",
      regions: ["eu-west-1"],
      resources: [],
      violations: [],
      warnings: [],
      failure: { message: "boom\n\tset it", location: "app/index.ts:3:7" },
      millis: 1,
    },
  ];
  const report = buildReport(results);

  it("has exactly the documented JSON shape", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(report)), {
      targets: [
        {
          name: "central",
          account: "111111111111",
          regions: ["us-east-1"],
          resources: [
            {
              type: "aws:ssm/patchGroup:PatchGroup",
              name: "g",
              region: "us-east-1",
              inputs: { patchGroup: "<web>" },
            },
            { type: "aws:iam/role:Role", name: "a", region: "us-east-1", inputs: {} },
            { type: "aws:iam/role:Role", name: "b", region: "us-east-1", inputs: {} },
          ],
          violations: [
            {
              policy: "patchfleet-baseline-rejected-patches-blocked",
              enforcementLevel: "advisory",
              resourceType: "aws:ssm/patchBaseline:PatchBaseline",
              resourceName: "b<1>",
              message: "Use BLOCK & be safe.",
            },
          ],
          warnings: ["log bucket <x> has no lifecycle"],
        },
        {
          name: "app",
          account: "123456789012",
          regions: ["eu-west-1"],
          resources: [],
          violations: [],
          error: { message: "boom\n\tset it", location: "app/index.ts:3:7" },
        },
      ],
      summary: { targets: 2, resources: 3, mandatory: 0, advisory: 1 },
    });
  });

  it("counts by type, most common first", () => {
    assert.deepEqual(countByType(report.targets[0].resources), [
      ["aws:iam/role:Role", 2],
      ["aws:ssm/patchGroup:PatchGroup", 1],
    ]);
    assert.equal(
      summaryLine(report),
      "2 targets, 3 resources: 0 mandatory, 1 advisory violation, 1 failed to load",
    );
  });

  it("renders text per target, failures in place", () => {
    assert.equal(
      renderText(report, false),
      [
        "central (111111111111) us-east-1: 3 resources",
        "     2  aws:iam/role:Role",
        "     1  aws:ssm/patchGroup:PatchGroup",
        "  warning log bucket <x> has no lifecycle",
        '  advisory patchfleet-baseline-rejected-patches-blocked aws:ssm/patchBaseline:PatchBaseline "b<1>"',
        "      Use BLOCK & be safe.",
        "",
        "app (123456789012) eu-west-1",
        "  failed to load: app/index.ts:3:7: boom",
        "    \tset it",
        "",
        "2 targets, 3 resources: 0 mandatory, 1 advisory violation, 1 failed to load",
        "",
      ].join("\n"),
    );
    assert.match(renderText(report, true), /\x1b\[1mcentral \(111111111111\) us-east-1\x1b\[22m/);
  });

  it("escapes everything in the HTML page", () => {
    const html = renderHtml(report);
    assert.ok(html.includes("<td>Use BLOCK &amp; be safe.</td>"));
    assert.ok(html.includes("b&lt;1&gt;"));
    assert.ok(
      html.includes('<p class="advisory">Warning: log bucket &lt;x&gt; has no lifecycle</p>'),
    );
    assert.ok(html.includes("&quot;&lt;web&gt;&quot;"));
    assert.ok(
      html.includes('<p class="error">Failed to load: app/index.ts:3:7: boom\n\tset it</p>'),
    );
    assert.ok(!html.includes("<1>") && !html.includes("<web>"));
  });
});

describe("check: an interrupted check", () => {
  it("counts targets it never started apart from failures", () => {
    const base = {
      account: "1",
      regions: ["us-east-1"],
      resources: [],
      violations: [],
      warnings: [],
      millis: 0,
    };
    const report = buildReport([
      { ...base, index: 0, name: "ran" },
      { ...base, index: 1, name: "skipped", failure: { message: NOT_CHECKED } },
    ]);
    assert.equal(
      summaryLine(report),
      "2 targets, 0 resources: 0 mandatory, 0 advisory violations, 1 not checked (interrupted)",
    );
    assert.equal(
      renderText(report, false),
      [
        "ran (1) us-east-1: 0 resources",
        "",
        "skipped (1) us-east-1",
        "  not checked: the check was interrupted",
        "",
        "2 targets, 0 resources: 0 mandatory, 0 advisory violations, 1 not checked (interrupted)",
        "",
      ].join("\n"),
    );
  });
});

describe("check: locating a program's failure", () => {
  const root = path.join(path.sep, "work", "app");

  it("picks the first frame inside the program, skipping its node_modules", () => {
    const err = new Error("Missing required configuration variable 'app:size'");
    err.stack = [
      "Error: Missing required configuration variable 'app:size'",
      "    at Config.require (/opt/patchfleet/node_modules/@pulumi/pulumi/config.js:300:15)",
      "    at Object.<anonymous> (/work/app/node_modules/lib/index.js:1:1)",
      "    at Object.<anonymous> (/work/app/src/index.js:12:34)",
    ].join("\n");
    assert.deepEqual(locateFailure(err, root, path.join(path.sep, "work")), {
      message: "Missing required configuration variable 'app:size'",
      location: "app/src/index.js:12:34",
    });
  });

  it("reports the message alone when no frame is in the program", () => {
    const err = new Error("x");
    err.stack = "Error: x\n    at f (/elsewhere/file.js:1:2)";
    assert.deepEqual(locateFailure(err, root), { message: "x" });
    assert.deepEqual(locateFailure("thrown string", root), { message: "thrown string" });
  });

  it("locates syntax errors at the TypeScript position", () => {
    const err = new ProgramSyntaxError("Expression expected.", path.join(root, "index.ts"), 3, 11);
    assert.deepEqual(locateFailure(err, root, root), {
      message: "Expression expected.",
      location: "index.ts:3:11",
    });
  });
});

describe("check: the SDK's per-promise debug stacks", () => {
  it("are not captured, while the promise is still tracked and settles as before", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal to the SDK
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
      debuggablePromise<T>(p: Promise<T>, ctx: string): Promise<T>;
    };
    skipUnreadPromiseStacks();
    const once = debuggable.debuggablePromise;
    skipUnreadPromiseStacks();
    assert.equal(debuggable.debuggablePromise, once, "wrapped once per process");
    const limit = Error.stackTraceLimit;
    const inner = Promise.resolve(42);
    const outer = debuggable.debuggablePromise(inner, "test");
    assert.equal(Error.stackTraceLimit, limit);
    // The SDK keeps the stack text on the promise it was given, as _debugStackTrace and _debugCtx
    // (@pulumi/pulumi 3.248 runtime/debuggable.js). With Error.stackTraceLimit 0, V8 collects no
    // frames and the stack is the header line alone (https://v8.dev/docs/stack-trace-api).
    assert.equal((inner as unknown as { _debugStackTrace: string })._debugStackTrace, "Error");
    assert.equal((inner as unknown as { _debugCtx: string })._debugCtx, "test");
    assert.equal(await outer, 42);
    const failed = debuggable.debuggablePromise(Promise.reject(new Error("boom")), "test");
    await assert.rejects(failed, (err: Error) => {
      assert.equal(err.message, "boom");
      // The program's own error keeps its stack.
      assert.match(err.stack ?? "", /\n {4}at /);
      return true;
    });
  });
});
