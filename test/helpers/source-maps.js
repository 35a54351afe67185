// Loaded first by mocha for the compiled tests (.mocharc.dist.json "require"), in the main process
// and in every parallel worker: Node maps the stacks of dist/**/*.js through the .js.map files tsc
// writes, so errors and logged stacks name TypeScript lines, as they do under ts-node. Measured on
// the whole suite: about 1 s of CPU in 154 s, because the hot path (the Pulumi SDK's per-promise
// stacks) captures no frames in the tests (test/helpers/mocks.ts). A stack is formatted in the
// worker that made it, so a failure reaches the reporter already mapped
// (test/helpers/source-maps.test.ts).
"use strict";
process.setSourceMapsEnabled(true);
