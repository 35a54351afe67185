// The spec reporter, plus one plain closing line ("N passed, N failed, N skipped") that tools
// reading test logs understand without knowing mocha. A failure's stack frames in the compiled
// tests and sources (dist/, as `npm test` runs them) are printed at their TypeScript lines.
"use strict";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- mocha loads reporters as CommonJS
const Mocha = require("mocha");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
const { sourceMappedStack } = require("./helpers/source-stack");

const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // After the base reporter has kept the error for the closing list of failures, which prints
    // err.stack: only failed tests' stacks are mapped, once each.
    runner.on(EVENT_TEST_FAIL, (_test, err) => {
      if (err && typeof err.stack === "string") err.stack = sourceMappedStack(err.stack);
    });
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || this.stats;
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}

module.exports = SpecWithSummary;
