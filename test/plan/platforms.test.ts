// Platforms a reference is built for: candidates lacking one are passed over (issue 7 item 3), and
// digests that change none of them are not proposed.
import type { RepoConfig } from '../../src/config/types.js';
import { planUpdates, type FileUse } from '../../src/plan/plan.js';
import type { Platform } from '../../src/registry/types.js';
import {
  AMD64,
  answerAll,
  ARM64,
  at,
  config,
  digest,
  index,
  PLAN_NOW,
  type FakeRegistry,
} from './fixtures.js';

const IMG = 'docker.io/library/img';
const S390X: Platform = { os: 'linux', architecture: 's390x' };

function built(platform: string | null, written: string, line = 1): FileUse {
  const entry = at('Dockerfile', written, line);
  return { ...entry, use: { ...entry.use, platform } };
}

function plan(entry: FileUse, cfg: RepoConfig, registry: FakeRegistry) {
  const { answers } = answerAll([entry], cfg, registry);
  return planUpdates({ uses: [entry], answers, config: cfg, now: PLAN_NOW });
}

describe('a candidate tag must provide every platform the reference is built for', () => {
  const registry: FakeRegistry = {
    manifests: {
      [`${IMG}:1.0.0`]: index('0'),
      [`${IMG}:1.0.1`]: index('1', { platforms: [AMD64] }),
      [`${IMG}:1.0.2`]: index('2'),
      [`${IMG}:1.0.3`]: index('3', { platforms: [AMD64] }),
    },
    tags: { [IMG]: ['1.0.0', '1.0.1'] },
  };

  it('never moves FROM --platform=linux/arm64 img:1.0.0 to a 1.0.1 without linux/arm64, and says why', () => {
    const { updates, errors, held } = plan(built('linux/arm64', 'img:1.0.0'), config(), registry);
    // Still pinned on the tag it has, which does provide arm64.
    expect(updates.map(({ kind, to }) => ({ kind, to }))).toEqual([
      { kind: 'pin', to: { tag: '1.0.0', digest: digest('0') } },
    ]);
    expect(errors).toEqual([]);
    expect(held).toEqual([
      expect.objectContaining({
        line: 1,
        image: 'img',
        to: { tag: '1.0.1', digest: null },
        reason: '1.0.1 has no linux/arm64 image',
      }),
    ]);
  });

  it('moves it when the new tag has linux/arm64', () => {
    const { updates } = plan(built('linux/arm64', 'img:1.0.0'), config({ pin: false }), {
      ...registry,
      tags: { [IMG]: ['1.0.0', '1.0.2'] },
    });
    expect(updates.map((u) => u.to)).toEqual([{ tag: '1.0.2', digest: null }]);
  });

  it('proposes an older candidate that qualifies, reporting the newer one passed over', () => {
    const { updates, held } = plan(built(null, 'img:1.0.0'), config(), {
      ...registry,
      tags: { [IMG]: ['1.0.0', '1.0.1', '1.0.2', '1.0.3'] },
    });
    expect(updates.map((u) => u.to)).toEqual([{ tag: '1.0.2', digest: digest('2') }]);
    // Without --platform, every platform of the current index (1.0.0: amd64 and arm64) is required.
    expect(held.map((h) => h.reason)).toEqual(['1.0.3 has no linux/arm64/v8 image']);
  });

  it('requires only the configured platforms when there is no literal --platform', () => {
    const cfg = config({ rules: [{ images: ['img'], platforms: ['linux/amd64'] }] });
    const { updates, held } = plan(built('$BUILDPLATFORM', 'img:1.0.0'), cfg, {
      ...registry,
      tags: { [IMG]: ['1.0.0', '1.0.3'] },
    });
    expect(updates.map((u) => u.to)).toEqual([{ tag: '1.0.3', digest: digest('3') }]);
    expect(held).toEqual([]);
  });

  it('holds a pinned digest refresh whose new index lacks a built platform', () => {
    const pinned: FakeRegistry = {
      manifests: {
        [`${IMG}@${digest('0')}`]: index('0'),
        [`${IMG}:1.0`]: index('9', { platforms: [AMD64] }),
      },
    };
    const { updates, held } = plan(built(null, `img:1.0@${digest('0')}`), config(), pinned);
    expect(updates).toEqual([]);
    expect(held.map((h) => h.reason)).toEqual(['1.0 has no linux/arm64/v8 image']);
  });
});

describe('a new digest that changes none of the built platforms is not proposed', () => {
  const before = index('0', {
    platforms: [AMD64, ARM64, S390X],
    images: [
      { platform: AMD64, digest: digest('a'), attestation: null },
      { platform: ARM64, digest: digest('b'), attestation: null },
      { platform: S390X, digest: digest('c'), attestation: null },
    ],
  });
  const onlyS390xChanged = index('1', {
    platforms: [AMD64, ARM64, S390X],
    images: [
      { platform: AMD64, digest: digest('a'), attestation: null },
      { platform: ARM64, digest: digest('b'), attestation: null },
      { platform: S390X, digest: digest('d'), attestation: null },
    ],
  });
  const registry = (latest = onlyS390xChanged): FakeRegistry => ({
    manifests: { [`${IMG}@${digest('0')}`]: before, [`${IMG}:1.0`]: latest },
  });
  const pinned = `img:1.0@${digest('0')}`;

  it('holds it as unchanged for the configured platforms', () => {
    const cfg = config({ platforms: ['linux/amd64', 'linux/arm64'] });
    const { updates, held } = plan(built(null, pinned), cfg, registry());
    expect(updates).toEqual([]);
    expect(held).toEqual([
      expect.objectContaining({
        to: { tag: '1.0', digest: digest('1') },
        reason:
          'unchanged for linux/amd64, linux/arm64: only other platforms or attestations were re-published',
      }),
    ]);
  });

  it('holds it for a literal --platform whose image did not change', () => {
    const { updates, held } = plan(built('linux/amd64', pinned), config(), registry());
    expect(updates).toEqual([]);
    expect(held.map((h) => h.reason)).toEqual([expect.stringContaining('unchanged for linux/amd64:')]);
  });

  it('proposes it when every platform of the current index counts and one of them changed', () => {
    const { updates } = plan(built(null, pinned), config(), registry());
    expect(updates.map((u) => u.to)).toEqual([{ tag: '1.0', digest: digest('1') }]);
  });

  it('holds a re-published index whose images are all the same (only attestations changed)', () => {
    const { updates, held } = plan(
      built(null, pinned),
      config(),
      registry(index('1', { ...before, digest: digest('1') })),
    );
    expect(updates).toEqual([]);
    expect(held.map((h) => h.reason)).toEqual([
      expect.stringContaining('unchanged for linux/amd64, linux/arm64/v8, linux/s390x'),
    ]);
  });
});
