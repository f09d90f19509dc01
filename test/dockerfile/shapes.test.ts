// Golden tests over the project's own fixture Dockerfiles, one per shape real Dockerfiles take
// (fixtures/dockerfile/shapes). Regenerate the reviewed snapshot with UPDATE_GOLDEN=1, then
// review its diff by eye.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { extractImages } from '../../src/dockerfile/extract.js';
import { checkInvariants, describeResult, readDockerfiles } from '../support/extraction-invariants.js';

const shapesDir = path.resolve(process.cwd(), 'fixtures/dockerfile/shapes');
const goldenPath = path.resolve(process.cwd(), 'fixtures/dockerfile/shapes-golden.json');
const { files, unreadable } = readDockerfiles(shapesDir);

test('every fixture is read as Dockerfile text', () => {
  expect(unreadable).toEqual([]);
  expect(files.map((f) => f.name)).toEqual(
    expect.arrayContaining(['bom-crlf.Dockerfile', 'escape-windows.Dockerfile', 'syntax-heredoc.Dockerfile']),
  );
});

test('every fixture matches the reviewed golden snapshot', () => {
  const actual = Object.fromEntries(
    files.map(({ name, text }) => [name, describeResult(extractImages(name, text))]),
  );
  if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath, `${JSON.stringify(actual, null, 1)}\n`);
  expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, 'utf8')));
});

test.each(files.map((f) => [f.name, f]))('%s: extraction and rewriting invariants hold', (_name, file) => {
  expect(checkInvariants(file)).toEqual([]);
});
