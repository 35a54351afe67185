#!/usr/bin/env node
// npm run engine:setup — puts the real Pulumi engine and patchfleet's stand-in AWS provider in
// .engine/bin, for `npm run test:engine` and `npm run bench:engine`.
//
//   .engine/bin/pulumi                  the Pulumi CLI (engine), built from Pulumi's Go modules at
//                                       the version of the pinned @pulumi/pulumi, or a `pulumi`
//                                       already on PATH at that version
//   .engine/bin/pulumi-language-nodejs  the Node.js language host (engine/go/cmd)
//   .engine/bin/pulumi-resource-aws     the stand-in AWS provider (engine/provider)
//
// Builds are cached under ~/.cache/patchfleet/engine/v<version> (PATCHFLEET_ENGINE_CACHE
// overrides), so a second run takes seconds. Needs only Go; without it, exits 2 and says so.
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const started = Date.now();

function log(message) {
  console.log(`engine:setup: ${message}`);
}

function fail(message, code = 1) {
  console.error(`engine:setup: ${message}`);
  process.exit(code);
}

function pinnedVersion() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const version = pkg.dependencies && pkg.dependencies["@pulumi/pulumi"];
  if (!/^\d+\.\d+\.\d+$/.test(version || "")) {
    fail(`package.json must pin @pulumi/pulumi to an exact version (found ${version})`);
  }
  return version;
}

/** `pulumi version` of an executable, or undefined when it does not run. */
function cliVersion(file) {
  const r = spawnSync(file, ["version"], {
    encoding: "utf8",
    env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The first executable called `name` on PATH outside .engine/bin. */
function onPath(name) {
  const ours = path.join(root, ".engine", "bin");
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir || path.resolve(dir) === ours) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Hash of the files a cached build came from, so an edit to engine/go rebuilds. */
function sourceHash(dir) {
  const hash = crypto.createHash("sha256");
  const walk = (d) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(d, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        hash.update(path.relative(dir, file));
        hash.update(fs.readFileSync(file));
      }
    }
  };
  walk(dir);
  return hash.digest("hex").slice(0, 16);
}

function goEnv() {
  const home = os.homedir();
  return {
    ...process.env,
    // Module and build caches under the home directory: the next build reuses them.
    GOMODCACHE: process.env.GOMODCACHE || path.join(home, "go", "pkg", "mod"),
    GOCACHE: process.env.GOCACHE || path.join(home, ".cache", "go-build"),
    // No VCS stamp: engine/go sits inside this repository, and the stamp would only change the binary.
    GOFLAGS: "-mod=readonly -buildvcs=false",
    CGO_ENABLED: "0",
  };
}

function go(args, cwd) {
  const t = Date.now();
  log(`go ${args.join(" ")}`);
  const r = spawnSync("go", args, { cwd, env: goEnv(), stdio: "inherit" });
  if (r.status !== 0) fail(`go ${args[0]} failed (exit ${r.status})`);
  return (Date.now() - t) / 1000;
}

function buildEngine(version, cacheBin) {
  const goDir = path.join(root, "engine", "go");
  const gomod = fs.readFileSync(path.join(goDir, "go.mod"), "utf8");
  for (const mod of ["pkg/v3", "sdk/v3"]) {
    const m = gomod.match(
      new RegExp(`github\\.com/pulumi/pulumi/${mod.replace("/", "\\/")} (v\\S+)`),
    );
    if (!m || m[1] !== `v${version}`) {
      fail(
        `engine/go/go.mod requires github.com/pulumi/pulumi/${mod} ${m ? m[1] : "(none)"}, but ` +
          `@pulumi/pulumi is pinned to ${version}. Update it: (cd engine/go && go get ` +
          `github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v${version} github.com/pulumi/pulumi/sdk/v3@v${version})`,
      );
    }
  }
  fs.mkdirSync(cacheBin, { recursive: true });
  // The CLI is Pulumi's own code at a pinned module version: a cached one that prints that
  // version is that build (the same test the PATH branch above applies). The language host is
  // our code, so it is keyed by a hash of engine/go and rebuilt whenever that changes; keeping
  // the two apart means an edit to the host does not rebuild the whole CLI.
  const cliCached = cliVersion(path.join(cacheBin, "pulumi")) === `v${version}`;
  const stamp = path.join(cacheBin, ".source");
  const hash = sourceHash(goDir);
  const hostCached =
    fs.existsSync(path.join(cacheBin, "pulumi-language-nodejs")) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === hash;
  if (cliCached && hostCached) {
    log(`cached engine v${version} in ${cacheBin}`);
    return;
  }
  const goVersion = spawnSync("go", ["version"], { encoding: "utf8" });
  if (goVersion.error || goVersion.status !== 0) {
    fail(
      "Go is required to build the Pulumi engine (https://go.dev/doc/install; any Go that accepts " +
        "engine/go/go.mod). Install it and run `npm run engine:setup` again, or put a `pulumi` " +
        `v${version} and pulumi-language-nodejs on PATH.`,
      2,
    );
  }
  log(goVersion.stdout.trim());
  // Setting the version variable is what makes `pulumi version` print the release number.
  const ldflags = `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`;
  const build = (out, pkg) =>
    go(["build", "-trimpath", "-ldflags", ldflags, "-o", path.join(cacheBin, out), pkg], goDir);
  if (cliCached) log(`cached pulumi v${version} in ${cacheBin}`);
  else {
    log(`building Pulumi v${version} (the first build takes minutes)`);
    log(
      `built pulumi in ${build("pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi").toFixed(0)} s`,
    );
  }
  if (!hostCached) {
    const lang = build("pulumi-language-nodejs", "./cmd/pulumi-language-nodejs");
    log(`built pulumi-language-nodejs in ${lang.toFixed(0)} s`);
    fs.writeFileSync(stamp, hash);
  }
}

function link(target, name, binDir) {
  const file = path.join(binDir, name);
  fs.rmSync(file, { force: true });
  fs.symlinkSync(target, file);
}

function buildProvider(binDir) {
  // The stand-in provider is TypeScript in engine/provider, compiled to .engine/provider.
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  const r = spawnSync(
    process.execPath,
    [tsc, "-p", path.join(root, "engine", "provider", "tsconfig.json")],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (r.status !== 0) fail("the stand-in AWS provider does not compile");
  // test/aws-models reads its botocore models from beside the compiled file.
  const models = path.join(root, "test", "aws-models");
  const modelsOut = path.join(root, ".engine", "provider", "test", "aws-models");
  for (const f of fs.readdirSync(models).filter((f) => f.endsWith(".json"))) {
    fs.copyFileSync(path.join(models, f), path.join(modelsOut, f));
  }
  const main = path.join(root, ".engine", "provider", "engine", "provider", "main.js");
  const launcher = path.join(binDir, "pulumi-resource-aws");
  fs.rmSync(launcher, { force: true });
  fs.writeFileSync(
    launcher,
    `#!/bin/sh\n# Stand-in AWS provider for the engine tests (engine/provider).\nexec "${process.execPath}" "${main}" "$@"\n`,
    { mode: 0o755 },
  );
}

function main() {
  const version = pinnedVersion();
  const binDir = path.join(root, ".engine", "bin");
  fs.mkdirSync(binDir, { recursive: true });

  const ambient = onPath("pulumi");
  const ambientHost = onPath("pulumi-language-nodejs");
  if (ambient && ambientHost && cliVersion(ambient) === `v${version}`) {
    log(`using ${ambient} (v${version}) and ${ambientHost} from PATH`);
    link(ambient, "pulumi", binDir);
    link(ambientHost, "pulumi-language-nodejs", binDir);
  } else {
    if (ambient)
      log(`${ambient} is ${cliVersion(ambient) || "not runnable"}, not v${version}: building`);
    const cacheBin = path.join(
      process.env.PATCHFLEET_ENGINE_CACHE ||
        path.join(os.homedir(), ".cache", "patchfleet", "engine"),
      `v${version}`,
      "bin",
    );
    buildEngine(version, cacheBin);
    link(path.join(cacheBin, "pulumi"), "pulumi", binDir);
    link(path.join(cacheBin, "pulumi-language-nodejs"), "pulumi-language-nodejs", binDir);
  }
  buildProvider(binDir);
  const v = cliVersion(path.join(binDir, "pulumi"));
  log(`.engine/bin/pulumi is ${v}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (v !== `v${version}`) fail(`.engine/bin/pulumi prints ${v}, expected v${version}`);
}

try {
  execFileSync(process.execPath, ["--version"]);
  main();
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
