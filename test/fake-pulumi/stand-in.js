/*
 * A stand-in for the `pulumi` CLI, for patchfleet's runner tests. It answers the commands the
 * Automation API sends (see @pulumi/pulumi/automation/localWorkspace.js and stack.js) the way the
 * real CLI does, keeps per-stack state under the file:// backend named in Pulumi.yaml, and records
 * every invocation as one JSON line in $FAKE_PULUMI_LOG.
 *
 * One implementation, two forms: bin/pulumi runs it as a process (what the Automation API finds on
 * PATH), and in-process.ts runs it inside the test's own process, where starting a Node process per
 * CLI call would cost more than the test itself. Everything a process owns comes in through `io`:
 * argv, environment, working directory, pid, the output streams and SIGINT. An invocation ends at
 * its first exit (as process.exit would end it): nothing it does afterwards is written or recorded.
 *
 * Scenario ($FAKE_PULUMI_SCENARIO, a JSON file), all keys optional:
 *   { "version": "3.200.0",
 *     "defaultDelayMs": 0,
 *     "engine": false,             // true: run inline programs against a fake engine (see below)
 *     "stacks": { "<stack>" or "*" (defaults for every stack): {
 *         "up" | "preview" | "refresh" | "destroy" | "drift": "ok" | "fail" | "locked" | "slow",
 *         "delayMs": 50,            // how long each operation takes
 *         "rendezvous": 2,          // before its delay, wait (up to 30 s) until this many
 *                                   // operations of stacks that set it have begun: proves that
 *                                   // they run at once without guessing how fast processes start
 *         "changes": 2,             // changes a preview proposes (drift fails when > 0)
 *         "pendingOperations": 1,   // interrupted operations in the stack's state
 *         "leak": "text",           // printed on stderr when failing (to test redaction)
 *         "outputs": { "k": "v" }, "secretOutputs": ["k"] } } }
 * "drift" is the preview run with --expect-no-changes.
 *
 * What it prints and how it exits comes from ./cli-text.json, every entry of which
 * test/engine/cli-claims.test.ts asserts against the real CLI. What the real CLI cannot be made to
 * do on demand (a secret leaking into an error, a scripted count of changes) is marked where the
 * fake does it.
 */
"use strict";
/* eslint-disable @typescript-eslint/no-require-imports -- bin/pulumi loads this as plain CommonJS */
const fs = require("fs");
const path = require("path");

const TEXT = require("./cli-text.json");

/** A cli-text.json template with its {name}s filled in. */
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return fallback;
  }
}

function writeEvents(file, events) {
  if (!file) return;
  let seq = 0;
  const lines = events.map((e) =>
    JSON.stringify({ sequence: seq++, timestamp: Math.floor(Date.now() / 1000), ...e }),
  );
  fs.appendFileSync(file, lines.join("\n") + "\n");
}

// ---------------------------------------------------------------------------------------------
// Engine mode (scenario "engine": true): play the engine for an inline program. The Automation
// API passes the program's language host as --client; we serve a ResourceMonitor and an Engine
// over gRPC on 127.0.0.1, ask the host to Run the program against them, and record every resource
// it registers. Outputs are the inputs plus an id and an ARN, as a mock provider would answer.
// ---------------------------------------------------------------------------------------------
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Unwraps secret markers; returns [plain value, whether any part was secret]. */
function unwrapSecrets(value) {
  if (Array.isArray(value)) {
    let secret = false;
    const out = value.map((v) => {
      const [p, s] = unwrapSecrets(v);
      secret = secret || s;
      return p;
    });
    return [out, secret];
  }
  if (value && typeof value === "object") {
    if (value[SIG_KEY] === SECRET_SIG) return [unwrapSecrets(value.value)[0], true];
    let secret = false;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const [p, s] = unwrapSecrets(v);
      secret = secret || s;
      out[k] = p;
    }
    return [out, secret];
  }
  return [value, false];
}

function providerFacts(providers, ref) {
  const urn = ref ? ref.split("::").slice(0, -1).join("::") : "";
  const inputs = providers.get(urn) || {};
  let accounts = inputs.allowedAccountIds;
  if (typeof accounts === "string") {
    try {
      accounts = JSON.parse(accounts);
    } catch {
      accounts = [];
    }
  }
  return {
    region: inputs.region || "us-east-1",
    account: (accounts && accounts[0]) || "000000000000",
  };
}

function mockState(type, name, urn, inputs, facts) {
  const [, mod, kind] = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):/.exec(type) || [];
  const physical = inputs.name || inputs.bucket || `${name}-${hash(urn).slice(0, 7)}`;
  const id =
    type === "aws:ssm/patchBaseline:PatchBaseline" ? `pb-${hash(urn)}${hash(name)}` : physical;
  const state = { ...inputs, id };
  if (mod === "iam") state.arn = `arn:aws:iam::${facts.account}:${kind.toLowerCase()}/${physical}`;
  else if (mod === "s3") state.arn = `arn:aws:s3:::${physical}`;
  else if (mod)
    state.arn = `arn:aws:${mod}:${facts.region}:${facts.account}:${kind.toLowerCase()}/${physical}`;
  if (type === "aws:s3/bucket:Bucket") state.bucket = physical;
  if (mod === "ssm" && kind === "document") state.name = physical;
  if (type === "aws:ssm/patchGroup:PatchGroup") state.patchGroup = inputs.patchGroup;
  return { id, state };
}

/** Thrown to unwind an invocation that has exited, as process.exit would stop it. */
const EXITED = Symbol("exited");

/**
 * Starts one invocation of the stand-in CLI.
 *
 * io: { argv (without node and script), env, cwd, pid (recorded in the log and naming rendezvous
 *       marks), stdout(text), stderr(text), onSigint(listener) (like process.on("SIGINT"): until
 *       a listener is added, a SIGINT ends the invocation, as Node's default does a process) }.
 * Returns { done: a promise of the exit code, stop(): end it at once, writing and recording
 * nothing more (a process killed by a signal) }.
 */
function start(io) {
  const started = Date.now();
  const argv = io.argv;
  const env = io.env;
  let finished = false;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const timers = new Set();

  function stop() {
    if (finished) return;
    finished = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  }

  /** process.exit: the first exit wins; the caller's flow unwinds with EXITED. */
  function exit(code) {
    if (!finished) {
      stop();
      resolveDone(code);
    }
    throw EXITED;
  }

  const stdout = (text) => {
    if (!finished) io.stdout(text);
  };
  const stderr = (text) => {
    if (!finished) io.stderr(text);
  };

  /** Runs `fn` after `ms`, unless the invocation has ended by then. */
  function later(ms, fn) {
    const t = setTimeout(() => {
      timers.delete(t);
      try {
        fn();
      } catch (err) {
        if (err !== EXITED) throw err;
      }
    }, ms);
    timers.add(t);
  }

  /** Resolves after `ms`; never, if the invocation ends first. */
  const sleep = (ms) => new Promise((resolve) => later(ms, resolve));

  const scenario = env.FAKE_PULUMI_SCENARIO ? readJson(env.FAKE_PULUMI_SCENARIO, {}) : {};

  function record(extra) {
    const file = env.FAKE_PULUMI_LOG;
    if (!file || finished) return;
    const entry = {
      t: Date.now(),
      start: started,
      pid: io.pid,
      argv,
      cwd: io.cwd,
      env: {
        passphraseSet: env.PULUMI_CONFIG_PASSPHRASE !== undefined,
        passphraseFile: env.PULUMI_CONFIG_PASSPHRASE_FILE,
        automationApi: env.PULUMI_AUTOMATION_API,
        skipUpdateCheck: env.PULUMI_SKIP_UPDATE_CHECK,
      },
      ...extra,
    };
    fs.appendFileSync(file, JSON.stringify(entry) + "\n");
  }

  function fail(text, code, out = "") {
    if (out) stdout(out);
    stderr(text);
    record({ exit: code });
    exit(code);
  }

  function ok(out = "") {
    stdout(out);
    record({ exit: 0 });
    exit(0);
  }

  function flag(name) {
    const i = argv.indexOf(name);
    if (i !== -1) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(name + "="));
    return eq === undefined ? undefined : eq.slice(name.length + 1);
  }

  // The backend URL the Automation API wrote to Pulumi.yaml (projectSettings.backend.url).
  function project() {
    const file = path.join(io.cwd, "Pulumi.yaml");
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const name = /^name: *(.+)$/m.exec(text);
    const url = /^ +url: *'?([^'\n]+)'?$/m.exec(text);
    return { name: name ? name[1].trim() : "project", backend: url ? url[1].trim() : undefined };
  }

  function stateFile(stack) {
    const { name, backend } = project();
    if (!backend || !backend.startsWith("file://")) {
      fail(`error: fake pulumi supports only file:// backends, got ${backend}\n`, 2);
    }
    const dir = path.resolve(io.cwd, backend.slice("file://".length));
    return path.join(dir, ".pulumi", "stacks", name, `${stack}.json`);
  }

  function noStack(stack) {
    return fail(`${fill(TEXT.noStack, { stack })}\n`, TEXT.exit.stackNotFound);
  }

  /** The Diagnostics block the CLI prints on stdout when the program fails. */
  function diagnostics(stack, messages) {
    const message = messages.map((m) => m.split("\n").join("\n    ")).join("\n    error: ");
    return fill(TEXT.diagnostics, { project: project().name, stack, message });
  }

  function loadState(stack) {
    return readJson(stateFile(stack), undefined);
  }

  function saveState(stack, state) {
    const file = stateFile(stack);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(state, null, 2));
  }

  // "*" holds defaults for every stack; a stack's own entry overrides them key by key.
  function stackScenario(stack) {
    const stacks = scenario.stacks || {};
    return { ...(stacks["*"] || {}), ...(stacks[stack] || {}) };
  }

  async function runEngine(kind, stack, state) {
    const grpc = require("@grpc/grpc-js");
    const resrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
    const resproto = require("@pulumi/pulumi/proto/resource_pb");
    const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
    const engproto = require("@pulumi/pulumi/proto/engine_pb");
    const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
    const langproto = require("@pulumi/pulumi/proto/language_pb");
    const structproto = require("google-protobuf/google/protobuf/struct_pb");
    const emptyproto = require("google-protobuf/google/protobuf/empty_pb");

    const proj = project().name;
    const resources = [];
    const providers = new Map();
    const errors = [];
    let rootUrn = "";
    let outputs = {};
    const secretOutputs = [];

    const server = new grpc.Server();
    const unimplemented = (call, cb) =>
      cb({ code: grpc.status.UNIMPLEMENTED, message: "fake engine" });
    server.addService(resrpc.ResourceMonitorService, {
      supportsFeature(call, cb) {
        const resp = new resproto.SupportsFeatureResponse();
        resp.setHassupport(call.request.getId() === "secrets");
        cb(null, resp);
      },
      registerResource(call, cb) {
        const req = call.request;
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent();
        let qualified = type;
        if (parent) qualified = `${parent.split("::")[2].split("$").pop()}$${type}`;
        const urn = `urn:pulumi:${stack}::${proj}::${qualified}::${name}`;
        const inputs = req.getObject() ? req.getObject().toJavaScript() : {};
        const [plain] = unwrapSecrets(inputs);
        resources.push({
          urn,
          type,
          name,
          parent,
          custom: req.getCustom(),
          provider: req.getProvider(),
          inputs: plain,
        });
        const resp = new resproto.RegisterResourceResponse();
        resp.setUrn(urn);
        if (type.startsWith("pulumi:providers:")) {
          providers.set(urn, plain);
          resp.setId(`${name}-provider-id`);
          resp.setObject(structproto.Struct.fromJavaScript(inputs));
        } else if (req.getCustom()) {
          const { id, state: out } = mockState(
            type,
            name,
            urn,
            inputs,
            providerFacts(providers, req.getProvider()),
          );
          resp.setId(id);
          resp.setObject(structproto.Struct.fromJavaScript(out));
        } else {
          resp.setObject(structproto.Struct.fromJavaScript({}));
        }
        cb(null, resp);
      },
      registerResourceOutputs(call, cb) {
        const req = call.request;
        if (
          req.getUrn() === rootUrn ||
          req.getUrn().endsWith("::pulumi:pulumi:Stack::" + `${proj}-${stack}`)
        ) {
          const raw = req.getOutputs() ? req.getOutputs().toJavaScript() : {};
          outputs = {};
          for (const [k, v] of Object.entries(raw)) {
            const [p, secret] = unwrapSecrets(v);
            outputs[k] = p;
            if (secret) secretOutputs.push(k);
          }
        }
        cb(null, new emptyproto.Empty());
      },
      invoke(call, cb) {
        cb({
          code: grpc.status.UNIMPLEMENTED,
          message: `fake engine: no invoke ${call.request.getTok()}`,
        });
      },
      registerPackage(call, cb) {
        const resp = new resproto.RegisterPackageResponse();
        resp.setRef(`pkg-${call.request.getName()}`);
        cb(null, resp);
      },
      signalAndWaitForShutdown(call, cb) {
        cb(null, new emptyproto.Empty());
      },
      getDeploymentInfo: unimplemented,
      call: unimplemented,
      readResource: unimplemented,
      registerStackTransform: unimplemented,
      registerStackInvokeTransform: unimplemented,
      registerResourceHook: unimplemented,
      registerErrorHook: unimplemented,
    });
    server.addService(engrpc.EngineService, {
      log(call, cb) {
        const req = call.request;
        if (req.getSeverity() === engproto.LogSeverity.ERROR) errors.push(req.getMessage());
        cb(null, new emptyproto.Empty());
      },
      getRootResource(call, cb) {
        const resp = new engproto.GetRootResourceResponse();
        resp.setUrn(rootUrn);
        cb(null, resp);
      },
      setRootResource(call, cb) {
        rootUrn = call.request.getUrn();
        cb(null, new engproto.SetRootResourceResponse());
      },
      startDebugging: unimplemented,
      requirePulumiVersion: (call, cb) => cb(null, new emptyproto.Empty()),
    });
    const port = await new Promise((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const address = `127.0.0.1:${port}`;
    const client = new langrpc.LanguageRuntimeClient(
      flag("--client"),
      grpc.credentials.createInsecure(),
    );
    const req = new langproto.RunRequest();
    req.setProject(proj);
    req.setStack(stack);
    req.setPwd(io.cwd);
    req.setProgram(".");
    req.setArgsList([address]);
    req.setDryrun(kind === "preview");
    req.setParallel(16);
    req.setMonitorAddress(address);
    req.setOrganization("organization");
    const config = req.getConfigMap();
    const secretKeys = [];
    for (const [k, v] of Object.entries(state.config)) {
      config.set(k, v.value);
      if (v.secret) secretKeys.push(k);
    }
    req.setConfigsecretkeysList(secretKeys);
    const runError = await new Promise((resolve) => {
      client.run(req, (err, resp) => {
        if (err) resolve(err.details || err.message);
        else resolve(resp.getError() || (resp.getBail() ? "program bailed" : ""));
      });
    });
    client.close();
    server.forceShutdown();
    if (runError) errors.push(runError);
    const file = stateFile(stack).replace(/\.json$/, ".resources.json");
    fs.writeFileSync(file, JSON.stringify(resources, null, 2));
    return { errors, outputs, secretOutputs, resources };
  }

  /**
   * Marks this operation as begun in a directory beside the log, then waits until `count` marks
   * are there (or 30 s pass, after which it carries on: the test's overlap assertion then fails).
   */
  async function rendezvous(stack, count) {
    const dir = `${env.FAKE_PULUMI_LOG}.rendezvous`;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${stack}-${io.pid}`), "");
    const until = Date.now() + 30000;
    while (fs.readdirSync(dir).length < count && Date.now() < until) await sleep(20);
  }

  async function operation(kind, stack) {
    const sc = stackScenario(stack);
    const state = loadState(stack);
    if (!state) noStack(stack);
    const drift = kind === "preview" && argv.includes("--expect-no-changes");
    const mode = sc[drift ? "drift" : kind] || "ok";
    const eventLog = flag("--event-log");
    const delay = sc.delayMs ?? scenario.defaultDelayMs ?? 0;
    stdout(`${fill(TEXT.header[kind], { stack })}\n`);

    if (mode === "locked") {
      const backend = project().backend.slice("file://".length);
      fail(
        `${TEXT.locked}\n` +
          `${fill(TEXT.lockedBy, {
            backend,
            project: project().name,
            stack,
            lock: "6f1d8a52-3f0e-4c55-9c7e-2b1f4f0a9d11",
            user: "ci",
            host: "runner",
            pid: 4242,
            time: "2026-11-25T10:00:00Z",
          })}\n`,
        TEXT.exit.locked,
      );
    }
    if (state.pendingOperations > 0 && kind === "up") {
      // The real engine warns and carries on; patchfleet must have stopped before getting here.
      stdout(`${fill(TEXT.pendingWarning, { count: state.pendingOperations })}\n`);
    }
    if (mode === "slow") {
      let interrupted = false;
      io.onSigint(() => {
        if (interrupted) {
          record({ signal: "SIGINT", again: true });
          return;
        }
        interrupted = true;
        record({ signal: "SIGINT" });
        // Like the engine: say so, let the in-flight step finish (a graceful cancel leaves no
        // pending operation), then fail the update.
        stdout(`${TEXT.interrupted}\n`);
        later(100, () => fail("", TEXT.exit.canceled, diagnostics(stack, [TEXT.canceled])));
      });
      // Tests interrupt once the operation is under way: "<log>.slow-<stack>" says it is.
      if (env.FAKE_PULUMI_LOG) {
        fs.writeFileSync(`${env.FAKE_PULUMI_LOG}.slow-${stack}`, String(io.pid));
      }
      await sleep(sc.slowMs ?? 20000);
      fail("error: fake pulumi: slow operation was never interrupted\n", 3);
    }
    if (sc.rendezvous) await rendezvous(stack, sc.rendezvous);
    await sleep(delay);
    if (mode === "fail") {
      // `leak`: text on stderr the real CLI cannot be made to print on demand (a secret in an
      // error), for patchfleet's redaction.
      fail(
        sc.leak ? `${sc.leak}\n` : "",
        TEXT.exit.programFailed,
        diagnostics(stack, [
          "Running program failed: config patchGroups.web: unknown operating system",
        ]),
      );
    }
    let engine;
    if (scenario.engine && flag("--client") && (kind === "up" || kind === "preview")) {
      engine = await runEngine(kind, stack, state);
      if (engine.errors.length > 0)
        fail("", TEXT.exit.programFailed, diagnostics(stack, engine.errors));
    }
    // `changes`: a scripted count of updates, which the real engine proposes only when the cloud
    // or the program differs from the state.
    const changes = sc.changes ?? 0;
    const summary = {
      summaryEvent: {
        maybeCorrupt: false,
        durationSeconds: 1,
        resourceChanges: changes > 0 ? { same: 3, update: changes } : { same: 3 },
        PolicyPacks: {},
        isPreview: kind === "preview",
        result: "succeeded",
      },
    };
    if (kind === "preview") {
      writeEvents(eventLog, [{ preludeEvent: { config: {} } }, summary]);
      const resources =
        changes > 0
          ? fill(TEXT.toUpdate, { update: changes, same: 3 })
          : "Resources:\n    3 unchanged\n";
      if (drift && changes > 0) {
        fail(`${TEXT.noChangesExpected}\n`, TEXT.exit.noChangesExpected, resources);
      }
      ok(resources);
    }
    if (kind === "up" && engine) {
      state.outputs = engine.outputs;
      state.secretOutputs = engine.secretOutputs;
      state.resources = engine.resources.length;
    } else if (kind === "up") {
      const outputs = sc.outputs ?? { stackName: stack };
      state.outputs = outputs;
      state.secretOutputs = sc.secretOutputs ?? [];
      state.resources = 3;
    } else if (kind === "destroy") {
      state.outputs = {};
      state.resources = 0;
    } else if (kind === "refresh") {
      state.pendingOperations = 0;
    }
    // The file backend numbers no updates: its history entries all say version 0.
    state.history.unshift({
      version: 0,
      kind: kind === "up" ? "update" : kind,
      startTime: new Date(started).toISOString(),
      message: "",
      environment: {},
      config: state.config,
      result: "succeeded",
      endTime: new Date().toISOString(),
      resourceChanges: { same: 3 },
    });
    saveState(stack, state);
    writeEvents(eventLog, [{ preludeEvent: { config: {} } }, summary]);
    ok(fill(TEXT.unchanged, { same: 3, seconds: 1 }));
  }

  async function main() {
    const words = argv.filter((a) => a !== "--non-interactive");
    const stack = flag("--stack");
    const [cmd, sub] = words;
    // 3.200.0 by default: at 3.205.0 and below the Automation API reads engine events from the
    // --event-log file this fake writes (the real CLI writes the same events there too, under
    // PULUMI_DEBUG_COMMANDS, which the Automation API sets); above it, it serves them over gRPC.
    if (cmd === "version") ok(`v${scenario.version ?? "3.200.0"}\n`);
    if (cmd === "cancel") {
      fail("error: fake pulumi: `cancel` must never be sent by patchfleet\n", 3);
    }
    if (cmd === "stack" && sub === "select") {
      if (!loadState(stack)) noStack(stack);
      ok();
    }
    if (cmd === "stack" && sub === "init") {
      const name = words[2];
      if (loadState(name)) {
        fail(
          `${fill(TEXT.alreadyExists, { project: project().name, stack: name })}\n`,
          TEXT.exit.alreadyExists,
        );
      }
      const sc = stackScenario(name);
      saveState(name, {
        config: {},
        outputs: {},
        secretOutputs: [],
        history: [],
        resources: 0,
        pendingOperations: sc.pendingOperations ?? 0,
        secretsProvider: flag("--secrets-provider") ?? "passphrase",
      });
      stderr(`${fill(TEXT.created, { stack: name })}\n`);
      ok();
    }
    if (cmd === "config" && sub === "set-all") {
      const state = loadState(stack) ?? noStack(stack);
      for (let i = 2; i < words.length; i++) {
        if (words[i] === "--plaintext" || words[i] === "--secret") {
          const [key, ...rest] = words[i + 1].split("=");
          state.config[key] = { value: rest.join("="), secret: words[i] === "--secret" };
          i++;
        }
      }
      saveState(stack, state);
      ok();
    }
    if (cmd === "stack" && sub === "export") {
      const state = loadState(stack) ?? noStack(stack);
      const pending = [];
      for (let i = 0; i < state.pendingOperations; i++) {
        pending.push({
          resource: {
            urn: `urn:pulumi:${stack}::${project().name}::aws:ssm/patchBaseline:PatchBaseline::b${i}`,
          },
          type: "creating",
        });
      }
      ok(
        JSON.stringify({
          version: 3,
          deployment: { manifest: {}, resources: [], pending_operations: pending },
        }) + "\n",
      );
    }
    if (cmd === "stack" && sub === "output") {
      const state = loadState(stack) ?? noStack(stack);
      const show = argv.includes("--show-secrets");
      const out = {};
      for (const [k, v] of Object.entries(state.outputs)) {
        out[k] = !show && state.secretOutputs.includes(k) ? "[secret]" : v;
      }
      ok(JSON.stringify(out) + "\n");
    }
    if (cmd === "stack" && sub === "history") {
      const state = loadState(stack) ?? noStack(stack);
      ok(JSON.stringify(state.history.slice(0, Number(flag("--page-size") ?? 100))) + "\n");
    }
    if (["up", "preview", "refresh", "destroy"].includes(cmd)) {
      await operation(cmd, stack);
    }
    fail(`error: fake pulumi does not support: ${words.join(" ")}\n`, 2);
  }

  main().catch((err) => {
    if (err === EXITED) return;
    try {
      fail(`error: fake pulumi crashed: ${err && err.stack}\n`, 3);
    } catch (exited) {
      if (exited !== EXITED) throw exited;
    }
  });
  return { done, stop };
}

module.exports = { start };
