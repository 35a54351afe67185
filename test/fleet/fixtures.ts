/** A small valid fleet document (before YAML), for tests to change one thing at a time. */
export type Doc = Record<string, unknown> & {
  central: Record<string, unknown>;
  members: Record<string, unknown>[];
};

export function baseFleet(): Doc {
  return {
    central: { account: "111111111111", regions: ["us-east-1", "eu-west-1"] },
    members: [
      { account: "222222222222", name: "prod-a", regions: ["us-east-1", "eu-west-1"] },
      { account: "333333333333", name: "prod-b", regions: ["eu-west-1"] },
    ],
    patchGroups: {
      web: {
        operatingSystem: "AMAZON_LINUX_2023",
        approvalRules: [
          { patchFilters: [{ key: "CLASSIFICATION", values: ["Security"] }], approveAfterDays: 7 },
        ],
      },
    },
  };
}
