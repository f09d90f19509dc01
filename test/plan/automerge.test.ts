// The automerge gates, table-tested: the update kinds the config lists, and the SBOM gate.
import type { ChangeReport } from '../../src/attestations/types.js';
import { automergeDecision, sbomGateProblem, upstreamVersion } from '../../src/plan/automerge.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import type { UpdateKind } from '../../src/image/update-kind.js';
import { config } from './fixtures.js';

const compared = (
  changed: Array<[string, string, string]>,
  extra: { added?: string[]; removed?: string[] } = {},
): ChangeReport => ({
  status: 'compared',
  changes: {
    platforms: ['linux/amd64'],
    packages: {
      changed: changed.map(([name, from, to]) => ({ name, from, to })),
      added: (extra.added ?? []).map((name) => ({ name, version: '1' })),
      removed: (extra.removed ?? []).map((name) => ({ name, version: '1' })),
    },
    sourceChanged: false,
    byPlatform: [],
  },
});

describe('upstreamVersion', () => {
  it.each([
    ['3.0.11-1~deb12u2', '3.0.11'],
    ['1:2.39.2-1.1', '1:2.39.2'],
    ['1.36.1-r5', '1.36.1'],
    ['20.11.1', '20.11.1'],
    ['-weird', '-weird'],
  ])('%s → %s', (version, upstream) => expect(upstreamVersion(version)).toBe(upstream));
});

describe('the SBOM gate', () => {
  it.each<[string, UpdateKind, ChangeReport | undefined, string | null]>([
    ['a pin changes nothing that is built', 'pin', undefined, null],
    [
      'only distribution revisions changed',
      'digest',
      compared([
        ['openssl', '3.0.11-1~deb12u1', '3.0.11-1~deb12u2'],
        ['busybox', '1.36.1-r5', '1.36.1-r6'],
      ]),
      null,
    ],
    ['nothing changed at all', 'digest', compared([]), null],
    [
      'an upstream version moved',
      'digest',
      compared([['openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1']]),
      'openssl changed its upstream version (3.0.11-1~deb12u2 → 3.0.13-1~deb12u1)',
    ],
    [
      'a package without a revision changed',
      'patch',
      compared([['node', '20.11.0', '20.11.1']]),
      'node changed its upstream version (20.11.0 → 20.11.1)',
    ],
    ['a package was added', 'digest', compared([], { added: ['curl'] }), 'packages were added'],
    ['a package was removed', 'digest', compared([], { removed: ['curl'] }), 'packages were removed'],
    ['no SBOM', 'digest', { status: 'no-sbom', reason: 'none published' }, 'the image publishes no SBOM'],
    [
      'an unreadable SBOM',
      'digest',
      { status: 'unreadable', error: 'too large' },
      'its SBOM could not be read',
    ],
    ['not compared', 'digest', undefined, 'what changed was not compared'],
  ])('%s', (_name, kind, changes, problem) => {
    expect(sbomGateProblem({ kind, changes })).toBe(problem);
  });
});

describe('automergeDecision', () => {
  const update = (image: string, kind: UpdateKind, changes?: ChangeReport) =>
    ({ image, imageName: `docker.io/library/${image}`, kind, changes }) as PlannedUpdate;
  const revisionOnly = compared([['libc6', '2.36-9+deb12u3', '2.36-9+deb12u4']]);
  const cfg = config({ automerge: ['pin', 'digest'], rules: [{ images: ['node'], automerge: [] }] });

  it.each<[string, PlannedUpdate[], unknown]>([
    [
      'every update allowed and through the gate',
      [update('python', 'pin'), update('python', 'digest', revisionOnly)],
      { enable: true },
    ],
    [
      'a kind not listed',
      [update('python', 'patch', revisionOnly)],
      { enable: false, reason: 'python: patch updates are not set to automerge' },
    ],
    [
      'a rule turns it off for its images',
      [update('python', 'pin'), update('node', 'pin')],
      { enable: false, reason: 'node: pin updates are not set to automerge' },
    ],
    [
      'one update fails the SBOM gate',
      [update('python', 'digest', { status: 'no-sbom', reason: 'x' })],
      { enable: false, reason: 'python: the image publishes no SBOM' },
    ],
  ])('%s', (_name, updates, expected) => {
    expect(automergeDecision(updates, cfg)).toEqual(expected);
  });

  it('is off by default', () => {
    expect(automergeDecision([update('python', 'pin')], config())).toEqual({
      enable: false,
      reason: 'python: pin updates are not set to automerge',
    });
  });
});
