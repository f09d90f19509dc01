import { extractImages } from '../../src/dockerfile/extract.js';
import type { ImageUse } from '../../src/dockerfile/types.js';
import { applyUpdates, writableUpdates } from '../../src/plan/apply.js';
import type { PlannedUpdate, RepoFile } from '../../src/plan/types.js';
import { AMD64, digest, index } from './fixtures.js';

const D1 = digest('1');
const D2 = digest('2');

function update(
  file: string,
  use: ImageUse,
  to: { tag?: string | null; digest?: string | null },
): PlannedUpdate {
  const target = index('9');
  return {
    file,
    line: use.line,
    image: use.written,
    imageName: `${use.registry}/${use.repository}`,
    from: { tag: use.tag, digest: use.digest },
    to: {
      tag: to.tag === undefined ? use.tag : to.tag,
      digest: to.digest === undefined ? use.digest : to.digest,
    },
    kind: 'digest',
    use,
    target,
    current: null,
    platforms: [AMD64],
    firstSeen: null,
  };
}

const file = (path: string, content: string): RepoFile => ({ path, content });
const usesOf = (f: RepoFile) => extractImages(f.path, f.content).images;

describe('applyUpdates', () => {
  test('writes each file once with all its updates, and leaves other files out', () => {
    const a = file('a/Dockerfile', 'FROM python:3.12\nFROM node:20\n');
    const b = file('b/Dockerfile', 'FROM alpine:3\n');
    const [python, node] = usesOf(a);
    const updates = [
      update(a.path, python!, { digest: D1 }),
      update(a.path, node!, { tag: '22', digest: D2 }),
    ];
    expect(applyUpdates([a, b], updates)).toEqual([
      { path: 'a/Dockerfile', content: `FROM python:3.12@${D1}\nFROM node:22@${D2}\n` },
    ]);
  });

  test('a tag kept or cleared is not written; a digest the same as now is not written', () => {
    const a = file('Dockerfile', `FROM python:3.12@${D1}\n`);
    const [python] = usesOf(a);
    expect(applyUpdates([a], [update(a.path, python!, { tag: null, digest: D2 })])).toEqual([
      { path: 'Dockerfile', content: `FROM python:3.12@${D2}\n` },
    ]);
    // Nothing changes: no file.
    expect(applyUpdates([a], [update(a.path, python!, {})])).toEqual([]);
  });
});

describe('writableUpdates', () => {
  test('keeps every update of a file that can be written together', () => {
    const a = file('Dockerfile', 'FROM python:3.12\nFROM node:20\n');
    const updates = usesOf(a).map((use) => update(a.path, use, { digest: D1 }));
    expect(writableUpdates([a], updates)).toEqual({ updates, errors: [] });
  });

  test('one unwritable update does not hold back the others, and says why', () => {
    const a = file('Dockerfile', 'ARG V=20\nFROM node:${V}-alpine\nFROM python:3.12\n');
    const b = file('other/Dockerfile', 'FROM alpine:3\n');
    const [node, python] = usesOf(a);
    const [alpine] = usesOf(b);
    const good = update(a.path, python!, { digest: D1 });
    const bad = update(a.path, node!, { digest: D2 }); // its tag comes from an ARG: no digest there
    const other = update(b.path, alpine!, { digest: D2 });
    expect(writableUpdates([a, b], [bad, good, other])).toEqual({
      updates: [good, other],
      errors: [
        {
          file: 'Dockerfile',
          line: 2,
          image: 'node:20-alpine',
          error: 'line 2: cannot change the digest of node:20-alpine: its tag comes from ARG V',
        },
      ],
    });
  });
});
