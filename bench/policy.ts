/**
 * How long the policy pack takes on a large stack, in process: N instances, N/10 patch groups and
 * N/10 baselines (first preview: every baseline id unknown, followed through property
 * dependencies), plus one resource of every other kind the pack reads. Every 100th instance is
 * tagged with an unregistered group, so the run also proves the findings are all there.
 *
 *   npm run build && node --expose-gc dist/bench/policy.js [runs]
 */
import { UNKNOWN, evaluatePolicies, type PolicyResource } from "../policy-pack/evaluate";

const urn = (type: string, name: string) => `urn:pulumi:bench::patchfleet::${type}::${name}`;

function stack(instances: number): PolicyResource[] {
  const groups = instances / 10;
  const out: PolicyResource[] = [];
  for (let g = 0; g < groups; g++) {
    const bType = "aws:ssm/patchBaseline:PatchBaseline";
    const bUrn = urn(bType, `baseline-${g}`);
    out.push({
      urn: bUrn,
      type: bType,
      name: `baseline-${g}`,
      props: {
        name: `patchfleet-baseline-${g}`,
        operatingSystem: g % 2 === 0 ? "AMAZON_LINUX_2023" : "WINDOWS",
        approvalRules: [
          {
            approveAfterDays: 3,
            complianceLevel: "CRITICAL",
            patchFilters:
              g % 2 === 0
                ? [
                    { key: "CLASSIFICATION", values: ["Security"] },
                    { key: "SEVERITY", values: ["Critical", "Important"] },
                  ]
                : [
                    { key: "CLASSIFICATION", values: ["SecurityUpdates", "CriticalUpdates"] },
                    { key: "MSRC_SEVERITY", values: ["Critical", "Important"] },
                  ],
          },
        ],
        rejectedPatches: [],
        rejectedPatchesAction: "BLOCK",
      },
    });
    const pType = "aws:ssm/patchGroup:PatchGroup";
    out.push({
      urn: urn(pType, `group-${g}`),
      type: pType,
      name: `group-${g}`,
      props: { patchGroup: `group-${g}`, baselineId: UNKNOWN },
      dependencies: [bUrn],
      propertyDependencies: { baselineId: [bUrn] },
    });
  }
  for (let i = 0; i < instances; i++) {
    const type = "aws:ec2/instance:Instance";
    const group = i % 100 === 99 ? "unregistered" : `group-${i % groups}`;
    out.push({
      urn: urn(type, `web-${i}`),
      type,
      name: `web-${i}`,
      props: {
        ami: "ami-0123456789abcdef0",
        instanceType: "t3.micro",
        tags: { PatchGroup: group, Name: `web-${i}` },
        metadataOptions: { httpTokens: "required", instanceMetadataTags: "enabled" },
      },
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeOnce(resources: PolicyResource[], instances: number): number {
  // A collection before each run keeps garbage from the previous run out of this one's time.
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = process.hrtime.bigint();
  const violations = evaluatePolicies(resources);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (violations.length !== instances / 100) {
    throw new Error(`expected ${instances / 100} findings, got ${violations.length}`);
  }
  return ms;
}

const runs = Number(process.argv[2] ?? 7);
const sizes = [10_000, 20_000];
const stacks = sizes.map((n) => stack(n));
timeOnce(stack(1000), 1000); // warm-up
const times: number[][] = sizes.map(() => []);
// Interleaved, so a burst of load on the machine hits both sizes alike.
for (let r = 0; r < runs; r++) {
  sizes.forEach((n, i) => times[i].push(timeOnce(stacks[i], n)));
}
const medians = sizes.map((n, i) => {
  const m = median(times[i]);
  process.stdout.write(
    `${n} instances / ${n / 10} patch groups / ${n / 10} baselines ` +
      `(${stacks[i].length} resources): median ${m.toFixed(0)} ms over ${runs} runs ` +
      `[${times[i].map((t) => t.toFixed(0)).join(", ")}]\n`,
  );
  return m;
});
process.stdout.write(`ratio 20k/10k: ${(medians[1] / medians[0]).toFixed(2)}\n`);
