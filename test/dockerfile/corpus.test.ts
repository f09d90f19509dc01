// Golden tests over the shared corpus of real-world Dockerfiles.
// Regenerate the reviewed snapshot with UPDATE_GOLDEN=1 (then review its diff by eye).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractImages } from '../../src/dockerfile/extract.js';
import { rewrite } from '../../src/dockerfile/rewrite.js';
import type { ExtractResult, ImageUse } from '../../src/dockerfile/types.js';

const corpusDir = path.resolve(process.cwd(), '../shared/corpus/files');
const goldenPath = path.resolve(process.cwd(), 'fixtures/dockerfile/corpus-golden.json');
const files = readdirSync(corpusDir)
  .filter((name) => name.endsWith('.Dockerfile'))
  .sort();
const texts = new Map(files.map((name) => [name, readFileSync(path.join(corpusDir, name), 'utf8')]));
const results = new Map(files.map((name) => [name, extractImages(name, texts.get(name)!)]));

/** One line per use: compact enough to review by eye. */
function describeUse(use: ImageUse): string {
  const edit = use.edit.unsupported
    ? `none (${use.edit.unsupported})`
    : `${use.edit.kind}${use.edit.viaArg ? ` via ${use.edit.viaArg}` : ''}`;
  const extras = [use.stage && `as ${use.stage}`, use.platform && `platform ${use.platform}`].filter(Boolean);
  const digest = use.digest ? `@${use.digest.slice(0, 19)}…` : '';
  return `${use.line}:${use.column} ${use.source} ${use.registry}/${use.repository}:${use.tag ?? '(none)'}${digest} ${extras.join(' ')} edit=${edit}`.replace(
    / +/g,
    ' ',
  );
}

function describe_(result: ExtractResult) {
  return {
    images: result.images.map(describeUse),
    skipped: result.skipped.map((s) => `${s.line} ${s.reason} ${s.written}`),
  };
}

const FAKE_DIGEST = `sha256:${'ab'.repeat(32)}`;

test('the corpus is there', () => {
  expect(files.length).toBeGreaterThanOrEqual(100);
});

test('every corpus file matches the reviewed golden snapshot', () => {
  const actual = Object.fromEntries(files.map((name) => [name, describe_(results.get(name)!)]));
  if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 1)}\n`);
  expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
});

test('rewriting with no edits reproduces every file byte for byte', () => {
  for (const name of files) expect(rewrite(texts.get(name)!, [])).toBe(texts.get(name));
});

test('pinning every reference-kind use to a digest yields the same images with that digest', () => {
  for (const name of files) {
    const before = results.get(name)!;
    const pinnable = before.images.filter((use) => use.edit.kind === 'reference');
    const after = extractImages(
      name,
      rewrite(
        texts.get(name)!,
        pinnable.map((use) => ({ use, digest: FAKE_DIGEST })),
      ),
    );
    expect(after.skipped).toEqual(before.skipped);
    expect(after.images.map((use) => [use.line, use.registry, use.repository, use.tag, use.digest])).toEqual(
      before.images.map((use) => [
        use.line,
        use.registry,
        use.repository,
        use.tag,
        use.edit.kind === 'reference' ? FAKE_DIGEST : use.digest,
      ]),
    );
  }
});
