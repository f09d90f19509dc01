import type { RepoConfig } from '../../src/config/types.js';
import { emptyAnswers } from '../../src/plan/lookups.js';
import { lookupsNeeded, planUpdates, type FileUse } from '../../src/plan/plan.js';
import {
  AMD64,
  answerAll,
  ARM64,
  at,
  config,
  digest,
  index,
  PLAN_NOW,
  single,
  type FakeRegistry,
} from './fixtures.js';

const PY = 'docker.io/library/python';

const registry: FakeRegistry = {
  manifests: {
    [`${PY}:3.12`]: index('a'),
    [`${PY}:3.12-slim`]: index('b'),
    [`${PY}:3.12.1`]: index('1'),
    [`${PY}:3.12.3`]: index('3'),
    [`${PY}:3.13.2`]: index('d'),
    [`${PY}:latest`]: index('e'),
    [`${PY}@${digest('0')}`]: index('0', { created: '2024-01-01T00:00:00Z' }),
    [`${PY}@${digest('a')}`]: index('a'),
    [`${PY}@${digest('5')}`]: single('5', ARM64),
    [`${PY}@${digest('6')}`]: single('6', null),
    [`${PY}@${digest('7')}`]: { error: 'HTTP 503', code: 'server' },
    [`${PY}@${digest('8')}`]: { error: 'manifest unknown', code: 'not-found' },
  },
  tags: { [PY]: ['3.12', '3.12.1', '3.12.3', '3.13.2', '3.14.0rc1', 'latest', '3.12-slim'] },
  platforms: {
    [`${PY}:3.12|linux/arm64/v8`]: single('f', ARM64),
    [`${PY}:3.12.3|linux/arm64/v8`]: single('c', ARM64),
  },
};

type Expected = { kind: string; to: { tag: string | null; digest: string | null } } | null;

function planOne(entry: FileUse, cfg: RepoConfig, reg: FakeRegistry = registry) {
  const { answers } = answerAll([entry], cfg, reg);
  return planUpdates({ uses: [entry], answers, config: cfg, now: PLAN_NOW });
}

describe('planUpdates: kinds', () => {
  const cases: Array<[string, string, unknown, Expected]> = [
    [
      'pins a floating tag to its index',
      'python:3.12',
      {},
      { kind: 'pin', to: { tag: '3.12', digest: digest('a') } },
    ],
    ['leaves an unpinned tag alone without pin', 'python:3.12', { pin: false }, null],
    [
      'refreshes a pinned digest',
      `python:3.12@${digest('0')}`,
      {},
      { kind: 'digest', to: { tag: '3.12', digest: digest('a') } },
    ],
    ['keeps a current digest', `python:3.12@${digest('a')}`, {}, null],
    [
      'keeps a pinned digest when digest is not offered',
      `python:3.12@${digest('0')}`,
      { updates: ['patch'] },
      null,
    ],
    [
      'refreshes a pin even with pin off',
      `python:3.12@${digest('0')}`,
      { pin: false },
      { kind: 'digest', to: { tag: '3.12', digest: digest('a') } },
    ],
    [
      'offers the highest patch, pinned',
      'python:3.12.1',
      {},
      { kind: 'patch', to: { tag: '3.12.3', digest: digest('3') } },
    ],
    [
      'offers a patch unpinned with pin off',
      'python:3.12.1',
      { pin: false },
      { kind: 'patch', to: { tag: '3.12.3', digest: null } },
    ],
    [
      'keeps a pinned reference pinned',
      `python:3.12.1@${digest('0')}`,
      { pin: false },
      { kind: 'patch', to: { tag: '3.12.3', digest: digest('3') } },
    ],
    [
      'offers a minor when allowed',
      'python:3.12.1',
      { updates: ['minor'] },
      { kind: 'minor', to: { tag: '3.13.2', digest: digest('d') } },
    ],
    [
      'pins when no newer tag is allowed',
      'python:3.13.2',
      {},
      { kind: 'pin', to: { tag: '3.13.2', digest: digest('d') } },
    ],
    [
      'gives latest a pin only',
      'python:latest',
      { updates: ['digest', 'patch', 'minor', 'major'] },
      { kind: 'pin', to: { tag: 'latest', digest: digest('e') } },
    ],
    ['gives a digest-only reference nothing', `python@${digest('0')}`, {}, null],
    [
      'follows rules',
      'python:3.12.1',
      { rules: [{ images: ['python'], updates: ['digest'], pin: false }] },
      null,
    ],
    ['skips disabled images', 'python:3.12', { rules: [{ images: ['python'], enabled: false }] }, null],
    ['skips ignored images', 'python:3.12', { ignoreImages: ['python'] }, null],
    ['skips a disabled repository', 'python:3.12', { enabled: false }, null],
    [
      'keeps a single-platform pin on its platform',
      `python:3.12@${digest('5')}`,
      {},
      { kind: 'digest', to: { tag: '3.12', digest: digest('f') } },
    ],
    [
      'moves a single-platform pin to a new tag on its platform',
      `python:3.12.1@${digest('5')}`,
      {},
      { kind: 'patch', to: { tag: '3.12.3', digest: digest('c') } },
    ],
    [
      'replaces a deleted pinned digest',
      `python:3.12@${digest('8')}`,
      {},
      { kind: 'digest', to: { tag: '3.12', digest: digest('a') } },
    ],
  ];

  it.each(cases)('%s (%s)', (_name, written, cfg, expected) => {
    const { updates, errors } = planOne(at('Dockerfile', written), config(cfg));
    expect(errors).toEqual([]);
    expect(updates.map(({ kind, to }) => ({ kind, to }))).toEqual(expected ? [expected] : []);
  });

  const tagOnly: Array<[string, string, Expected]> = [
    [
      'updates the tag of an ARG-built reference',
      'python:3.12.1',
      { kind: 'patch', to: { tag: '3.12.3', digest: null } },
    ],
    ['never pins an ARG-built reference', 'python:3.12', null],
    ['leaves an ARG-built tag under a digest alone', `python:3.12.1@${digest('0')}`, null],
  ];
  it.each(tagOnly)('%s (%s)', (_name, written, expected) => {
    const { updates, errors } = planOne(at('Dockerfile', written, 1, 'tag-only'), config());
    expect(errors).toEqual([]);
    expect(updates.map(({ kind, to }) => ({ kind, to }))).toEqual(expected ? [expected] : []);
  });

  it('records what is written now and the verified target', () => {
    const [update] = planOne(at('app/Dockerfile', `python:3.12@${digest('0')}`, 4), config()).updates;
    expect(update).toMatchObject({
      file: 'app/Dockerfile',
      line: 4,
      image: 'python',
      imageName: PY,
      from: { tag: '3.12', digest: digest('0') },
      current: { digest: digest('0'), created: '2024-01-01T00:00:00Z' },
      target: { digest: digest('a') },
    });
  });
});

describe('planUpdates: failures', () => {
  it('fails only the image whose answer failed', () => {
    const cfg = config();
    const uses = [at('a/Dockerfile', 'python:3.12', 2), at('b/Dockerfile', 'ghcr.io/acme/app:1.0', 3)];
    const { answers } = answerAll(uses, cfg, registry);
    const { updates, errors } = planUpdates({ uses, answers, config: cfg, now: PLAN_NOW });
    expect(updates.map((u) => u.file)).toEqual(['a/Dockerfile']);
    expect(errors).toEqual([
      {
        file: 'b/Dockerfile',
        line: 3,
        image: 'ghcr.io/acme/app',
        error: expect.stringContaining('not found'),
      },
    ]);
  });

  it('still pins when the tag list cannot be read, and says so', () => {
    const { updates, errors } = planOne(at('Dockerfile', 'python:3.12.1'), config(), {
      ...registry,
      tags: { [PY]: { error: 'HTTP 401', code: 'auth' } },
    });
    expect(updates.map((u) => u.kind)).toEqual(['pin']);
    expect(errors).toEqual([expect.objectContaining({ error: 'listing tags: HTTP 401' })]);
  });

  it('marks a failure deferred only when every lookup behind it was deferred (a pull budget)', () => {
    const deferred = { error: 'pulls left under the share; lookup deferred', code: 'deferred' as const };
    const onlyDeferred = planOne(at('Dockerfile', 'python:3.12'), config(), {
      ...registry,
      manifests: { ...registry.manifests, [`${PY}:3.12`]: deferred },
    });
    expect(onlyDeferred.errors).toEqual([expect.objectContaining({ deferred: true })]);
    const mixed = planOne(at('Dockerfile', `python:3.12.1@${digest('7')}`), config(), {
      ...registry,
      tags: { [PY]: deferred },
    });
    expect(mixed.errors).toHaveLength(1);
    expect(mixed.errors[0]!.deferred).toBeUndefined();
  });

  it('fails a pinned reference whose digest cannot be looked up', () => {
    const { updates, errors } = planOne(at('Dockerfile', `python:3.12@${digest('7')}`), config());
    expect(updates).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ error: `${digest('7')}: HTTP 503` })]);
  });

  it('fails a single-platform pin whose platform is unknown', () => {
    const { updates, errors } = planOne(at('Dockerfile', `python:3.12@${digest('6')}`), config());
    expect(updates).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({ error: expect.stringContaining('names no platform') }),
    ]);
  });

  it('keeps a single-platform pin when the tag is re-published as a single manifest of its platform', () => {
    const republished = {
      ...registry,
      manifests: { ...registry.manifests, [`${PY}:3.12`]: single('9', ARM64) },
    };
    const { updates } = planOne(at('Dockerfile', `python:3.12@${digest('5')}`), config(), republished);
    expect(updates.map((u) => u.to)).toEqual([{ tag: '3.12', digest: digest('9') }]);
  });

  it('refuses to move a single-platform pin to a single manifest of another platform', () => {
    const republished = {
      ...registry,
      manifests: { ...registry.manifests, [`${PY}:3.12`]: single('9', AMD64) },
    };
    const { updates, errors, held } = planOne(
      at('Dockerfile', `python:3.12@${digest('5')}`),
      config(),
      republished,
    );
    expect(updates).toEqual([]);
    expect(errors).toEqual([]);
    expect(held).toEqual([
      expect.objectContaining({
        to: { tag: '3.12', digest: null },
        reason: '3.12 has no linux/arm64/v8 image',
      }),
    ]);
  });

  it('reports uses whose answers were never fetched', () => {
    const uses = [at('Dockerfile', 'python:3.12')];
    const { updates, errors } = planUpdates({
      uses,
      answers: emptyAnswers(),
      config: config(),
      now: PLAN_NOW,
    });
    expect(updates).toEqual([]);
    expect(errors).toEqual([
      expect.objectContaining({ error: expect.stringContaining('lookups were not completed') }),
    ]);
  });
});

describe('planUpdates: not looked up', () => {
  it.each([
    ['python:3.12', { ignoreImages: ['python'] }, 'reference', 'ignored'],
    ['python:3.12', { enabled: false }, 'reference', 'ignored'],
    ['python:3.12', { rules: [{ images: ['python'], enabled: false }] }, 'reference', 'ignored'],
    [`python@${digest('0')}`, {}, 'reference', 'digest-only'],
    [`python:3.12@${digest('0')}`, {}, 'tag-only', 'not-editable'],
    ['python:latest', { pin: false }, 'reference', 'not-offered'],
  ] as const)('%s with %j (%s edit): %s, asking the registry nothing', (written, cfg, edit, reason) => {
    const entry = at('Dockerfile', written, 3, edit);
    expect(lookupsNeeded([entry], config(cfg), PLAN_NOW)).toEqual(lookupsNeeded([], config(cfg), PLAN_NOW));
    expect(planOne(entry, config(cfg)).notLookedUp).toEqual([
      { file: 'Dockerfile', line: 3, image: written, reason },
    ]);
  });

  it('a use that is looked up is not listed', () => {
    expect(planOne(at('Dockerfile', 'python:3.12'), config()).notLookedUp).toEqual([]);
  });
});

describe('planUpdates: order', () => {
  const cfg = config();
  const uses = [
    at('b/Dockerfile', 'python:3.12', 9),
    at('a/Dockerfile', 'python:3.12', 5),
    at('a/Dockerfile', 'python:3.12-slim', 1),
  ];

  it('sorts updates by file and line', () => {
    const { answers } = answerAll(uses, cfg, registry);
    const { updates } = planUpdates({ uses, answers, config: cfg, now: PLAN_NOW });
    expect(updates.map((u) => `${u.file}:${u.line}`)).toEqual([
      'a/Dockerfile:1',
      'a/Dockerfile:5',
      'b/Dockerfile:9',
    ]);
  });
});

describe('lookupsNeeded', () => {
  it('asks independent questions together, then the ones that follow from them', () => {
    const uses = [at('Dockerfile', `python:3.12.1@${digest('5')}`), at('Dockerfile', 'python:3.12.1', 2)];
    const { rounds } = answerAll(uses, config(), registry);
    expect(rounds).toEqual([
      {
        // The pinned use's tag: its digest (a HEAD) first. The unpinned use is pinned, so it is read.
        digests: [{ registry: 'docker.io', repository: 'library/python', reference: '3.12.1' }],
        manifests: [{ registry: 'docker.io', repository: 'library/python', reference: '3.12.1' }],
        tags: [{ registry: 'docker.io', repository: 'library/python' }],
        platformManifests: [],
        firstSeen: [],
      },
      {
        // A newer tag exists: the pinned manifest (its platform) is read with the candidate.
        digests: [],
        manifests: [
          { registry: 'docker.io', repository: 'library/python', reference: '3.12.3' },
          { registry: 'docker.io', repository: 'library/python', reference: digest('5') },
        ],
        tags: [],
        platformManifests: [],
        firstSeen: [],
      },
      {
        digests: [],
        manifests: [],
        tags: [],
        platformManifests: [
          {
            target: { registry: 'docker.io', repository: 'library/python', reference: '3.12.3' },
            platform: ARM64,
          },
        ],
        // The index of 3.12.3 is the unpinned use's target: its first-seen time is asked with it.
        firstSeen: [
          { registry: 'docker.io', repository: 'library/python', tag: '3.12.3', digest: digest('3') },
        ],
      },
      {
        digests: [],
        manifests: [],
        tags: [],
        platformManifests: [],
        // The single-platform pin follows arm64's manifest inside it: that digest is what it writes.
        firstSeen: [
          { registry: 'docker.io', repository: 'library/python', tag: '3.12.3', digest: digest('c') },
        ],
      },
    ]);
  });

  it('reads no manifest for a pinned digest its tag still names, and no newer tag', () => {
    const uses = [
      at('Dockerfile', `python:3.12.3@${digest('3')}`),
      at('Dockerfile', `python:3.12@${digest('a')}`, 2),
    ];
    const { answers, rounds } = answerAll(uses, config(), registry);
    expect(rounds).toEqual([
      {
        digests: [
          { registry: 'docker.io', repository: 'library/python', reference: '3.12' },
          { registry: 'docker.io', repository: 'library/python', reference: '3.12.3' },
        ],
        manifests: [],
        tags: [{ registry: 'docker.io', repository: 'library/python' }],
        platformManifests: [],
        firstSeen: [],
      },
    ]);
    expect(planUpdates({ uses, answers, config: config(), now: PLAN_NOW })).toMatchObject({
      updates: [],
      errors: [],
      held: [],
    });
  });

  it('reads the manifests once the tag names another digest', () => {
    const uses = [at('Dockerfile', `python:3.12@${digest('0')}`)];
    const { rounds } = answerAll(uses, config(), registry);
    expect(rounds[0]!.digests.map((t) => t.reference)).toEqual(['3.12']);
    expect(rounds[0]!.manifests).toEqual([]);
    expect(rounds[1]!.manifests.map((t) => t.reference)).toEqual(['3.12', digest('0')]);
  });

  it('lists tags only when a tag update is possible and allowed', () => {
    const needed = lookupsNeeded(
      [at('Dockerfile', 'python:3.12'), at('Dockerfile', 'python:latest', 2)],
      config(),
      PLAN_NOW,
    );
    expect(needed.tags).toEqual([]);
    expect(needed.manifests.map((t) => t.reference)).toEqual(['3.12', 'latest']);
  });

  it('asks nothing for images the config leaves alone', () => {
    const cfg = config({ ignoreImages: ['python'], rules: [{ images: ['node'], enabled: false }] });
    const needed = lookupsNeeded(
      [
        at('Dockerfile', 'python:3.12'),
        at('Dockerfile', 'node:20'),
        at('Dockerfile', `alpine@${digest('0')}`),
      ],
      cfg,
      PLAN_NOW,
    );
    expect(needed).toEqual({ digests: [], manifests: [], tags: [], platformManifests: [], firstSeen: [] });
  });
});
