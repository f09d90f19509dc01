import fc from 'fast-check';

import {
  parseTagVersion,
  possibleKinds,
  rankUpdates,
  updateKind,
  versionNumbersSpan,
} from '../../src/image/versioning.js';

describe('updateKind', () => {
  it.each([
    ['3.12.1-slim-bookworm', '3.12.10-slim-bookworm', 'patch'],
    ['3.12.1-slim-bookworm', '3.12.2-slim-trixie', null],
    ['3.12.1-slim-bookworm', '3.12-slim-bookworm', null],
    ['3.12.1-slim-bookworm', '3.13.0rc1-slim-bookworm', null],
    ['1.25', '1.26', 'minor'],
    ['1.25', '1.25.4', null],
    ['v1.2.3', 'v1.2.4', 'patch'],
    ['v1.2.3', '1.2.5', null],
    ['20-alpine3.19', '21-alpine3.19', 'major'],
    ['20', '21', 'major'],
    ['1.25', '2.0', 'major'],
    ['3.12.1', '3.13.0', 'minor'],
    ['3.12.1', '4.0.0', 'major'],
    ['1.2.3.4', '1.2.3.5', 'patch'],
    ['3.12.1', '3.12.1', null],
    ['3.12.2', '3.12.1', null],
    ['3.12.1', '3.12.2-rc.1', null],
    ['3.12.1', '3.12.2-rc1', null],
    ['3.12.1', '3.12.2-beta', null],
    ['3.12.1', '3.12.2-alpha.2', null],
    ['3.12', '3.13a1', null],
    ['3.12', '3.13b1', null],
    ['3.13.0rc1', '3.13.0', null],
    ['latest', '3.12.1', null],
    ['bookworm', 'trixie', null],
    ['nonroot', 'latest', null],
    ['3.12.1', 'latest', null],
    // Another precision is another line, even when its numbers are higher.
    ['3.12.1', '3.13', null],
    ['1.25', '1.26.0', null],
  ])('%s → %s is %s', (current, candidate, kind) => {
    expect(updateKind(current, candidate)).toBe(kind);
  });

  it('is never an update in both directions', () => {
    const tag = fc
      .tuple(
        fc.constantFrom('', 'v'),
        fc.array(fc.nat(30), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '-slim', '-rc1'),
      )
      .map(([prefix, numbers, suffix]) => `${prefix}${numbers.join('.')}${suffix}`);
    fc.assert(fc.property(tag, tag, (a, b) => !(updateKind(a, b) && updateKind(b, a))));
  });
});

describe('parseTagVersion', () => {
  it('splits prefix, numbers and suffix', () => {
    expect(parseTagVersion('v1.2.3-slim')).toEqual({
      prefix: 'v',
      numbers: [1, 2, 3],
      suffix: '-slim',
      prerelease: false,
    });
    expect(parseTagVersion('3.13.0rc1-slim-bookworm')).toMatchObject({
      suffix: '-slim-bookworm',
      prerelease: true,
    });
  });

  it.each([
    'latest',
    'bookworm',
    'nonroot',
    'alpine3.19',
    '1.2.3.windows',
    '1.2x',
    '',
    'v',
    '99999999999999999999',
    '1.99999999999999999999',
    '3.13.0rc1x',
  ])('%j is not a version', (tag) => {
    expect(parseTagVersion(tag)).toBeNull();
  });

  it('reads a prerelease written right after the numbers, with or without a variant', () => {
    expect(parseTagVersion('3.13.0rc1')).toEqual({
      prefix: '',
      numbers: [3, 13, 0],
      suffix: '',
      prerelease: true,
    });
  });

  it('keeps variants that only look like prerelease words', () => {
    expect(parseTagVersion('20-alpine')?.prerelease).toBe(false);
    expect(parseTagVersion('1.2-bullseye')?.prerelease).toBe(false);
  });
});

describe('versionNumbersSpan', () => {
  it('is where the numbers stand, after a `v` and before a variant', () => {
    expect(versionNumbersSpan('v1.2.3-alpine')).toEqual({ start: 1, end: 6 });
    expect(versionNumbersSpan('3.12')).toEqual({ start: 0, end: 4 });
    expect(versionNumbersSpan('latest')).toBeNull();
  });
});

describe('possibleKinds', () => {
  it('follows the precision of the tag', () => {
    expect(possibleKinds('20')).toEqual(['major']);
    expect(possibleKinds('1.25')).toEqual(['minor', 'major']);
    expect(possibleKinds('3.12.1-slim')).toEqual(['patch', 'minor', 'major']);
    expect(possibleKinds('latest')).toEqual([]);
    expect(possibleKinds('3.13.0rc1')).toEqual([]);
  });
});

/** The best candidate, as the plan tries it first. */
const pickUpdate = (...args: Parameters<typeof rankUpdates>) => rankUpdates(...args)[0] ?? null;

describe('rankUpdates', () => {
  const candidates = [
    '3.12.1',
    '3.12.2',
    '3.12.10',
    '3.13.0',
    '3.13.4',
    '4.0.0',
    '4.1.0rc1',
    'latest',
    '3.12',
  ];

  it('chooses the highest version whose kind is allowed', () => {
    expect(pickUpdate('3.12.1', candidates, ['patch'])).toEqual({ tag: '3.12.10', kind: 'patch' });
    expect(pickUpdate('3.12.1', candidates, ['patch', 'minor'])).toEqual({ tag: '3.13.4', kind: 'minor' });
    expect(pickUpdate('3.12.1', candidates, ['digest', 'patch', 'minor', 'major'])).toEqual({
      tag: '4.0.0',
      kind: 'major',
    });
  });

  it('treats kinds as exact: minor alone does not offer a patch bump', () => {
    expect(pickUpdate('3.13.0', ['3.13.4'], ['minor'])).toBeNull();
  });

  it('gives floating tags nothing', () => {
    expect(pickUpdate('latest', candidates, ['patch', 'minor', 'major'])).toBeNull();
    expect(pickUpdate('3.12', candidates, ['patch'])).toBeNull();
    expect(pickUpdate('20', ['20.1', '21'], ['patch', 'minor'])).toBeNull();
  });

  it('ranks every allowed candidate, newest first, for the plan to fall back on', () => {
    expect(rankUpdates('3.12.1', candidates, ['patch', 'minor']).map((u) => u.tag)).toEqual([
      '3.13.4',
      '3.13.0',
      '3.12.10',
      '3.12.2',
    ]);
  });

  it('is deterministic for equal versions written differently', () => {
    expect(pickUpdate('1.1', ['1.02', '1.2'], ['minor'])).toEqual({ tag: '1.02', kind: 'minor' });
    expect(pickUpdate('1.1', ['1.2', '1.02'], ['minor'])).toEqual({ tag: '1.02', kind: 'minor' });
  });
});
