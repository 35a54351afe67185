import { strict as assert } from "assert";
import { UNKNOWN, evaluatePolicies } from "../../policy-pack/evaluate";
import {
  maintenanceWindowRateControl as rate,
  patchTagKeyMetadataSafe as metadata,
  resourceGroupTargetsInstances as groups,
} from "../../policy-pack/policies";
import { T, compliantStack, finding, resource } from "./fixtures";

const unknownTail = " is not known yet. It is checked again once the value is known.";

describe("policy patchfleet-maintenance-window-rate-control", () => {
  const task = (props: Record<string, unknown>) => {
    const t = compliantStack().task;
    Object.assign(t.props, props);
    return t;
  };

  it("is a mandatory resource policy with a one-sentence description", () => {
    assert.equal(rate.name, "patchfleet-maintenance-window-rate-control");
    assert.equal(
      rate.description,
      "Maintenance window tasks that patch set maxConcurrency and maxErrors within the " +
        "configured bounds.",
    );
    assert.equal(rate.enforcementLevel, "mandatory");
    assert.deepEqual(Object.keys(rate), [
      "name",
      "description",
      "enforcementLevel",
      "configSchema",
      "validateResource",
    ]);
  });

  it("accepts 10% / 5% on AWS-RunPatchBaseline", () => {
    assert.deepEqual(evaluatePolicies([task({})]), []);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    [
      "a missing maxConcurrency",
      { maxConcurrency: undefined },
      'Maintenance window task "patch-task" runs AWS-RunPatchBaseline without maxConcurrency. ' +
        'Fix: set maxConcurrency (for example "10%") so patching never takes down every target at once.',
    ],
    [
      "a missing maxErrors",
      { maxErrors: undefined },
      'Maintenance window task "patch-task" runs AWS-RunPatchBaseline without maxErrors. Fix: ' +
        'set maxErrors (for example "5%") so patching stops when targets start failing.',
    ],
    [
      "a maxConcurrency percentage above the bound",
      { maxConcurrency: "75%" },
      'Maintenance window task "patch-task" sets maxConcurrency "75%", above the limit of 50%. ' +
        "Fix: lower it, or raise maxConcurrencyPercent in the policy config.",
    ],
    [
      "a maxConcurrency count above the bound",
      { maxConcurrency: "80" },
      'Maintenance window task "patch-task" sets maxConcurrency "80", above the limit of 50 ' +
        "targets. Fix: lower it, or raise maxConcurrencyCount in the policy config.",
    ],
    [
      "a maxErrors count above the bound",
      { maxErrors: "11" },
      'Maintenance window task "patch-task" sets maxErrors "11", above the limit of 10 targets. ' +
        "Fix: lower it, or raise maxErrorsCount in the policy config.",
    ],
    [
      "a maxErrors SSM rejects",
      { maxErrors: "05%" },
      'Maintenance window task "patch-task" sets maxErrors "05%", which SSM rejects. Fix: use a ' +
        'count such as "10" or a percentage such as "10%".',
    ],
  ];
  for (const [what, change, text] of cases) {
    it(`reports ${what}`, () => {
      const t = task(change);
      assert.deepEqual(evaluatePolicies([t]), [finding(rate, t, text, "mandatory")]);
    });
  }

  it("recognises patch documents by ARN and ignores other tasks", () => {
    const arn = "arn:aws:ssm:eu-west-1::document/AWS-RunPatchBaseline";
    assert.equal(evaluatePolicies([task({ taskArn: arn, maxErrors: undefined })]).length, 1);
    assert.deepEqual(
      evaluatePolicies([task({ taskArn: "AWS-RestartEC2Instance", maxErrors: undefined })]),
      [],
    );
  });

  it("takes its bounds and documents from config", () => {
    const t = task({ taskArn: "Custom-Patch", maxConcurrency: "80%", maxErrors: "0" });
    const cfg = { [rate.name]: { patchDocuments: ["Custom-Patch"], maxConcurrencyPercent: 80 } };
    assert.deepEqual(evaluatePolicies([t], cfg), []);
    assert.equal(evaluatePolicies([t]).length, 0, "not a patch task without the config");
  });

  it("reports an unknown maxConcurrency as advisory", () => {
    const t = task({ maxConcurrency: UNKNOWN });
    assert.deepEqual(evaluatePolicies([t]), [
      finding(
        rate,
        t,
        `Maintenance window task "patch-task" cannot be checked during preview: its maxConcurrency${unknownTail}`,
        "advisory",
      ),
    ]);
  });
});

describe("policy patchfleet-resource-group-targets-instances", () => {
  const group = (query: unknown, type: unknown = "TAG_FILTERS_1_0", name = "patchfleet-targets") =>
    resource(T.group, "patch-targets", {
      name,
      resourceQuery: { type, query: typeof query === "string" ? query : JSON.stringify(query) },
    });

  it("is a mandatory resource policy with a one-sentence description", () => {
    assert.equal(groups.name, "patchfleet-resource-group-targets-instances");
    assert.equal(
      groups.description,
      "Resource groups used for patching select EC2 instances with a TAG_FILTERS_1_0 query.",
    );
    assert.equal(groups.enforcementLevel, "mandatory");
    assert.deepEqual(Object.keys(groups), [
      "name",
      "description",
      "enforcementLevel",
      "configSchema",
      "validateResource",
    ]);
  });

  it("accepts an instance tag query on a patch tag", () => {
    assert.deepEqual(evaluatePolicies([compliantStack().group]), []);
  });

  it("reports a patch-tag query over every resource type", () => {
    const g = group({
      ResourceTypeFilters: ["AWS::AllSupported"],
      TagFilters: [{ Key: "ssm-linuxpatching", Values: ["True"] }],
    });
    assert.deepEqual(evaluatePolicies([g]), [
      finding(
        groups,
        g,
        'Resource group "patch-targets" filters on patch tag "ssm-linuxpatching" but its ' +
          'query\'s ResourceTypeFilters is ["AWS::AllSupported"]. Fix: set ResourceTypeFilters ' +
          'to ["AWS::EC2::Instance"] so the group holds only instances Patch Manager can patch.',
        "mandatory",
      ),
    ]);
  });

  it("reports a named group with a CloudFormation stack query", () => {
    const g = group({ StackIdentifier: "arn:aws:cloudformation:x" }, "CLOUDFORMATION_STACK_1_0");
    assert.deepEqual(evaluatePolicies([g]), [], "not used for patching unless named");
    const vs = evaluatePolicies([g], { [groups.name]: { groupNames: ["patchfleet-targets"] } });
    assert.deepEqual(
      vs.map((v) => v.message.split("\n")[1]),
      [
        'Resource group "patch-targets" is listed in groupNames but its resourceQuery.type is ' +
          '"CLOUDFORMATION_STACK_1_0". Fix: select patch targets with a TAG_FILTERS_1_0 query.',
        'Resource group "patch-targets" is listed in groupNames but its query\'s ' +
          "ResourceTypeFilters is null. Fix: set ResourceTypeFilters to " +
          '["AWS::EC2::Instance"] so the group holds only instances Patch Manager can patch.',
      ],
    );
  });

  it("reports a named group without a resource query", () => {
    const g = resource(T.group, "patch-targets", { name: "x" });
    assert.deepEqual(evaluatePolicies([g], { [groups.name]: { groupNames: ["patch-targets"] } }), [
      finding(
        groups,
        g,
        'Resource group "patch-targets" is listed in groupNames but has no resourceQuery. Fix: ' +
          'give it a TAG_FILTERS_1_0 query with ResourceTypeFilters ["AWS::EC2::Instance"].',
        "mandatory",
      ),
    ]);
  });

  it("reports an unknown query of a named group as advisory, and ignores unnamed ones", () => {
    const g = resource(T.group, "patch-targets", { name: "x", resourceQuery: { query: UNKNOWN } });
    assert.deepEqual(evaluatePolicies([g]), []);
    assert.deepEqual(evaluatePolicies([g], { [groups.name]: { groupNames: ["x"] } }), [
      finding(
        groups,
        g,
        `Resource group "patch-targets" cannot be checked during preview: its resourceQuery${unknownTail}`,
        "advisory",
      ),
    ]);
  });
});

describe("policy patchfleet-patch-tag-key-metadata-safe", () => {
  it("is an advisory resource policy with a one-sentence description", () => {
    assert.equal(metadata.name, "patchfleet-patch-tag-key-metadata-safe");
    assert.equal(
      metadata.description,
      "Instances that expose their tags in instance metadata carry no patch tag key with a space.",
    );
    assert.equal(metadata.enforcementLevel, "advisory");
    assert.deepEqual(Object.keys(metadata), [
      "name",
      "description",
      "enforcementLevel",
      "configSchema",
      "validateResource",
    ]);
  });

  const text = (subj: string) =>
    `${subj} enables instance metadata tags (metadataOptions.instanceMetadataTags is ` +
    '"enabled") and carries patch tag key "Patch Group", which contains a space; EC2 rejects ' +
    'tag keys with spaces while metadata tags are enabled. Fix: use the tag key "PatchGroup", ' +
    "or disable instance metadata tags.";

  it("accepts PatchGroup with metadata tags, and Patch Group without them", () => {
    const s = compliantStack();
    assert.deepEqual(
      evaluatePolicies([s.baseline, s.patchGroup, s.instance, s.launchTemplate]),
      [],
    );
    s.instance.props.tags = { "Patch Group": "web" };
    s.instance.props.metadataOptions = { instanceMetadataTags: "disabled" };
    const vs = evaluatePolicies([s.instance]).filter((v) => v.policy === metadata.name);
    assert.deepEqual(vs, []);
  });

  it("reports Patch Group on an instance with metadata tags", () => {
    const s = compliantStack();
    s.instance.props.tags = { "Patch Group": "web" };
    const vs = evaluatePolicies([s.baseline, s.patchGroup, s.instance]);
    assert.deepEqual(vs, [finding(metadata, s.instance, text('Instance "web-1"'), "advisory")]);
  });

  it("reports Patch Group in a launch template's instance tags with metadata tags", () => {
    const s = compliantStack();
    s.launchTemplate.props.metadataOptions = { instanceMetadataTags: "enabled" };
    s.launchTemplate.props.tagSpecifications = [
      { resourceType: "instance", tags: { "Patch Group": "web" } },
    ];
    const vs = evaluatePolicies([s.baseline, s.patchGroup, s.launchTemplate]);
    assert.deepEqual(vs, [
      finding(metadata, s.launchTemplate, text('Launch template "web-lt"'), "advisory"),
    ]);
  });

  it("reports unknown metadata options as advisory", () => {
    const s = compliantStack();
    s.instance.props.tags = { "Patch Group": "web" };
    s.instance.props.metadataOptions = UNKNOWN;
    const vs = evaluatePolicies([s.baseline, s.patchGroup, s.instance]);
    assert.deepEqual(vs, [
      finding(
        metadata,
        s.instance,
        `Instance "web-1" cannot be checked during preview: metadataOptions.instanceMetadataTags${unknownTail}`,
        "advisory",
      ),
    ]);
  });
});
