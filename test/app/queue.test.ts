// The in-process queue: one scan per repository at a time, duplicates merged, a trigger during a
// scan runs once after it.
import type { Logger } from 'probot';
import {
  createInProcessQueue,
  mergeJobs,
  retryDelayMs,
  type JobRunner,
  type RepositoryLister,
  type ScanJob,
} from '../../src/app/queue.js';
import { budgetOver, job, listingOf, waitFor } from './helpers.js';
import { createSweepPacer, SCHEDULED_SWEEP, type SweepPacer } from '../../src/app/sweep-pacer.js';

/** Queues whose tests enqueue no installation. */
const noListing: RepositoryLister = async () => [];

/** An in-process queue with a silent log, no installation listing, and the given bound. */
const queueOf = (runner: JobRunner, concurrency?: number) =>
  createInProcessQueue({ listRepositories: noListing, runner, log: silentLog, concurrency });

const silentLog = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
} as unknown as Logger;

/** A runner whose jobs finish when released, recording what ran and how many ran at once per repo. */
function gatedRunner() {
  const runs: ScanJob[] = [];
  const active = new Map<string, number>();
  let maxPerRepo = 0;
  let maxTotal = 0;
  const gates: Array<() => void> = [];
  const runner = async (j: ScanJob) => {
    runs.push(j);
    active.set(j.repo, (active.get(j.repo) ?? 0) + 1);
    maxPerRepo = Math.max(maxPerRepo, active.get(j.repo) ?? 0);
    maxTotal = Math.max(
      maxTotal,
      [...active.values()].reduce((a, b) => a + b, 0),
    );
    await new Promise<void>((resolve) => gates.push(resolve));
    active.set(j.repo, (active.get(j.repo) ?? 1) - 1);
  };
  return {
    runner,
    runs,
    gates,
    releaseAll: () => gates.splice(0).forEach((release) => release()),
    get maxPerRepo() {
      return maxPerRepo;
    },
    get maxTotal() {
      return maxTotal;
    },
  };
}

test('a merged job keeps every reason and the latest trigger time (its answers must be that fresh)', () => {
  const merged = mergeJobs(
    { ...job('api', 'schedule'), requestedAt: 100 },
    { ...job('api'), requestedAt: 250 },
  );
  expect(merged).toEqual({ ...job('api', 'schedule, push'), requestedAt: 250 });
  expect(
    mergeJobs({ ...job('api'), requestedAt: 300 }, { ...job('api', 'sweep'), requestedAt: 200 }).requestedAt,
  ).toBe(300);
});

test('triggers for a waiting repository merge into one job', async () => {
  const gated = gatedRunner();
  const queue = queueOf(gated.runner, 1);
  await queue.enqueue(job('blocker'));
  await queue.enqueue(job('api', 'push'));
  await queue.enqueue(job('api', 'schedule'));
  await queue.enqueue(job('api', 'push'));
  expect(await queue.stats()).toEqual({ waiting: 1, running: 1 });
  gated.releaseAll();
  await waitFor(() => gated.runs.length === 2);
  gated.releaseAll();
  await queue.close();
  expect(gated.runs.map((r) => [r.repo, r.reason])).toEqual([
    ['blocker', 'push'],
    ['api', 'push, schedule'],
  ]);
});

test('a trigger during a scan runs once more after it, never alongside', async () => {
  const gated = gatedRunner();
  const queue = queueOf(gated.runner, 4);
  await queue.enqueue(job('api', 'schedule'));
  await waitFor(() => gated.runs.length === 1);
  await queue.enqueue(job('api', 'push'));
  await queue.enqueue(job('api', 'pull_request.closed'));
  expect(await queue.stats()).toEqual({ waiting: 1, running: 1 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(gated.runs).toHaveLength(1); // not started beside the running scan
  gated.releaseAll();
  await waitFor(() => gated.runs.length === 2);
  gated.releaseAll();
  await queue.close();
  expect(gated.runs.map((r) => r.reason)).toEqual(['schedule', 'push, pull_request.closed']);
  expect(gated.maxPerRepo).toBe(1);
});

test('different repositories run concurrently up to the bound, each repository one at a time', async () => {
  const runs: string[] = [];
  const active = new Map<string, number>();
  let maxPerRepo = 0;
  let maxTotal = 0;
  let total = 0;
  const runner = async (j: ScanJob) => {
    runs.push(j.repo);
    total += 1;
    active.set(j.repo, (active.get(j.repo) ?? 0) + 1);
    maxPerRepo = Math.max(maxPerRepo, active.get(j.repo) ?? 0);
    maxTotal = Math.max(maxTotal, total);
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
    active.set(j.repo, (active.get(j.repo) ?? 1) - 1);
    total -= 1;
  };
  const queue = queueOf(runner, 3);
  for (let round = 0; round < 5; round += 1) {
    for (const repo of ['a', 'b', 'c', 'd', 'e', 'f']) await queue.enqueue(job(repo));
    await new Promise((resolve) => setTimeout(resolve, 7));
  }
  await waitFor(() => total === 0 && runs.length >= 6);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await waitFor(() => total === 0);
  await queue.close();
  expect(maxPerRepo).toBe(1);
  expect(maxTotal).toBe(3);
  expect(new Set(runs)).toEqual(new Set(['a', 'b', 'c', 'd', 'e', 'f']));
  // Coalesced: far fewer runs than the 30 triggers.
  expect(runs.length).toBeLessThan(30);
});

test('a crashing job is logged and does not stop the queue', async () => {
  const errors: unknown[] = [];
  const log = {
    error: (...args: unknown[]) => errors.push(args),
    warn: () => undefined,
  } as unknown as Logger;
  const ran: string[] = [];
  const queue = createInProcessQueue({
    listRepositories: noListing,
    log,
    runner: async (j) => {
      ran.push(j.repo);
      if (j.repo === 'bad') throw new Error('boom');
    },
  });
  await queue.enqueue(job('bad'));
  await queue.enqueue(job('good'));
  await waitFor(() => ran.length === 2);
  await queue.close();
  expect(errors).toHaveLength(1);
});

test('close drops waiting jobs, waits for running ones, and takes no more', async () => {
  const gated = gatedRunner();
  const queue = queueOf(gated.runner, 1);
  await queue.enqueue(job('a'));
  await queue.enqueue(job('b'));
  await waitFor(() => gated.runs.length === 1);
  let closed = false;
  const closing = queue.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(closed).toBe(false);
  gated.releaseAll();
  await closing;
  await queue.enqueue(job('c'));
  expect(gated.runs.map((r) => r.repo)).toEqual(['a']);
});

test('a scan held back by the schedule window is run again when the window opens', async () => {
  const runs: ScanJob[] = [];
  const runner: JobRunner = async (j) => {
    runs.push(j);
    return runs.length === 1 ? { rescanAt: new Date(Date.now() + 100) } : undefined;
  };
  const queue = queueOf(runner);
  await queue.enqueue(job('api'));
  await waitFor(() => runs.length === 2, 3000);
  expect(runs.map((r) => r.reason)).toEqual(['push', 'schedule window']);
  expect(runs[1]!.requestedAt).toBeGreaterThan(runs[0]!.requestedAt);
  await queue.close();
});

test('close cancels a pending window re-scan', async () => {
  const runs: ScanJob[] = [];
  const queue = createInProcessQueue({
    listRepositories: noListing,
    runner: async (j) => {
      runs.push(j);
      return { rescanAt: new Date(Date.now() + 150) };
    },
    log: silentLog,
  });
  await queue.enqueue(job('api'));
  await waitFor(() => runs.length === 1, 3000);
  await queue.close();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(runs).toHaveLength(1);
});

test('an installation job lists its repositories inside the queue and enqueues their scans', async () => {
  const runs: ScanJob[] = [];
  const listed: number[] = [];
  const queue = createInProcessQueue({
    runner: async (j) => void runs.push(j),
    listRepositories: async ({ installationId, reason, requestedAt }) => {
      listed.push(installationId);
      return ['api', 'web'].map((repo) => ({ installationId, owner: 'acme', repo, reason, requestedAt }));
    },
    log: silentLog,
  });
  await queue.enqueueInstallation({ installationId: 7, reason: 'package', requestedAt: 1234 });
  await waitFor(() => runs.length === 2, 3000);
  expect(listed).toEqual([7]);
  expect(runs.map((r) => `${r.repo} ${r.reason} ${r.requestedAt}`).sort()).toEqual([
    'api package 1234',
    'web package 1234',
  ]);
  await queue.close();
});

test('an installation that cannot be listed is logged and the queue goes on', async () => {
  const errors: unknown[] = [];
  const runs: ScanJob[] = [];
  const queue = createInProcessQueue({
    runner: async (j) => void runs.push(j),
    listRepositories: async () => {
      throw new Error('GitHub said 500');
    },
    log: { ...silentLog, error: (...args: unknown[]) => void errors.push(args) } as unknown as Logger,
  });
  await queue.enqueueInstallation({ installationId: 7, reason: 'schedule', requestedAt: 1 });
  await queue.enqueue(job('api'));
  await waitFor(() => runs.length === 1 && errors.length === 1, 3000);
  await queue.close();
});

describe('GitHub unavailable', () => {
  const retry = { attempts: 4, baseMs: 40, maxDelayMs: 100 };

  test('the backoff doubles from its base up to its cap, with at most 10 % jitter', () => {
    const exact = [1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, retry, () => 0.5));
    expect(exact).toEqual([40, 80, 100, 100]);
    expect(retryDelayMs(1, retry, () => 0)).toBe(36);
    expect(retryDelayMs(1, retry, () => 1)).toBe(44);
  });

  test('a job that met an unavailable GitHub runs again after its backoff, waiting meanwhile', async () => {
    const runs: number[] = [];
    const queue = createInProcessQueue({
      listRepositories: noListing,
      runner: async () => {
        runs.push(Date.now());
        return runs.length < 3 ? { retryable: true } : undefined;
      },
      log: silentLog,
      retry,
    });
    await queue.enqueue(job('api'));
    await waitFor(() => runs.length === 1);
    await waitFor(async () => (await queue.stats()).waiting === 1); // backing off, not lost
    await waitFor(() => runs.length === 3);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(35);
    expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(70);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toHaveLength(3); // succeeded: no more runs
    expect(await queue.stats()).toEqual({ waiting: 0, running: 0 });
    await queue.close();
  });

  test("retries stop after the policy's last attempt: bounded work, never a spin", async () => {
    let runs = 0;
    const queue = createInProcessQueue({
      listRepositories: noListing,
      runner: async () => {
        runs += 1;
        return { retryable: true };
      },
      log: silentLog,
      retry,
    });
    await queue.enqueue(job('api'));
    await waitFor(() => runs === retry.attempts);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(runs).toBe(retry.attempts);
    expect(await queue.stats()).toEqual({ waiting: 0, running: 0 });
    await queue.close();
  });

  test('an installation that cannot be listed while GitHub is unavailable is listed again later', async () => {
    let listings = 0;
    const runs: ScanJob[] = [];
    const unavailable = Object.assign(new Error('Bad Gateway'), { status: 502 });
    const queue = createInProcessQueue({
      listRepositories: async (installation) => {
        listings += 1;
        if (listings < 3) throw unavailable;
        return [{ ...job('api'), requestedAt: installation.requestedAt }];
      },
      runner: async (j) => void runs.push(j),
      log: silentLog,
      retry,
    });
    await queue.enqueueInstallation({ installationId: 1, reason: 'schedule', requestedAt: 5 });
    await waitFor(() => runs.length === 1);
    expect(listings).toBe(3);
    await queue.close();
  });
});

describe("a sweep's scan looks at its installation's budget again when it is about to start", () => {
  // The installation's rate limit as GitHub's answers report it; a scan's first answer sets it.
  const seen = { limit: 5000, remaining: 5000, resetAt: 0 };
  const budget = budgetOver(seen);
  beforeEach(() => Object.assign(seen, { remaining: 5000, resetAt: 0 }));

  /**
   * A queue of one scan at a time whose installation lists `count` repositories for a sweep with
   * no spread (all due at once); its first scan's answer says 100 of 5000 left until `resetIn`.
   */
  function sweptQueue(count: number, resetIn: number) {
    const runs: Array<{ job: ScanJob; at: number }> = [];
    let heldBack = 0;
    const queue = createInProcessQueue({
      concurrency: 1,
      log: silentLog,
      listRepositories: listingOf(count),
      runner: async (j) => {
        runs.push({ job: j, at: Date.now() });
        if (runs.length === 1) Object.assign(seen, { remaining: 100, resetAt: Date.now() + resetIn });
      },
      pacing: (startedAt): SweepPacer => {
        const pacer = createSweepPacer({ budget, share: 0.8, spreadMs: 0, startedAt, log: silentLog });
        return {
          ...pacer,
          waitMs: (...args) => {
            const wait = pacer.waitMs(...args);
            if (wait > 0) heldBack += 1;
            return wait;
          },
        };
      },
    });
    return { queue, runs, heldBack: () => heldBack };
  }

  test('scans queued while the budget was fine are held once it runs out; a push for one runs at once', async () => {
    const { queue, runs, heldBack } = sweptQueue(50, 3_600_000);
    await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: Date.now() });
    // All 50 were queued before the first scan answered; the other 49 find the budget spent.
    await waitFor(() => heldBack() === 49);
    expect(runs).toHaveLength(1);
    expect(await queue.stats()).toEqual({ waiting: 49, running: 0 });

    await queue.enqueue({ ...job('r7', 'push'), requestedAt: Date.now() });
    await waitFor(() => runs.length === 2);
    expect(runs[1]!.job).toMatchObject({ repo: 'r7', reason: `${SCHEDULED_SWEEP}, push` });
    await waitFor(async () => (await queue.stats()).running === 0);
    expect(await queue.stats()).toEqual({ waiting: 48, running: 0 });
    await queue.close();
  });

  test('held scans start once the window resets, none before', async () => {
    const { queue, runs } = sweptQueue(20, 500);
    await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: Date.now() });
    await waitFor(() => runs.length === 20, 10_000);
    for (const run of runs.slice(1)) expect(run.at).toBeGreaterThanOrEqual(seen.resetAt);
    expect(new Set(runs.map((run) => run.job.repo)).size).toBe(20);
    await queue.close();
  });
});
