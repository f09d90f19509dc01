import fc from 'fast-check';
import { extractImages } from '../../src/dockerfile/extract.js';
import { rewrite, RewriteError } from '../../src/dockerfile/rewrite.js';
import { joinReference, splitReference } from '../../src/image/reference.js';
import type { ImageEdit } from '../../src/dockerfile/types.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const uses = (text: string) => extractImages('Dockerfile', text).images;

describe('rewrite', () => {
  test('pins a digest, keeping every other byte (CRLF, comments, case, spacing, BOM)', () => {
    const text =
      '\uFEFF# c\r\nfrom  --platform=x  docker.io/Library/x:1 AS a\r\nFROM  python:3.12-slim   as b # tail\r\n';
    const [python] = uses(text); // `Library` is invalid (uppercase) and skipped
    expect(rewrite(text, [{ use: python!, digest: D1 }])).toBe(
      `\uFEFF# c\r\nfrom  --platform=x  docker.io/Library/x:1 AS a\r\nFROM  python:3.12-slim@${D1}   as b # tail\r\n`,
    );
  });

  test('replaces tag and digest, keeping the written name', () => {
    const text = `FROM index.docker.io/library/node:18@${D1}\n`;
    expect(rewrite(text, [{ use: uses(text)[0]!, tag: '20', digest: D2 }])).toBe(
      `FROM index.docker.io/library/node:20@${D2}\n`,
    );
    expect(rewrite(text, [{ use: uses(text)[0]!, digest: null }])).toBe(
      'FROM index.docker.io/library/node:18\n',
    );
  });

  test('edits a quoted ARG value shared by two uses once', () => {
    const text = 'ARG BASE="python:3.12"\nFROM ${BASE} AS a\nFROM $BASE\n';
    const edits = uses(text).map((use) => ({ use, digest: D1 }));
    expect(rewrite(text, edits)).toBe(`ARG BASE="python:3.12@${D1}"\nFROM \${BASE} AS a\nFROM $BASE\n`);
  });

  test('tag-only edits write the ARG value and keep the literal rest of the tag', () => {
    const text = 'ARG V=20\nFROM node:${V}-alpine\n';
    const [use] = uses(text);
    expect(rewrite(text, [{ use: use!, tag: '22-alpine' }])).toBe('ARG V=22\nFROM node:${V}-alpine\n');
    expect(() => rewrite(text, [{ use: use!, tag: '22-bookworm' }])).toThrow(/must have the form "…-alpine"/);
    expect(() => rewrite(text, [{ use: use!, digest: D1 }])).toThrow(RewriteError);
  });

  test('refuses an edit that would also change another use of the same ARG', () => {
    const text = 'ARG V=20\nFROM node:${V}-alpine\nFROM node:${V}-bookworm\n';
    const [alpine, bookworm] = uses(text);
    expect(() => rewrite(text, [{ use: alpine!, tag: '22-alpine' }])).toThrow(/shares ARG V/);
    expect(
      rewrite(text, [
        { use: alpine!, tag: '22-alpine' },
        { use: bookworm!, tag: '22-bookworm' },
      ]),
    ).toBe('ARG V=22\nFROM node:${V}-alpine\nFROM node:${V}-bookworm\n');
    expect(() =>
      rewrite(text, [
        { use: alpine!, tag: '22-alpine' },
        { use: bookworm!, tag: '24-bookworm' },
      ]),
    ).toThrow(/ARG V would have to be both "22" \(for line 2\) and "24"/);
  });

  test('refuses invalid values, unsupported uses, stale uses and overlapping edits', () => {
    const text = 'ARG A=1\nARG B=2\nFROM x:${A}.${B}\nFROM python:3\n';
    const [twoVars, python] = uses(text);
    expect(() => rewrite(text, [{ use: twoVars!, tag: '2.3' }])).toThrow(/several variables/);
    expect(() => rewrite(text, [{ use: python!, tag: 'bad tag' }])).toThrow(/invalid tag/);
    expect(() => rewrite(text, [{ use: python!, digest: 'sha256:xyz' }])).toThrow(/invalid digest/);
    expect(() => rewrite('FROM python:4\n', [{ use: python!, tag: '5' }])).toThrow(RewriteError);
    const overlapping: ImageEdit = {
      use: { ...python!, edit: { ...python!.edit, range: { start: 0, end: 40 } } },
      tag: '4',
    };
    expect(() => rewrite(text, [{ use: python!, tag: '4' }, overlapping])).toThrow(RewriteError);
  });
});

describe('rewrite refuses what it cannot do exactly, with a message that says why', () => {
  const text = 'FROM python:3\n';
  const [python] = uses(text);

  test('edits given in any order', () => {
    const two = 'FROM a:1\nFROM b:1\n';
    const [a, b] = uses(two);
    expect(
      rewrite(two, [
        { use: b!, tag: '2' },
        { use: a!, tag: '3' },
      ]),
    ).toBe('FROM a:3\nFROM b:2\n');
  });

  test('a use read from another text', () => {
    expect(() => rewrite('FROM p\n', [{ use: python!, tag: '4' }])).toThrow(
      new RewriteError('the edit lies outside this text', python!),
    );
    expect(() => rewrite('FROM pythoX:3\n', [{ use: python!, tag: '4' }])).toThrow(
      'line 1: expected "python:3" but found "pythoX:3"',
    );
    for (const stranger of [
      { ...python!, column: 9 },
      { ...python!, source: 'copy-from' as const },
    ]) {
      expect(() => rewrite(text, [{ use: stranger, tag: '4' }])).toThrow(
        'line 1: python:3 is not an image use of this text',
      );
    }
    // The same text at another place on the same line is not this use.
    const platform = 'FROM --platform=python:3 python:3\n';
    const [real] = uses(platform);
    const elsewhere = { ...real!, edit: { ...real!.edit, range: { start: 16, end: 24 } } };
    expect(() => rewrite(platform, [{ use: elsewhere, digest: D1 }])).toThrow(
      'line 1: python:3 is not an image use of this text',
    );
  });

  test('overlapping edits', () => {
    const start = python!.edit.range.start;
    const inside = {
      ...python!,
      written: 'thon:3',
      edit: { ...python!.edit, range: { start: start + 2, end: start + 8 } },
    };
    expect(() =>
      rewrite(text, [
        { use: python!, tag: '4' },
        { use: inside, tag: '5' },
      ]),
    ).toThrow('line 1: the edit overlaps the edit for line 1');
    const sameStart = {
      ...python!,
      written: 'python',
      edit: { ...python!.edit, range: { start, end: start + 6 } },
    };
    expect(() =>
      rewrite(text, [
        { use: python!, tag: '4' },
        { use: sameStart, tag: '5' },
      ]),
    ).toThrow('line 1: the edit overlaps the edit for line 1');
  });

  test('a digest edit keeps the tag, a tag edit keeps the digest', () => {
    const pinned = `FROM node:18@${D1}\n`;
    const [node] = uses(pinned);
    expect(rewrite(pinned, [{ use: node!, tag: '20' }])).toBe(`FROM node:20@${D1}\n`);
    expect(rewrite(pinned, [{ use: node!, digest: D2 }])).toBe(`FROM node:18@${D2}\n`);
  });

  test('a tag that comes from an ARG: affixes kept, no digest, nothing to do without a tag', () => {
    const alpine = 'ARG V=20\nFROM node:v${V}-alpine\n';
    const [use] = uses(alpine);
    expect(rewrite(alpine, [{ use: use! }])).toBe(alpine);
    expect(rewrite(alpine, [{ use: use!, tag: 'v22-alpine', digest: null }])).toBe(
      'ARG V=22\nFROM node:v${V}-alpine\n',
    );
    expect(() => rewrite(alpine, [{ use: use!, digest: D1 }])).toThrow(
      'line 2: cannot change the digest of node:v20-alpine: its tag comes from ARG V',
    );
    const form = 'line 2: tag "%s" must have the form "v…-alpine": only "20" in ARG V can change';
    for (const tag of ['22-alpinev', 'v-alpine', 'v22-bookworm']) {
      expect(() => rewrite(alpine, [{ use: use!, tag }])).toThrow(form.replace('%s', tag));
    }
    // Prefix and suffix overlap in the new tag: nothing is left for the ARG.
    const twice = 'ARG V=20\nFROM x:v${V}v\n';
    expect(() => rewrite(twice, [{ use: uses(twice)[0]!, tag: 'v' }])).toThrow(/must have the form "v…v"/);
  });
});

describe('properties', () => {
  const fragments = fc.constantFrom(
    'FROM ',
    'from ',
    'AS ',
    ' ',
    '\t',
    '\n',
    '\r\n',
    '\\\n',
    '`\n',
    '# escape=`\n',
    '# syntax=a/b:1\n',
    'ARG ',
    'A=',
    'B',
    '=',
    '$',
    '${',
    '}',
    ':-',
    ':+',
    '"',
    "'",
    'python',
    ':3.12',
    '@sha256:',
    '1'.repeat(64),
    'COPY --from=',
    'RUN --mount=type=bind,from=',
    ',',
    '<<EOF',
    'EOF',
    'scratch',
    'x',
    '/',
    '.',
    'ghcr.io',
    'FROM python:3.12 AS base\n',
    'ARG BASE="node:20"\n',
    'FROM ${BASE}\n',
    'COPY --from=nginx /a /b\n',
    '\uFEFF',
    '\u00e9',
    '\ud83d\ude00',
  );
  const dockerfileLike = fc
    .array(fc.oneof(fragments, fc.string({ maxLength: 4 })), { maxLength: 60 })
    .map((parts) => parts.join(''));

  test('extraction never throws and ranges lie inside the text', () => {
    fc.assert(
      fc.property(dockerfileLike, (text) => {
        for (const use of extractImages('f', text).images) {
          expect(use.edit.range.start).toBeGreaterThanOrEqual(0);
          expect(use.edit.range.end).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('rewriting changes no byte outside the edited ranges', () => {
    fc.assert(
      fc.property(dockerfileLike, fc.boolean(), (text, withTag) => {
        const editable = extractImages('f', text).images.filter((u) => u.edit.kind === 'reference');
        const edits = editable.map((use) => ({ use, digest: D1, ...(withTag ? { tag: 'v9' } : {}) }));
        let result: string;
        try {
          result = rewrite(text, edits);
        } catch (error) {
          expect(error).toBeInstanceOf(RewriteError);
          return;
        }
        // Splice the wanted references into the original text at the edit ranges only.
        const byRange = new Map(edits.map((e) => [e.use.edit.range.start, e]));
        let expected = text;
        for (const { use } of [...byRange.values()].sort(
          (a, b) => b.use.edit.range.start - a.use.edit.range.start,
        )) {
          const { start, end } = use.edit.range;
          const name = splitReference(text.slice(start, end)).name;
          const wanted = joinReference({ name, tag: withTag ? 'v9' : use.tag, digest: D1 });
          expected = expected.slice(0, start) + wanted + expected.slice(end);
        }
        expect(result).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
