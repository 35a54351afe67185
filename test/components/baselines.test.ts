import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { PatchBaselines } from "../../components/patch-baselines";
import type { PatchGroupSpec } from "../../components/types";
import {
  installMocks,
  mockId,
  named,
  nameOfUrn,
  ofType,
  resources,
  settle,
  valueOf,
} from "../helpers/mocks";
import { config, rawCentral } from "./fixtures";

function groups(): Record<string, PatchGroupSpec> {
  return config(rawCentral()).patchGroups;
}

describe("PatchBaselines", function () {
  this.timeout(60_000);
  beforeEach(installMocks);

  it("creates one baseline and one patch group per group, and the default for AL2023 only", async () => {
    const c = new PatchBaselines("bl", { patchGroups: groups(), tags: { team: "ops" } });
    await settle();
    assert.deepEqual(resources.map((r) => `${r.type} ${r.name}`).sort(), [
      "aws:ssm/defaultPatchBaseline:DefaultPatchBaseline bl-default-amazon-linux-2023",
      "aws:ssm/patchBaseline:PatchBaseline bl-web",
      "aws:ssm/patchBaseline:PatchBaseline bl-win",
      "aws:ssm/patchGroup:PatchGroup bl-web-group",
      "aws:ssm/patchGroup:PatchGroup bl-win-group",
      "patchfleet:ssm:PatchBaselines bl",
    ]);
    for (const r of resources.slice(1)) assert.equal(nameOfUrn(r.parent), "bl");
    assert.deepEqual(await valueOf(c.baselineIds), {
      web: mockId("bl-web"),
      win: mockId("bl-win"),
    });
  });

  it("passes the baseline spec through exactly", async () => {
    new PatchBaselines("bl", { patchGroups: groups(), tags: { team: "ops" } });
    await settle();
    const web = named("bl-web").inputs;
    assert.equal(web.name, "patchfleet-web");
    assert.equal(web.operatingSystem, "AMAZON_LINUX_2023");
    assert.deepEqual(web.approvalRules, [
      {
        patchFilters: [
          { key: "CLASSIFICATION", values: ["Security"] },
          { key: "SEVERITY", values: ["Critical", "Important"] },
        ],
        approveAfterDays: 7,
        complianceLevel: "CRITICAL",
        enableNonSecurity: false,
      },
    ]);
    assert.equal(web.rejectedPatchesAction, "BLOCK");
    assert.equal(web.approvedPatchesComplianceLevel, "UNSPECIFIED");
    assert.deepEqual(web.tags, { team: "ops" });
    const win = named("bl-win").inputs;
    assert.equal(win.operatingSystem, "WINDOWS");
    assert.deepEqual(win.approvalRules, [
      {
        patchFilters: [{ key: "MSRC_SEVERITY", values: ["Critical"] }],
        approveUntilDate: "2026-02-28",
        complianceLevel: "UNSPECIFIED",
        enableNonSecurity: false,
      },
    ]);
    assert.deepEqual(named("bl-web-group").inputs, {
      baselineId: mockId("bl-web"),
      patchGroup: "web",
    });
    assert.deepEqual(named("bl-win-group").inputs, {
      baselineId: mockId("bl-win"),
      patchGroup: "win",
    });
    assert.deepEqual(named("bl-default-amazon-linux-2023").inputs, {
      baselineId: mockId("bl-web"),
      operatingSystem: "AMAZON_LINUX_2023",
    });
    assert.equal(ofType("aws:ssm/defaultPatchBaseline:DefaultPatchBaseline").length, 1);
  });

  it("passes approved-patch settings and Linux sources through exactly", async () => {
    const g = groups();
    g.db = {
      operatingSystem: "AMAZON_LINUX_2",
      description: "database hosts",
      approvalRules: [
        {
          patchFilters: [{ key: "CLASSIFICATION", values: ["Security", "Bugfix"] }],
          approveAfterDays: 3,
          complianceLevel: "HIGH",
          enableNonSecurity: true,
        },
      ],
      globalFilters: [{ key: "PRODUCT", values: ["AmazonLinux2"] }],
      approvedPatches: ["kernel-5.10.*"],
      approvedPatchesComplianceLevel: "MEDIUM",
      approvedPatchesEnableNonSecurity: true,
      rejectedPatches: ["openssl-1.0.*"],
      rejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      sources: [
        {
          name: "internal-mirror",
          products: ["AmazonLinux2", "AmazonLinux2.0"],
          configuration: "[internal]\nname=internal\nbaseurl=https://mirror.example/al2\nenabled=1",
        },
        { name: "extras", products: ["*"], configuration: "[extras]\nenabled=1" },
      ],
      defaultForOperatingSystem: false,
    };
    new PatchBaselines("bl", { patchGroups: g, baselineNamePrefix: "fleet-" });
    await settle();
    assert.equal(ofType("aws:ssm/patchBaseline:PatchBaseline").length, 3);
    assert.deepEqual(named("bl-db").inputs, {
      name: "fleet-db",
      description: "database hosts",
      operatingSystem: "AMAZON_LINUX_2",
      approvalRules: [
        {
          patchFilters: [{ key: "CLASSIFICATION", values: ["Security", "Bugfix"] }],
          approveAfterDays: 3,
          complianceLevel: "HIGH",
          enableNonSecurity: true,
        },
      ],
      globalFilters: [{ key: "PRODUCT", values: ["AmazonLinux2"] }],
      approvedPatches: ["kernel-5.10.*"],
      approvedPatchesComplianceLevel: "MEDIUM",
      approvedPatchesEnableNonSecurity: true,
      rejectedPatches: ["openssl-1.0.*"],
      rejectedPatchesAction: "ALLOW_AS_DEPENDENCY",
      sources: [
        {
          name: "internal-mirror",
          products: ["AmazonLinux2", "AmazonLinux2.0"],
          configuration: "[internal]\nname=internal\nbaseurl=https://mirror.example/al2\nenabled=1",
        },
        { name: "extras", products: ["*"], configuration: "[extras]\nenabled=1" },
      ],
      tags: {},
    });
    // The fixture groups leave these at their defaults: false and no sources are sent explicitly.
    for (const group of ["bl-web", "bl-win"]) {
      assert.equal(named(group).inputs.approvedPatchesEnableNonSecurity, false, group);
      assert.deepEqual(named(group).inputs.sources, [], group);
    }
    assert.deepEqual(named("bl-db-group").inputs, {
      baselineId: mockId("bl-db"),
      patchGroup: "db",
    });
  });

  it("guard: two defaults for one OS are refused before any child exists", async () => {
    const g = groups();
    g.api = { ...(g.web as PatchGroupSpec) };
    assert.throws(
      () => new PatchBaselines("dup", { patchGroups: g }),
      (err: Error) =>
        err instanceof pulumi.ResourceError &&
        err.message ===
          "invalid patch groups:\npatchGroups.api.defaultForOperatingSystem: patch group web is already the default for AMAZON_LINUX_2023; only one group per operating system can be the default",
    );
    await settle();
    assert.deepEqual(
      resources.map((r) => r.type),
      ["patchfleet:ssm:PatchBaselines"],
    );
  });

  it("guard: a filter key of another OS is refused with the path and the valid keys", () => {
    const g = groups();
    (g.win as PatchGroupSpec).globalFilters = [{ key: "SEVERITY", values: ["Critical"] }];
    assert.throws(
      () => new PatchBaselines("os", { patchGroups: g }),
      (err: Error) =>
        err.message ===
        'invalid patch groups:\npatchGroups.win.globalFilters[0].key: "SEVERITY" is not a filter key for WINDOWS; use one of PATCH_SET, PRODUCT, PRODUCT_FAMILY, CLASSIFICATION, MSRC_SEVERITY',
    );
  });
});
