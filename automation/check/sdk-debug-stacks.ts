/**
 * The SDK wraps every internal promise (one or more per resource input, output and RPC) in
 * `debuggablePromise`, which reads `new Error().stack` eagerly and keeps the text on the promise.
 * That text is read only to print leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set, yet a
 * user's program runs with full stack traces (so that its own failures can be located), and
 * capturing and formatting those stacks was about a third of the CPU of synthesizing a program of
 * 300 resources (about 4.5 ms per resource).
 *
 * `skipUnreadPromiseStacks` wraps the SDK's function so that it captures no stack frames, unless
 * PULUMI_DEBUG_PROMISE_LEAKS asks for them. Nothing else changes: the promise is tracked for the
 * leak check as before, and the program's own errors (thrown or rejected later, outside this
 * synchronous call) keep their stacks.
 */

interface DebuggableModule {
  debugPromiseLeaks: boolean;
  debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
}

let wrapped = false;

/** Makes the SDK's per-promise debug stacks free, once per process (a no-op when debugging leaks). */
export function skipUnreadPromiseStacks(): void {
  if (wrapped) return;
  wrapped = true;
  // Internal to the SDK (its .d.ts leaves it out); every caller in the SDK reads the function
  // from this module's exports at call time, so replacing the export reaches all of them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
  const original = debuggable.debuggablePromise;
  if (debuggable.debugPromiseLeaks || typeof original !== "function") return;
  debuggable.debuggablePromise = function debuggablePromise<T>(p: Promise<T>, ctx: unknown) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
