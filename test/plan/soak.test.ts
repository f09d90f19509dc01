// minimumReleaseAge in the pure plan: first-seen times come in as data, like registry answers.
import type { FileUse } from '../../src/plan/plan.js';
import { MAX_LOOKUP_ROUNDS, planUpdates } from '../../src/plan/plan.js';
import { soakState } from '../../src/plan/soak.js';
import {
  AMD64,
  answerAll,
  at,
  config,
  digest,
  index,
  PLAN_NOW,
  single,
  type FakeRegistry,
} from './fixtures.js';

const PY = 'docker.io/library/python';
const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(PLAN_NOW.getTime() - hours * HOUR);

const registry = (firstSeen: FakeRegistry['firstSeen']): FakeRegistry => ({
  manifests: {
    [`${PY}:3.12`]: index('a'),
    [`${PY}:3.12.1`]: index('1'),
    [`${PY}:3.12.2`]: index('2'),
    [`${PY}:3.12.3`]: index('3'),
    [`${PY}@${digest('0')}`]: index('0'),
    [`${PY}@${digest('1')}`]: index('1'),
  },
  tags: { [PY]: ['3.12', '3.12.1', '3.12.2', '3.12.3'] },
  firstSeen,
});

function plan(entry: FileUse, cfg: unknown, firstSeen: FakeRegistry['firstSeen']) {
  const c = config(cfg);
  const { answers } = answerAll([entry], c, registry(firstSeen), PLAN_NOW);
  return planUpdates({ uses: [entry], answers, config: c, now: PLAN_NOW });
}

describe('soakState', () => {
  const day = 24 * HOUR;
  it.each([
    ['no soak time, store failed', { error: 'redis down' }, 0, { kind: 'ready', firstSeen: null }],
    // Another replica's scan stored the sighting a moment after this scan began: nothing to wait for.
    [
      'no soak time, first seen just after this scan began',
      new Date(PLAN_NOW.getTime() + 50),
      0,
      { kind: 'ready', firstSeen: new Date(PLAN_NOW.getTime() + 50) },
    ],
    ['old enough', hoursAgo(72), 3 * day, { kind: 'ready', firstSeen: hoursAgo(72) }],
    [
      'too young',
      hoursAgo(71),
      3 * day,
      {
        kind: 'young',
        firstSeen: hoursAgo(71),
        due: new Date(PLAN_NOW.getTime() + HOUR),
        minimumAgeMs: 3 * day,
      },
    ],
    // Seen for the first time in this very scan (a fresh or lost store): held for the whole age.
    [
      'first seen now',
      PLAN_NOW,
      3 * day,
      {
        kind: 'young',
        firstSeen: PLAN_NOW,
        due: new Date(PLAN_NOW.getTime() + 3 * day),
        minimumAgeMs: 3 * day,
      },
    ],
    [
      'soak time, store failed',
      { error: 'redis down' },
      day,
      { kind: 'unknown', failure: expect.stringContaining('redis down') },
    ],
  ])('%s', (_name, seen, age, expected) => {
    expect(soakState(seen, age, PLAN_NOW)).toEqual(expected);
  });
});

describe('planUpdates with minimumReleaseAge', () => {
  const pinned = at('Dockerfile', `python:3.12@${digest('0')}`);
  const seen3 = `${PY}:3.12@${digest('a')}`;

  it('holds a digest seen less than the age, with its due date, and proposes it once due', () => {
    const young = plan(pinned, { minimumReleaseAge: '3 days' }, { [seen3]: hoursAgo(10) });
    expect(young.updates).toEqual([]);
    expect(young.errors).toEqual([]);
    expect(young.held).toEqual([
      {
        file: 'Dockerfile',
        line: 1,
        column: 1,
        image: 'python',
        from: { tag: '3.12', digest: digest('0') },
        to: { tag: '3.12', digest: digest('a') },
        reason: 'minimumReleaseAge 3 days: first seen 2025-06-02 00:00 UTC, due 2025-06-05 00:00 UTC',
        soak: { firstSeen: hoursAgo(10), due: new Date('2025-06-05T00:00:00Z') },
      },
    ]);
    const due = plan(pinned, { minimumReleaseAge: '3 days' }, { [seen3]: hoursAgo(72) });
    expect(due.held).toEqual([]);
    expect(due.updates).toMatchObject([
      { kind: 'digest', to: { digest: digest('a') }, firstSeen: hoursAgo(72) },
    ]);
  });

  it('a rule sets its own age; without one the update is proposed at once, carrying its first-seen time', () => {
    const ruled = {
      minimumReleaseAge: '1 week',
      rules: [{ images: ['python'], minimumReleaseAge: '1 hour' }],
    };
    expect(plan(pinned, ruled, { [seen3]: hoursAgo(2) }).updates).toHaveLength(1);
    const none = plan(pinned, {}, { [seen3]: PLAN_NOW });
    expect(none.updates).toMatchObject([{ firstSeen: PLAN_NOW }]);
    expect(none.held).toEqual([]);
  });

  it('proposes an older tag that is old enough while the newest one soaks', () => {
    const entry = at('Dockerfile', `python:3.12.1@${digest('1')}`);
    const result = plan(
      entry,
      { minimumReleaseAge: '2 days' },
      {
        [`${PY}:3.12.3@${digest('3')}`]: hoursAgo(1),
        [`${PY}:3.12.2@${digest('2')}`]: hoursAgo(100),
      },
    );
    expect(result.updates).toMatchObject([{ kind: 'patch', to: { tag: '3.12.2', digest: digest('2') } }]);
    expect(result.held).toMatchObject([
      { to: { tag: '3.12.3', digest: digest('3') }, soak: { firstSeen: hoursAgo(1) } },
    ]);
  });

  it('a store that cannot answer never lets an update through early, and blocks nothing without an age', () => {
    const failing = { [seen3]: { error: 'state file: EACCES' } };
    const held = plan(pinned, { minimumReleaseAge: '3 days' }, failing);
    expect(held.updates).toEqual([]);
    expect(held.errors).toMatchObject([{ error: expect.stringContaining('state file: EACCES') }]);
    expect(plan(pinned, {}, failing).updates).toMatchObject([{ firstSeen: null }]);
  });

  it('holds a young candidate on its tag digest before any manifest of it is read', () => {
    const cfg = config({ minimumReleaseAge: '3 days' });
    const young = { [seen3]: hoursAgo(10) };
    const unpinned = at('Dockerfile', 'python:3.12');
    const { rounds } = answerAll([unpinned], cfg, registry(young), PLAN_NOW);
    expect(rounds.flatMap((r) => r.manifests)).toEqual([]);
    expect(plan(unpinned, { minimumReleaseAge: '3 days' }, young)).toMatchObject({
      updates: [],
      held: [{ to: { tag: '3.12', digest: digest('a') }, soak: { firstSeen: hoursAgo(10) } }],
    });
    // A pinned reference reads its pinned manifest (whether it is one platform's says which digest
    // a candidate writes), never the young one.
    const read = answerAll([pinned], cfg, registry(young), PLAN_NOW).rounds.flatMap((r) => r.manifests);
    expect(read.map((t) => t.reference)).toEqual([digest('0')]);
    // Once due, it is read and proposed.
    const due = answerAll([unpinned], cfg, registry({ [seen3]: hoursAgo(72) }), PLAN_NOW);
    expect(due.rounds.flatMap((r) => r.manifests).map((t) => t.reference)).toEqual(['3.12']);
  });

  it('holds young newer tags unread and proposes an older one that is due', () => {
    const entry = at('Dockerfile', 'python:3.12.1');
    const cfg = config({ minimumReleaseAge: '2 days' });
    const seen = {
      [`${PY}:3.12.3@${digest('3')}`]: hoursAgo(1),
      [`${PY}:3.12.2@${digest('2')}`]: hoursAgo(100),
    };
    const { rounds } = answerAll([entry], cfg, registry(seen), PLAN_NOW);
    expect(rounds.flatMap((r) => r.manifests).map((t) => t.reference)).toEqual(['3.12.1', '3.12.2']);
  });

  it('asks no first-seen time for a digest that is not proposed', () => {
    const current = at('Dockerfile', `python:3.12@${digest('a')}`);
    const { rounds } = answerAll([current], config({ minimumReleaseAge: '1 day' }), registry({}), PLAN_NOW);
    expect(rounds.flatMap((r) => r.firstSeen)).toEqual([]);
  });
});

describe('a single-platform pin under a soak time', () => {
  it('judges three young candidates and the moved tag within the rounds the I/O loop allows', () => {
    const young = hoursAgo(1);
    const reg: FakeRegistry = {
      manifests: {
        [`${PY}:3.12.0`]: index('a'),
        [`${PY}:3.12.1`]: index('1'),
        [`${PY}:3.12.2`]: index('2'),
        [`${PY}:3.12.3`]: index('3'),
        [`${PY}@${digest('0')}`]: single('0', AMD64),
      },
      platforms: {
        [`${PY}:3.12.0|linux/amd64`]: single('b', AMD64),
        [`${PY}:3.12.1|linux/amd64`]: single('c', AMD64),
        [`${PY}:3.12.2|linux/amd64`]: single('d', AMD64),
        [`${PY}:3.12.3|linux/amd64`]: single('e', AMD64),
      },
      tags: { [PY]: ['3.12.0', '3.12.1', '3.12.2', '3.12.3'] },
      firstSeen: {
        [`${PY}:3.12.0@${digest('b')}`]: young,
        [`${PY}:3.12.1@${digest('c')}`]: young,
        [`${PY}:3.12.2@${digest('d')}`]: young,
        [`${PY}:3.12.3@${digest('e')}`]: young,
      },
    };
    const cfg = config({ minimumReleaseAge: '3 days' });
    const pinned = at('Dockerfile', `python:3.12.0@${digest('0')}`);
    const { answers, rounds } = answerAll([pinned], cfg, reg, PLAN_NOW);
    expect(rounds.length).toBeLessThanOrEqual(MAX_LOOKUP_ROUNDS);
    const result = planUpdates({ uses: [pinned], answers, config: cfg, now: PLAN_NOW });
    expect(result.errors).toEqual([]);
    expect(result.updates).toEqual([]);
    expect(result.held.map((h) => h.to)).toEqual([
      { tag: '3.12.3', digest: digest('e') },
      { tag: '3.12.2', digest: digest('d') },
      { tag: '3.12.1', digest: digest('c') },
      { tag: '3.12.0', digest: digest('b') },
    ]);
  });
});
