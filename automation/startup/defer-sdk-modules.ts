/**
 * Start-up cost of our own processes (the CLI and the check's workers).
 *
 * Requiring @pulumi/pulumi (3.248) loads two large modules it needs only to serialize a function
 * into a closure (`pulumi.runtime.serializeFunction`, used by "magic" callbacks such as a Lambda
 * written inline), which patchfleet never does:
 * - the TypeScript compiler, through typescript-shim.js, for runtime/closure/parseFunction.js;
 * - npm's Arborist, for runtime/closure/codePaths.js (which files a closure's package needs).
 * Loading them is about 0.7 s of the 1.3 s of CPU the SDK takes to load on our 2-core machines;
 * a check starts a worker per core and a fleet command loads the Automation API, so every run
 * pays it.
 *
 * This puts a stand-in for each into the module cache before the SDK loads: the first property
 * read loads the real module and forwards to it, so the SDK behaves exactly as before if it ever
 * serializes a function (test/startup/defer-sdk-modules.test.ts compares serializeFunction's text
 * with and without). Node documents adding entries to require.cache ("Adding or replacing
 * entries is also possible"); no module-loader internals are patched.
 *
 * Only our executables call this; the library (automation/index.ts) never changes the module
 * cache of a process that embeds it.
 */
import * as path from "path";
import { Module } from "module";

/** The modules deferred, each as [module, the SDK file that requires it]. */
const DEFERRED: readonly (readonly [string, string])[] = [
  ["typescript", "@pulumi/pulumi/typescript-shim.js"],
  ["@npmcli/arborist", "@pulumi/pulumi/runtime/closure/codePaths.js"],
];

/**
 * A stand-in whose first use loads `filename` and forwards everything to it.
 *
 * It answers true to `__esModule` so that TypeScript's `__importStar` (how codePaths.js imports
 * Arborist) hands the stand-in itself on instead of copying every export at once, which would load
 * the module at start-up after all. Reading any name then reaches the real module.
 */
function deferred(filename: string): Module {
  let real: unknown;
  const load = (): object => {
    if (real === undefined) {
      delete require.cache[filename];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known at run time
      real = require(filename);
    }
    return real as object;
  };
  const exports = new Proxy(
    {},
    {
      get: (_target, key) => (key === "__esModule" ? true : Reflect.get(load(), key)),
      has: (_target, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_target, key) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
        // A proxy may only report a property its empty target lacks as configurable.
        return descriptor && { ...descriptor, configurable: true };
      },
    },
  );
  const placeholder = new Module(filename);
  placeholder.filename = filename;
  placeholder.loaded = true;
  placeholder.exports = exports;
  return placeholder;
}

/**
 * Defers the SDK's closure-serialization modules (see the file comment). Call it before anything
 * requires @pulumi/pulumi. A module that is already loaded, or that cannot be found where the SDK
 * would look for it (the shim then falls back to its vendored copy), is left alone.
 */
export function deferSdkOnlyModules(): void {
  for (const [request, requiredBy] of DEFERRED) {
    let filename: string;
    try {
      const from = path.dirname(require.resolve(requiredBy));
      filename = require.resolve(request, { paths: [from] });
    } catch {
      continue;
    }
    if (require.cache[filename] === undefined) require.cache[filename] = deferred(filename);
  }
}
