// A sweep's pace: repositories start spread over a window, an installation that used the sweep's
// share of its rate limit waits for the reset (said once in the log), and the in-process queue paces
// the scheduled sweep with the same pacer while a webhook's scan starts at once.
import type { Logger } from 'probot';
import { createInProcessQueue, type ScanJob } from '../../src/app/queue.js';
import {
  COMMAND_SWEEP,
  createSweepPacer,
  defaultScheduledSpread,
  readSweepSpread,
  SCHEDULED_SWEEP,
  sweepPacers,
  type SweepPacing,
} from '../../src/app/sweep-pacer.js';
import type { RateBudget } from '../../src/github/rate-budget.js';
import { job, waitFor } from './helpers.js';

/** A budget as GitHub's answers would leave it: `remaining` of `limit` until `resetAt`. */
function budgetOf(seen: { limit: number; remaining: number; resetAt: number }, share = 0.8): RateBudget {
  return {
    observe: () => undefined,
    snapshot: () => seen,
    waitMs: (_id, now = Date.now()) =>
      seen.resetAt > now && seen.remaining < seen.limit * (1 - share) ? seen.resetAt - now : 0,
  };
}

function recordingLog() {
  const warnings: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const log = {
    warn: (obj: Record<string, unknown>, msg: string) => warnings.push({ obj, msg }),
    info: () => undefined,
    error: () => undefined,
    debug: () => undefined,
  };
  return { warnings, log: log as unknown as Logger };
}

test('repositories start evenly over the spread; then the budget decides', () => {
  const { warnings, log } = recordingLog();
  let now = 1_000;
  const seen = { limit: 100, remaining: 50, resetAt: 100_000 };
  const pacer = createSweepPacer({
    budget: budgetOf(seen),
    share: 0.8,
    spreadMs: 1_000,
    startedAt: 1_000,
    log,
    now: () => now,
  });
  expect([0, 1, 2, 3].map((i) => pacer.slotAt(i, 4))).toEqual([1_000, 1_250, 1_500, 1_750]);
  expect(pacer.waitMs(1, pacer.slotAt(2, 4), 2)).toBe(500);
  now = 1_500;
  expect(pacer.waitMs(1, pacer.slotAt(2, 4), 2)).toBe(0);

  seen.remaining = 19; // under the 20 % kept for webhook-driven work
  expect(pacer.waitMs(1, pacer.slotAt(3, 4), 1)).toBe(250); // its slot comes first
  now = 2_000;
  expect(pacer.waitMs(1, pacer.slotAt(3, 4), 1)).toBe(98_000);
  expect(pacer.waitMs(1, pacer.slotAt(3, 4), 1)).toBe(98_000);
  expect(warnings).toEqual([
    {
      msg: 'sweep does not fit its rate-limit budget: pausing this installation until the window resets',
      obj: expect.objectContaining({ installationId: 1, remaining: 19, limit: 100, repositoriesLeft: 1 }),
    },
  ]);
  now = 100_001;
  expect(pacer.waitMs(1, pacer.slotAt(3, 4), 1)).toBe(0);
});

test('a sweep that cannot fit what is left of its share says so as soon as its repositories are listed', () => {
  const { warnings, log } = recordingLog();
  const budget = budgetOf({ limit: 5_000, remaining: 1_500, resetAt: Date.now() + 3_600_000 });
  const pacer = createSweepPacer({ budget, share: 0.8, spreadMs: 0, startedAt: Date.now(), log });
  pacer.planned(7, 400); // 1,500 − 1,000 kept back = 500 requests: fits
  expect(warnings).toEqual([]);
  pacer.planned(7, 10_000);
  expect(warnings).toMatchObject([
    {
      msg: 'sweep does not fit its rate-limit budget: the rest waits for the window to reset',
      obj: { installationId: 7, repositories: 10_000, requestsLeftInShare: 500 },
    },
  ]);
});

test('FRESHBASE_SWEEP_SPREAD is a duration; the scheduled default is half the cron interval', () => {
  expect(readSweepSpread({})).toBeNull();
  expect(readSweepSpread({ FRESHBASE_SWEEP_SPREAD: '0' })).toBe(0);
  expect(readSweepSpread({ FRESHBASE_SWEEP_SPREAD: '90m' })).toBe(5_400_000);
  expect(readSweepSpread({ FRESHBASE_SWEEP_SPREAD: '2h' })).toBe(7_200_000);
  expect(readSweepSpread({ FRESHBASE_SWEEP_SPREAD: '45s' })).toBe(45_000);
  expect(() => readSweepSpread({ FRESHBASE_SWEEP_SPREAD: 'soon' })).toThrow(/FRESHBASE_SWEEP_SPREAD/);
  expect(defaultScheduledSpread('17 */6 * * *')).toBe(3 * 3_600_000);
  expect(defaultScheduledSpread('0 3 * * *')).toBe(12 * 3_600_000);
});

test("the in-process queue spreads a scheduled sweep's repositories; a webhook's scan is not held", async () => {
  const started: Array<{ repo: string; at: number }> = [];
  const sweepStart = Date.now();
  const spreadMs = 600;
  const pacing: SweepPacing = (startedAt) =>
    createSweepPacer({
      budget: budgetOf({ limit: 100, remaining: 100, resetAt: 0 }),
      share: 0.8,
      spreadMs,
      startedAt,
      log: recordingLog().log,
    });
  const repos = ['a', 'b', 'c'];
  const queue = createInProcessQueue({
    runner: async (j: ScanJob) => {
      started.push({ repo: j.repo, at: Date.now() });
    },
    listRepositories: async (inst) =>
      repos.map((repo) => ({ ...job(repo), reason: inst.reason, requestedAt: inst.requestedAt })),
    log: recordingLog().log,
    pacing,
  });
  await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: sweepStart });
  await queue.enqueue({ ...job('hook'), reason: 'push', requestedAt: Date.now() });
  await waitFor(() => started.length === 4);
  // The webhook's scan ran at once, before the sweep's later slots.
  const order = started.map((s) => s.repo);
  expect(order.indexOf('hook')).toBeLessThan(order.indexOf('b'));
  // Each repository started no earlier than its slot (later is allowed: the machine may be busy).
  repos.forEach((repo, index) => {
    const run = started.find((s) => s.repo === repo)!;
    expect(run.at).toBeGreaterThanOrEqual(sweepStart + (spreadMs * index) / repos.length);
  });
  await queue.close();
});

test('an installation over its budget has the rest of its sweep held until the window resets', async () => {
  const started: string[] = [];
  const seen = { limit: 100, remaining: 10, resetAt: Date.now() + 60_000 };
  const { warnings, log } = recordingLog();
  const queue = createInProcessQueue({
    runner: async (j: ScanJob) => {
      started.push(j.repo);
    },
    listRepositories: async (inst) =>
      ['a', 'b'].map((repo) => ({ ...job(repo), reason: inst.reason, requestedAt: inst.requestedAt })),
    log,
    pacing: (startedAt) =>
      createSweepPacer({ budget: budgetOf(seen), share: 0.8, spreadMs: 0, startedAt, log }),
  });
  await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: Date.now() });
  await waitFor(() => warnings.length > 0);
  expect(started).toEqual([]);
  expect(await queue.stats()).toMatchObject({ waiting: 2 });
  await queue.close();
});

test('overlapping sweeps keep their own pacers: each says "does not fit" once', () => {
  const { warnings, log } = recordingLog();
  const seen = { limit: 100, remaining: 10, resetAt: Date.now() + 3_600_000 };
  const made: number[] = [];
  const pacing: SweepPacing = (startedAt) => {
    made.push(startedAt);
    return createSweepPacer({ budget: budgetOf(seen), share: 0.8, spreadMs: 0, startedAt, log });
  };
  const pacerOf = sweepPacers(pacing);
  const older = { reason: SCHEDULED_SWEEP, requestedAt: 1_000 };
  const newer = { reason: COMMAND_SWEEP, requestedAt: 2_000 };
  // The two sweeps' wake-ups interleave, as they do on a shared queue.
  for (const sweep of [older, newer, older, newer, older]) {
    expect(pacerOf(sweep)?.waitMs(7, 0)).toBeGreaterThan(0);
  }
  expect(made).toEqual([1_000, 2_000]);
  expect(pacerOf(older)).toBe(pacerOf(older));
  expect(warnings.map((w) => w.msg)).toEqual([
    'sweep does not fit its rate-limit budget: pausing this installation until the window resets',
    'sweep does not fit its rate-limit budget: pausing this installation until the window resets',
  ]);
  expect(pacerOf({ reason: 'push', requestedAt: 3_000 })).toBeNull();
});
