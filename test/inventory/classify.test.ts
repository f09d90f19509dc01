// The inventory of one repository: how far behind each use is, and what Freshbase does about it.
import { config, digest, index } from '../plan/fixtures.js';
import { inventoryOf, type Situation } from './facts.js';

const PY = 'docker.io/library/python';
const NODE = 'docker.io/library/node';

/** python 3.12.1-slim pinned to an old digest; 3.12.3 and 4.0.0 exist. node:20 pinned and current. */
function fleet(overrides: Partial<Situation> = {}): Situation {
  return {
    files: {
      Dockerfile: `FROM python:3.12.1-slim@${digest('1')}\nFROM node:20@${digest('a')}\n`,
    },
    registry: {
      manifests: {
        [`${PY}@${digest('1')}`]: index('1', { created: '2024-01-01T00:00:00Z' }),
        [`${PY}:3.12.1-slim`]: index('2'),
        [`${PY}:3.12.3-slim`]: index('3'),
        [`${PY}:4.0.0-slim`]: index('4', { created: '2025-05-01T00:00:00Z' }),
        [`${NODE}@${digest('a')}`]: index('a'),
        [`${NODE}:20`]: index('a'),
      },
      tags: {
        [PY]: ['3.12.1-slim', '3.12.3-slim', '4.0.0-slim', '4.1.0rc1-slim'],
        [NODE]: ['18', '20'],
      },
    },
    config: config(),
    ...overrides,
  };
}

const uses = (s: Situation) => inventoryOf(s).files.flatMap((f) => f.images);

test('behind is the largest gap whatever the config offers; the config decides what is proposed', () => {
  const [python, node] = uses(fleet());
  expect(python).toMatchObject({
    line: 1,
    image: 'python',
    tag: '3.12.1-slim',
    digest: digest('1'),
    behind: 'major',
    latest: { tag: '4.0.0-slim', digest: digest('4') },
    proposed: { tag: '3.12.3-slim', digest: digest('3'), kind: 'patch' },
    pullRequest: null,
    state: { kind: 'planned' },
    error: null,
    currentCreated: '2024-01-01T00:00:00Z',
    latestCreated: '2025-05-01T00:00:00Z',
  });
  expect(node).toMatchObject({
    line: 2,
    image: 'node',
    behind: null,
    latest: { tag: '20', digest: digest('a') },
    proposed: null,
    state: { kind: 'current' },
  });
});

test('a re-published tag is behind by digest; an unpinned reference is not behind but gets a pin', () => {
  const s = fleet({ files: { Dockerfile: `FROM node:18@${digest('b')}\nFROM node:20\n` } });
  s.registry.manifests![`${NODE}@${digest('b')}`] = index('b');
  s.registry.manifests![`${NODE}:18`] = index('c');
  const [old, unpinned] = uses(s);
  expect(old).toMatchObject({
    behind: 'major',
    proposed: { tag: '18', digest: digest('c'), kind: 'digest' },
  });
  expect(unpinned).toMatchObject({
    digest: null,
    behind: null,
    latest: { tag: '20', digest: digest('a') },
    proposed: { kind: 'pin' },
    state: { kind: 'planned' },
  });
});

test('behind in a way the config does not offer is said so', () => {
  const s = fleet({ files: { Dockerfile: `FROM node:18@${digest('b')}\n` } });
  s.registry.manifests![`${NODE}@${digest('b')}`] = index('b');
  s.registry.manifests![`${NODE}:18`] = index('b');
  expect(uses(s)[0]).toMatchObject({ behind: 'major', proposed: null, state: { kind: 'not-offered' } });
});

test('an open Freshbase PR that changes the use is named', () => {
  const open = [
    {
      number: 7,
      title: 'chore(deps): update python',
      branch: 'freshbase/repository',
      metadata: {
        version: 1 as const,
        group: 'repository',
        updates: [
          {
            file: 'Dockerfile',
            imageName: PY,
            fromTag: '3.12.1-slim',
            fromDigest: digest('1'),
            toTag: '3.12.2-slim',
            toDigest: digest('9'),
            kind: 'patch' as const,
          },
        ],
      },
    },
  ];
  const inventory = inventoryOf(fleet({ open }));
  expect(inventory.pullRequests).toEqual([
    { number: 7, title: 'chore(deps): update python', branch: 'freshbase/repository' },
  ]);
  expect(inventory.files[0]!.images[0]).toMatchObject({
    pullRequest: 7,
    state: { kind: 'pull-request', number: 7 },
  });
});

test('declined, held by the schedule, by the PR cap and by another reason', () => {
  const declined = uses(fleet({ declined: (u) => u.image === 'python' }))[0];
  expect(declined).toMatchObject({ proposed: { tag: '3.12.3-slim' }, state: { kind: 'declined' } });

  const outside = uses(fleet({ inWindow: false }))[0];
  expect(outside!.state).toEqual({
    kind: 'held',
    reason: 'outside the schedule window (opens 2025-06-07T00:00:00.000Z)',
  });

  const capped = uses(fleet({ config: config({ maxOpenPullRequests: 0 }) }))[0];
  expect(capped!.state).toEqual({ kind: 'held', reason: 'maxOpenPullRequests reached' });

  // The plan held 3.12.3 for its soak time and proposes nothing else for the use (no digest updates).
  const base = fleet();
  const soaking = uses(
    fleet({
      config: config({ minimumReleaseAge: '3 days', updates: ['patch'] }),
      registry: {
        ...base.registry,
        firstSeen: { [`${PY}:3.12.3-slim@${digest('3')}`]: new Date('2025-06-01T10:00:00Z') },
      },
    }),
  )[0];
  expect(soaking!.state).toEqual({
    kind: 'held',
    reason:
      '3.12.3-slim@333333333333: minimumReleaseAge 3 days: first seen 2025-06-01 10:00 UTC, due 2025-06-04 10:00 UTC',
  });
  // Another update of the same use (the tag's new digest) is planned while 3.12.3 soaks.
  const other = uses(
    fleet({
      config: config({ minimumReleaseAge: '3 days' }),
      registry: {
        ...base.registry,
        firstSeen: { [`${PY}:3.12.3-slim@${digest('3')}`]: new Date('2025-06-01T10:00:00Z') },
      },
    }),
  )[0];
  expect(other!.state).toEqual({ kind: 'planned' });
});

test('lookup errors, ignored images and references Freshbase cannot follow are all listed', () => {
  const s = fleet({
    files: {
      'svc/Dockerfile': 'FROM ghcr.io/acme/base:1\nFROM ghcr.io/other/tool:2\nFROM ${BASE}\n',
    },
    config: config({ ignoreImages: ['ghcr.io/acme/*'] }),
  });
  const [file] = inventoryOf(s).files;
  expect(file!.path).toBe('svc/Dockerfile');
  expect(file!.images).toMatchObject([
    { image: 'ghcr.io/acme/base', state: { kind: 'ignored' }, latest: null, error: null },
    {
      image: 'ghcr.io/other/tool',
      state: { kind: 'error' },
      latest: null,
      behind: null,
      error: expect.stringContaining('ghcr.io/other/tool:2 not found'),
    },
  ]);
  expect(file!.untracked).toEqual([
    { line: 3, written: '${BASE}', reason: expect.stringContaining('variable') },
  ]);
});

test('the newest digest carries when Freshbase first saw it; unknown when current or the store failed', () => {
  const base = fleet();
  const seen = (firstSeen: Date | { error: string }) =>
    uses(
      fleet({
        registry: { ...base.registry, firstSeen: { [`${PY}:4.0.0-slim@${digest('4')}`]: firstSeen } },
      }),
    );
  const [python, node] = seen(new Date('2025-05-30T08:00:00Z'));
  expect(python).toMatchObject({
    latest: { tag: '4.0.0-slim' },
    latestFirstSeen: '2025-05-30T08:00:00.000Z',
  });
  // Up to date: no newer digest was looked up, so there is no first-seen time to show.
  expect(node).toMatchObject({ behind: null, latestFirstSeen: null });
  // The state store failed: the survey still knows the newest release, not since when.
  const [failed] = seen({ error: 'redis down' });
  expect(failed).toMatchObject({ latest: { tag: '4.0.0-slim' }, behind: 'major', latestFirstSeen: null });
});

test('files without any image are left out', () => {
  const s = fleet({
    files: { Dockerfile: 'FROM scratch\n', 'b/Dockerfile': `FROM node:20@${digest('a')}\n` },
  });
  expect(inventoryOf(s).files.map((f) => f.path)).toEqual(['b/Dockerfile']);
});
