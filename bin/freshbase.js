#!/usr/bin/env node
// Thin launcher: the command is compiled to dist/ by `npm ci` (prepare → build).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`freshbase: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
