#!/usr/bin/env -S node --max-old-space-size=1024 --max-semi-space-size=4
// Thin launcher: the command is compiled to dist/ by `npm ci` (prepare → build).
// V8's heap flags (the same in package.json's `start` and the Dockerfile's NODE_OPTIONS; see the
// README's "Memory"): V8 lets its old generation grow to up to 4× the live heap when its limit is
// 2 GB or more (the default on a host with 4 GB or more), and to about 1.6× under a 1 GB limit; a
// sweep's live heap is at most ~50 MB at 10,000 repositories, so the limit is ~20× what it needs.
// Smaller semi-spaces (4 MB, not 16) keep the young generation at ~12 MB instead of ~34 MB.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`freshbase: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
