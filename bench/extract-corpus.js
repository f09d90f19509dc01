// Extraction figures and speed on the shared corpus. Run after `npm run build`:
//   node bench/extract-corpus.js [corpus-dir]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractImages } from '../dist/dockerfile/extract.js';

const dir = process.argv[2] ?? path.resolve(process.cwd(), '../shared/corpus/files');
const files = readdirSync(dir)
  .filter((name) => name.endsWith('Dockerfile'))
  .map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]);

const images = { reference: 0, 'tag-only': 0, unsupported: 0 };
const sources = {};
const skips = {};
for (const [name, text] of files) {
  const result = extractImages(name, text);
  for (const use of result.images) {
    images[use.edit.unsupported ? 'unsupported' : use.edit.kind]++;
    sources[use.source] = (sources[use.source] ?? 0) + 1;
  }
  for (const skip of result.skipped) skips[skip.reason] = (skips[skip.reason] ?? 0) + 1;
}

const rounds = 20;
const started = process.hrtime.bigint();
for (let round = 0; round < rounds; round++) for (const [name, text] of files) extractImages(name, text);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;

console.log(JSON.stringify({ files: files.length, images, sources, skips }, null, 2));
console.log(`${Math.round((files.length * rounds) / seconds)} files/s (${rounds} rounds)`);
