import { compareImages, diffPackages, summarizeChanges } from '../../src/attestations/diff.js';
import type { ImageAttestations } from '../../src/attestations/types.js';

const pkgs = (text: string) =>
  text
    .split(' ')
    .filter(Boolean)
    .map((item) => {
      const [name = '', version = ''] = item.split('=');
      return { name, version };
    });

describe('diffPackages', () => {
  it('lists version changes, additions and removals, sorted by name', () => {
    expect(
      diffPackages(
        pkgs('zlib=1.2 openssl=3.0.11 curl=8.0 gone=1'),
        pkgs('openssl=3.0.13 zlib=1.2 curl=8.1 new=2'),
      ),
    ).toEqual({
      changed: [
        { name: 'curl', from: '8.0', to: '8.1' },
        { name: 'openssl', from: '3.0.11', to: '3.0.13' },
      ],
      added: [{ name: 'new', version: '2' }],
      removed: [{ name: 'gone', version: '1' }],
    });
  });

  it('compares every version of a package listed twice, in any order', () => {
    expect(diffPackages(pkgs('py=3.11 py=3.12'), pkgs('py=3.12 py=3.11')).changed).toEqual([]);
    expect(diffPackages(pkgs('py=3.11 py=3.12'), pkgs('py=3.12')).changed).toEqual([
      { name: 'py', from: '3.11, 3.12', to: '3.12' },
    ]);
  });
});

describe('compareImages', () => {
  const side = (packages: string | null, revision: string | null = null): ImageAttestations => ({
    packages: packages === null ? null : pkgs(packages),
    revision,
  });

  it('gives one diff when every platform changed alike, and whether the source changed', () => {
    const changes = compareImages([
      { platform: 'linux/amd64', before: side('ssl=1', 'r1'), after: side('ssl=2', 'r1') },
      { platform: 'linux/arm64', before: side('ssl=1', 'r1'), after: side('ssl=2', 'r1') },
    ]);
    expect(changes).toEqual({
      platforms: ['linux/amd64', 'linux/arm64'],
      packages: { changed: [{ name: 'ssl', from: '1', to: '2' }], added: [], removed: [] },
      sourceChanged: false,
      byPlatform: [],
    });
  });

  it('keeps per-platform diffs when the platforms differ, and the union once', () => {
    const changes = compareImages([
      { platform: 'linux/amd64', before: side('ssl=1 a=1'), after: side('ssl=2 a=1', 'r2') },
      { platform: 'linux/arm64', before: side('ssl=1 a=1'), after: side('ssl=2 a=2') },
    ])!;
    expect(changes.packages.changed.map((c) => c.name)).toEqual(['a', 'ssl']);
    expect(changes.byPlatform.map((p) => [p.platform, p.packages.changed.length])).toEqual([
      ['linux/amd64', 1],
      ['linux/arm64', 2],
    ]);
    expect(changes.sourceChanged).toBeNull();
  });

  it('says the source changed when a platform names another revision', () => {
    const changes = compareImages([
      { platform: 'linux/amd64', before: side('', 'r1'), after: side('', 'r2') },
    ]);
    expect(changes?.sourceChanged).toBe(true);
  });

  it('is null when no platform has an SBOM on both sides', () => {
    expect(compareImages([{ platform: 'linux/amd64', before: side(null), after: side('a=1') }])).toBeNull();
    expect(compareImages([])).toBeNull();
  });
});

describe('summarizeChanges', () => {
  it('names the first changes and counts the rest', () => {
    const changes = compareImages([
      {
        platform: 'linux/amd64',
        before: { packages: pkgs('openssl=3.0.11-1 libc6=2.36-9 zlib=1 old=1'), revision: 'a' },
        after: { packages: pkgs('openssl=3.0.13-1 libc6=2.36-9+deb12u4 zlib=2 fresh=1'), revision: 'a' },
      },
    ])!;
    expect(summarizeChanges(changes)).toBe(
      '3 packages changed: libc6 2.36-9 → 2.36-9+deb12u4, openssl 3.0.11-1 → 3.0.13-1, …; 1 added; 1 removed; same source rebuilt',
    );
  });
});
