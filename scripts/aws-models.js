#!/usr/bin/env node
/**
 * Regenerates test/aws-models/<service>.json: the input and output shapes of the AWS operations
 * patchfleet calls or deploys through, cut from botocore's service models (the same models the AWS
 * SDKs are generated from). Tests and the local stand-ins validate requests against these files, so
 * what counts as a valid request comes from AWS's published models, never from patchfleet's code.
 *
 * Usage: pip download --no-deps -d /tmp/bc botocore==<version>; unzip it; then
 *   node scripts/aws-models.js <path to botocore/data> <botocore version>
 * Documentation strings are dropped; everything else of each shape is kept as published.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");

// service folder -> operations (each operation's input, output and error shapes are kept, with
// every shape they reach).
const OPERATIONS = {
  ssm: [
    "AddTagsToResource",
    "CreateDocument",
    "CreateMaintenanceWindow",
    "CreatePatchBaseline",
    "CreateResourceDataSync",
    "DescribeAutomationExecutions",
    "DescribeAutomationStepExecutions",
    "DescribeAvailablePatches",
    "DescribeDocument",
    "DescribeDocumentPermission",
    "DescribeInstanceInformation",
    "DescribeInstancePatchStates",
    "DescribeInstancePatchStatesForPatchGroup",
    "DescribeInstancePatches",
    "DescribeMaintenanceWindows",
    "DescribePatchBaselines",
    "DescribePatchGroups",
    "GetAutomationExecution",
    "GetDocument",
    "GetPatchBaseline",
    "ListComplianceSummaries",
    "ListResourceComplianceSummaries",
    "ListTagsForResource",
    "ModifyDocumentPermission",
    "RegisterDefaultPatchBaseline",
    "RegisterPatchBaselineForPatchGroup",
    "RegisterTargetWithMaintenanceWindow",
    "RegisterTaskWithMaintenanceWindow",
    "StartAutomationExecution",
    "StopAutomationExecution",
    "UpdateMaintenanceWindow",
    "UpdateMaintenanceWindowTask",
    "UpdatePatchBaseline",
  ],
  sts: ["AssumeRole", "GetCallerIdentity"],
  s3: [
    "CreateBucket",
    "GetObject",
    "PutBucketEncryption",
    "PutBucketLifecycleConfiguration",
    "PutBucketPolicy",
    "PutBucketVersioning",
    "PutObject",
    "PutPublicAccessBlock",
  ],
  "resource-groups": ["CreateGroup", "GetGroup", "GetGroupQuery", "ListGroupResources", "Tag"],
  iam: ["AttachRolePolicy", "CreateRole", "GetRole", "PutRolePolicy"],
  events: ["PutRule", "PutTargets"],
  sns: ["CreateTopic", "Publish", "SetTopicAttributes"],
  kms: ["CreateAlias", "CreateKey", "PutKeyPolicy"],
  account: ["GetRegionOptStatus", "ListRegions"],
  ec2: ["DescribeRegions"],
};

function readModel(dataDir, service) {
  const versions = fs.readdirSync(path.join(dataDir, service)).sort();
  const dir = path.join(dataDir, service, versions[versions.length - 1]);
  const gz = path.join(dir, "service-2.json.gz");
  const raw = fs.existsSync(gz)
    ? zlib.gunzipSync(fs.readFileSync(gz)).toString("utf8")
    : fs.readFileSync(path.join(dir, "service-2.json"), "utf8");
  return { model: JSON.parse(raw), apiVersion: versions[versions.length - 1] };
}

function withoutDocs(value) {
  if (Array.isArray(value)) return value.map(withoutDocs);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === "documentation" || k === "documentationUrl") continue;
    out[k] = withoutDocs(v);
  }
  return out;
}

function reach(model, name, kept) {
  if (kept.has(name)) return;
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the model`);
  kept.add(name);
  const refs = [];
  if (shape.members) refs.push(...Object.values(shape.members).map((m) => m.shape));
  if (shape.member) refs.push(shape.member.shape);
  if (shape.key) refs.push(shape.key.shape);
  if (shape.value) refs.push(shape.value.shape);
  for (const ref of refs) reach(model, ref, kept);
}

function main() {
  const [dataDir, version] = process.argv.slice(2);
  if (!dataDir || !version) {
    console.error("usage: node scripts/aws-models.js <botocore/data> <botocore version>");
    process.exit(2);
  }
  const outDir = path.join(__dirname, "..", "test", "aws-models");
  fs.mkdirSync(outDir, { recursive: true });
  for (const [service, operations] of Object.entries(OPERATIONS)) {
    const { model, apiVersion } = readModel(dataDir, service);
    const kept = new Set();
    const ops = {};
    for (const op of operations) {
      const spec = model.operations[op];
      if (!spec) throw new Error(`${service} has no operation ${op}`);
      ops[op] = withoutDocs(spec);
      if (spec.input) reach(model, spec.input.shape, kept);
      if (spec.output) reach(model, spec.output.shape, kept);
      for (const e of spec.errors ?? []) reach(model, e.shape, kept);
    }
    const shapes = {};
    for (const name of [...kept].sort()) shapes[name] = withoutDocs(model.shapes[name]);
    const doc = {
      source: `botocore ${version}, botocore/data/${service}/${apiVersion}/service-2.json`,
      metadata: withoutDocs(model.metadata),
      operations: ops,
      shapes,
    };
    fs.writeFileSync(path.join(outDir, `${service}.json`), JSON.stringify(doc, null, 1) + "\n");
    console.log(`${service}: ${operations.length} operations, ${kept.size} shapes`);
  }
}

main();
