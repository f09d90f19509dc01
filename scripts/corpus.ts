// `npm run corpus -- <dir>`: checks that every Dockerfile in a folder (e.g. a collection of
// real-world files) is extracted without a crash and that rewriting keeps the invariants of
// test/support/extraction-invariants.ts. Prints a summary; exits 1 when a file breaks one.
// Not part of `npm test`: the folder is not in the repository.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { extractImages } from '../src/dockerfile/extract.js';
import { checkInvariants, readDockerfiles } from '../test/support/extraction-invariants.js';

const dirArg = process.argv[2];
if (!dirArg || !existsSync(dirArg) || !statSync(dirArg).isDirectory()) {
  console.error('usage: npm run corpus -- <folder of *.Dockerfile / Dockerfile.* / Containerfile files>');
  process.exit(2);
}
const dir = path.resolve(dirArg);
const { files, unreadable } = readDockerfiles(dir);
if (files.length === 0) {
  console.error(`no Dockerfiles in ${dir}`);
  process.exit(2);
}

const sources: Record<string, number> = {};
const skips: Record<string, number> = {};
let images = 0;
let broken = 0;
for (const file of files) {
  const result = extractImages(file.name, file.text);
  images += result.images.length;
  for (const use of result.images) sources[use.source] = (sources[use.source] ?? 0) + 1;
  for (const skip of result.skipped) skips[skip.reason] = (skips[skip.reason] ?? 0) + 1;
  const problems = checkInvariants(file);
  if (problems.length > 0) {
    broken++;
    for (const problem of problems) console.log(`${file.name}: ${problem}`);
  }
}
for (const problem of unreadable) console.log(`${problem} (reported as invalid, not a failure)`);
console.log(
  `${files.length} files, ${images} images`,
  { sources, skips },
  `${broken} file(s) breaking an invariant`,
);
process.exit(broken > 0 ? 1 : 0);
