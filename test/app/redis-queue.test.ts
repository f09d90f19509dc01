// The BullMQ queue against a real redis-server: two replicas split the work, never scan one
// repository at the same time, coalesce triggers, and run the schedule once per tick.
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'probot';
import {
  connect,
  createRedisQueue,
  createScanProducer,
  wakeJobId,
  type RedisJobQueue,
} from '../../src/app/redis-queue.js';
import type { JobRunner, RetryPolicy, ScanJob } from '../../src/app/queue.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { budgetOver, job, listingOf, waitFor } from './helpers.js';
import {
  COMMAND_SWEEP,
  createSweepPacer,
  SCHEDULED_SWEEP,
  type SweepPacing,
} from '../../src/app/sweep-pacer.js';
import { sweepOnQueue } from '../../src/cli/sweep-queue.js';

const silentLog = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
} as unknown as Logger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisServer;
let queues: RedisJobQueue[] = [];
let queueName: string;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  queueName = `test-${Math.random().toString(36).slice(2)}`;
});
afterEach(async () => {
  await Promise.all(queues.map((q) => q.close()));
  queues = [];
});

/**
 * Shared across the replicas (same process): which repositories run now, and where. Every scan
 * that starts before `release()` lasts until then, so the test decides when scans end, not the clock.
 */
function recorder() {
  const active = new Map<string, number>();
  const runs: Array<{ replica: string; repo: string; reason: string }> = [];
  let overlap = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runnerFor = (replica: string) => async (j: ScanJob) => {
    const now = (active.get(j.repo) ?? 0) + 1;
    active.set(j.repo, now);
    if (now > 1) overlap += 1;
    runs.push({ replica, repo: j.repo, reason: j.reason });
    await gate;
    active.set(j.repo, (active.get(j.repo) ?? 1) - 1);
  };
  return { runs, runnerFor, overlap: () => overlap, release: () => release() };
}

function replica(
  runner: JobRunner,
  extra: {
    sweep?: () => Promise<unknown>;
    retry?: RetryPolicy;
    lockDuration?: number;
    pacing?: SweepPacing;
  } = {},
) {
  const queue = createRedisQueue({
    url: redis.url,
    runner,
    listRepositories: async ({ installationId, reason, requestedAt }) =>
      ['api', 'web'].map((repo) => ({ installationId, owner: 'acme', repo, reason, requestedAt })),
    log: silentLog,
    name: queueName,
    concurrency: 2,
    ...extra,
  });
  queues.push(queue);
  return queue;
}

/** Runs `act` with a queue handle of its own on the test's queue. */
async function onQueue<T>(act: (queue: Queue, connection: Redis) => Promise<T>): Promise<T> {
  const connection = connect(redis.url);
  const queue = new Queue(queueName, { connection });
  try {
    return await act(queue, connection);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/** A job's state by id ('unknown' once done: jobs are removed on completion). */
const stateOf = (id: string) => onQueue((queue) => queue.getJobState(id));

/** Makes a delayed job due now, as if its delay had run out. */
const promote = (id: string) =>
  onQueue(async (queue) => {
    const delayed = await Job.fromId(queue, id);
    if (!delayed) throw new Error(`no job ${id}`);
    await delayed.promote();
  });

const idle = async (queue: RedisJobQueue) => {
  const stats = await queue.stats();
  return stats.waiting === 0 && stats.running === 0;
};

test('two replicas split the jobs and never scan the same repository at once', async () => {
  const rec = recorder();
  const one = replica(rec.runnerFor('one'));
  const two = replica(rec.runnerFor('two'));
  const repos = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  for (const repo of repos) await one.enqueue(job(repo, 'round0'));
  // Both replicas' two slots are taken by scans held open: the work is split, and four wait.
  await waitFor(async () => (await one.stats()).running === 4, 10_000);
  expect(new Set(rec.runs.map((r) => r.replica))).toEqual(new Set(['one', 'two']));
  // Triggers keep coming from both replicas while those scans run.
  for (let round = 1; round < 4; round += 1) {
    for (const repo of repos) await (round % 2 ? one : two).enqueue(job(repo, `round${round}`));
  }
  rec.release();
  await waitFor(() => idle(one), 10_000);
  expect(rec.overlap()).toBe(0);
  expect(new Set(rec.runs.map((r) => r.repo))).toEqual(new Set(repos));
  // Coalesced: a repository scanned while triggers came runs once more afterwards; one that waited
  // runs once. Never a run per trigger (32).
  const perRepo = repos.map((repo) => rec.runs.filter((r) => r.repo === repo).length);
  expect(Math.max(...perRepo)).toBeLessThanOrEqual(2);
  expect(rec.runs.length).toBeLessThanOrEqual(12);
});

test('a trigger while the repository is being scanned runs once more afterwards', async () => {
  const runs: string[] = [];
  let active = 0;
  let overlap = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const runner: JobRunner = async (j) => {
    active += 1;
    if (active > 1) overlap += 1;
    runs.push(j.reason);
    if (runs.length === 1) await gate; // the first scan lasts until the triggers below are in
    active -= 1;
  };
  const one = replica(runner);
  replica(runner);
  await one.enqueue(job('api', 'schedule'));
  await waitFor(() => runs.length === 1, 5000);
  await one.enqueue(job('api', 'push'));
  await one.enqueue(job('api', 'pull_request.closed'));
  expect(await one.stats()).toMatchObject({ running: 1 });
  release();
  await waitFor(() => runs.length === 2, 5000);
  await sleep(500);
  expect(runs).toEqual(['schedule', 'pull_request.closed']);
  expect(overlap).toBe(0);
});

test('the sweep schedule fires on one replica per tick', async () => {
  const sweeps: number[] = [];
  const noop = async () => undefined;
  const one = replica(noop, { sweep: async () => void sweeps.push(Date.now()) });
  const two = replica(noop, { sweep: async () => void sweeps.push(Date.now()) });
  const started = Date.now();
  // Every replica sets the schedule at startup, at the same moment; it stays one schedule.
  await Promise.all([one.scheduleSweep('* * * * * *'), two.scheduleSweep('* * * * * *')]);
  // Six sweeps need at least five tick boundaries when each tick runs once; on both replicas
  // they would come after three, well within the ticks counted below.
  await waitFor(() => sweeps.length >= 6, 30_000);
  const elapsedTicks = Math.ceil((Date.now() - started) / 1000);
  expect(sweeps.length).toBeLessThanOrEqual(elapsedTicks + 1);
  expect(elapsedTicks).toBeGreaterThanOrEqual(5);

  // `off` removes the shared schedule. A tick already queued may still run; once nothing is
  // queued or running and no scheduler is left, nothing can run any more.
  await one.scheduleSweep(null);
  await waitFor(() => idle(one), 10_000);
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const inspect = new Queue(queueName, { connection });
  try {
    expect(await inspect.getJobSchedulersCount()).toBe(0);
    expect(await one.stats()).toEqual({ waiting: 0, running: 0 });
  } finally {
    await inspect.close();
    await connection.quit();
  }
});

test('a trigger merged into a waiting job still raises how fresh its answers must be', async () => {
  const seen: ScanJob[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const one = replica(async (j) => {
    if (j.repo !== 'api') await gate; // keeps both worker slots busy so `api` waits
    seen.push(j);
  });
  await one.enqueue(job('busy-1'));
  await one.enqueue(job('busy-2'));
  await waitFor(async () => (await one.stats()).running === 2, 5000);
  await one.enqueue({ ...job('api', 'schedule'), requestedAt: 1_000 });
  await one.enqueue({ ...job('api', 'registry_package'), requestedAt: 2_000 });
  release();
  await waitFor(() => seen.filter((j) => j.repo === 'api').length === 1, 5000);
  await sleep(300);
  const api = seen.filter((j) => j.repo === 'api');
  expect(api).toHaveLength(1);
  expect(api[0]!.requestedAt).toBe(2_000);
});

test('a scan held back by the schedule window is run again when the window opens, once', async () => {
  const runs: ScanJob[] = [];
  const runner: JobRunner = async (j) => {
    runs.push(j);
    return runs.length === 1 ? { rescanAt: new Date(Date.now() + 400) } : undefined;
  };
  // Two replicas both see the first result: the wake-up is still one job.
  const one = replica(runner);
  replica(runner);
  await one.enqueue(job('api', 'push'));
  await waitFor(() => runs.length === 2, 5000);
  await sleep(600);
  expect(runs.map((r) => r.reason)).toEqual(['push', 'schedule window']);
});

test('an installation job fans out to its repositories on whichever replica takes it', async () => {
  const runs: ScanJob[] = [];
  const one = replica(async (j) => void runs.push(j));
  replica(async (j) => void runs.push(j));
  await one.enqueueInstallation({ installationId: 9, reason: 'package', requestedAt: 4321 });
  await waitFor(() => runs.length === 2, 5000);
  await sleep(300);
  expect(runs.map((r) => `${r.repo} ${r.reason} ${r.requestedAt}`).sort()).toEqual([
    'api package 4321',
    'web package 4321',
  ]);
});

test('a scan that met an unavailable GitHub is retried by BullMQ after its backoff, then done', async () => {
  const runs: number[] = [];
  const runner: JobRunner = async () => {
    runs.push(Date.now());
    return runs.length < 3 ? { retryable: true } : undefined;
  };
  const one = replica(runner, { retry: { attempts: 5, baseMs: 200, maxDelayMs: 400 } });
  await one.enqueue(job('api'));
  await waitFor(() => runs.length === 1, 5000);
  await waitFor(async () => (await one.stats()).waiting === 1, 2000); // delayed, not lost
  await waitFor(() => runs.length === 3, 5000);
  expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(170);
  expect(runs[2]! - runs[1]!).toBeGreaterThanOrEqual(340);
  await sleep(800);
  expect(runs).toHaveLength(3);
  expect(await one.stats()).toEqual({ waiting: 0, running: 0 });
});

test("a scheduled sweep's repositories wait for their slots as delayed wake-ups; over budget, for the reset", async () => {
  const started: Array<{ repo: string; at: number }> = [];
  const seen = { limit: 100, remaining: 100, resetAt: 0 };
  const budget = budgetOver(seen);
  const spreadMs = 500;
  const queue = replica(
    async (j: ScanJob) => {
      started.push({ repo: j.repo, at: Date.now() });
    },
    {
      pacing: (startedAt) => createSweepPacer({ budget, share: 0.8, spreadMs, startedAt, log: silentLog }),
    },
  );
  const sweepStart = Date.now();
  await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: sweepStart });
  await waitFor(() => started.length === 2);
  expect(started.find((s) => s.repo === 'web')!.at).toBeGreaterThanOrEqual(sweepStart + spreadMs / 2);

  // Over budget: the wake-ups are put back (delayed), no scan starts until the window resets.
  seen.remaining = 5;
  seen.resetAt = Date.now() + 1_500;
  const next = Date.now();
  await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: next });
  await waitFor(() => started.length === 4, 15_000);
  for (const run of started.slice(2)) expect(run.at).toBeGreaterThanOrEqual(seen.resetAt);
});

const SCANNED = { ok: true, updates: 0, lookupErrors: 0, deferred: 0, created: 0, updated: 0, closed: 0 };

describe("a push during a scan is never dropped for a sweep's wake-up", () => {
  // The sequence: a sweep asks for the repository at T (its wake-up waits for its slot); a webhook's
  // scan S starts after T; push W comes during S and is parked; the wake-up fires during S and is
  // parked over W (BullMQ keeps the last job added). S answered T but began before W: W must run.
  test.each([
    ['stamped by the same clock', () => Date.now()],
    // A replica whose clock is behind stamps W before S's trigger: times cannot decide it.
    ['stamped by a clock ten minutes behind', () => Date.now() - 600_000],
  ])('W %s is scanned after S', async (_name, stampW) => {
    const runs: ScanJob[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const one = replica(async (j) => {
      runs.push(j);
      if (runs.length === 1) await gate; // S lasts until W and the wake-up are parked
      return { result: { ...SCANNED } };
    });
    const sweepAt = Date.now();
    const slot = sweepAt + 3_600_000; // far off: the test fires it (promote), not the clock
    const sweepJob = { ...job('api', COMMAND_SWEEP), requestedAt: sweepAt };
    await onQueue((queue, connection) => createScanProducer(connection, queue).enqueueAt(sweepJob, slot));
    await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() }); // S
    await waitFor(() => runs.length === 1);
    const w = { ...job('api', 'push'), requestedAt: stampW() };
    await one.enqueue(w); // W, parked while S runs
    const wakeId = wakeJobId(sweepJob, slot);
    await promote(wakeId);
    await waitFor(async () => (await stateOf(wakeId)) === 'unknown'); // the wake-up ran: parked over W
    expect(runs).toHaveLength(1);
    release();
    await waitFor(() => runs.length === 2);
    await waitFor(() => idle(one));
    expect(runs).toHaveLength(2);
    expect(runs[1]!.requestedAt).toBeGreaterThanOrEqual(Math.max(sweepAt, w.requestedAt));
  });

  test("the sweep's wake-up alone, parked during a scan that began after the sweep, stands down", async () => {
    const runs: ScanJob[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const one = replica(async (j) => {
      runs.push(j);
      if (runs.length === 1) await gate;
      return { result: { ...SCANNED } };
    });
    const sweepAt = Date.now();
    const slot = sweepAt + 3_600_000;
    const sweepJob = { ...job('api', COMMAND_SWEEP), requestedAt: sweepAt };
    await onQueue((queue, connection) => createScanProducer(connection, queue).enqueueAt(sweepJob, slot));
    await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() });
    await waitFor(() => runs.length === 1);
    const wakeId = wakeJobId(sweepJob, slot);
    await promote(wakeId);
    await waitFor(async () => (await stateOf(wakeId)) === 'unknown');
    release();
    await waitFor(() => idle(one));
    expect(runs.map((r) => r.reason)).toEqual(['push']);
  });
});

describe("a sweep's scan looks at its installation's budget again when it is about to start", () => {
  // The installation's rate limit as GitHub's answers report it.
  const seen = { limit: 5000, remaining: 5000, resetAt: 0 };
  const budget = budgetOver(seen);
  const overBudget = () => Object.assign(seen, { remaining: 100, resetAt: Date.now() + 3_600_000 });
  beforeEach(() => Object.assign(seen, { remaining: 5000, resetAt: 0 }));
  const pacing: SweepPacing = (startedAt) =>
    createSweepPacer({ budget, share: 0.8, spreadMs: 0, startedAt, log: silentLog });
  const counts = () => onQueue((queue) => queue.getJobCounts('waiting', 'delayed', 'active'));
  /** The delayed wake-up of acme/`repo`. */
  const wakeOf = (repo: string) =>
    onQueue(async (queue) =>
      (await queue.getDelayed()).find((j) => j.name === 'wake' && j.data.repo === repo),
    );

  test('scans queued while the budget was fine go back to waiting once it runs out; a push for one runs at once', async () => {
    const runs: ScanJob[] = [];
    const queue = createRedisQueue({
      url: redis.url,
      name: queueName,
      log: silentLog,
      concurrency: 1,
      listRepositories: listingOf(30),
      runner: async (j) => {
        runs.push(j);
        if (runs.length === 1) overBudget(); // the first scan's answers: 100 of 5000 left
        return { result: { ...SCANNED } };
      },
      pacing,
    });
    queues.push(queue);
    await queue.enqueueInstallation({ installationId: 1, reason: SCHEDULED_SWEEP, requestedAt: Date.now() });
    // Every wake-up was due at once and became a scan before the first scan answered.
    await waitFor(async () => {
      const { waiting, delayed, active } = await counts();
      return waiting === 0 && active === 0 && delayed === 29;
    }, 15_000);
    expect(runs).toHaveLength(1);

    await queue.enqueue({ ...job('r7', 'push'), requestedAt: Date.now() });
    await waitFor(() => runs.length === 2);
    expect(runs[1]).toMatchObject({ repo: 'r7', reason: 'push' });
    // r7's wake-up, made due, finds the push's scan answered it and stands down.
    const wake = await wakeOf('r7');
    await promote(wake!.id!);
    await waitFor(async () => (await stateOf(wake!.id!)) === 'unknown');
    await waitFor(async () => (await counts()).active === 0);
    expect(runs).toHaveLength(2);
  });

  // S (a push's scan) runs; the sweep asks for the repository; its wake-up, due while the budget is
  // fine, is parked behind S. The budget runs out before S ends.
  async function parkedBehindScan(pushDuringScan: boolean) {
    const runs: ScanJob[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const one = replica(
      async (j) => {
        runs.push(j);
        if (runs.length === 1) await gate;
        return { result: { ...SCANNED } };
      },
      { pacing },
    );
    await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() }); // S
    await waitFor(() => runs.length === 1);
    if (pushDuringScan) await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() }); // W, parked
    const sweepAt = Date.now();
    const slot = sweepAt + 3_600_000;
    const sweepJob = { ...job('api', SCHEDULED_SWEEP), requestedAt: sweepAt };
    await onQueue((queue, connection) => createScanProducer(connection, queue).enqueueAt(sweepJob, slot));
    const wakeId = wakeJobId(sweepJob, slot);
    await promote(wakeId);
    await waitFor(async () => (await stateOf(wakeId)) === 'unknown'); // parked over W, if any
    overBudget();
    release();
    return { runs, one };
  }

  test("a push parked under the sweep's data is scanned, over budget or not", async () => {
    const { runs } = await parkedBehindScan(true);
    await waitFor(() => runs.length === 2);
    expect(runs[1]!.reason).toBe(SCHEDULED_SWEEP); // BullMQ kept the sweep's data, not W's
  });

  test("the sweep's scan alone waits for the budget as a wake-up, which a push's scan answers", async () => {
    const { runs, one } = await parkedBehindScan(false);
    await waitFor(async () => (await wakeOf('api')) !== undefined);
    await waitFor(async () => (await counts()).active === 0);
    expect(runs).toHaveLength(1);
    await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() });
    await waitFor(() => runs.length === 2);
    const wake = await wakeOf('api');
    await promote(wake!.id!);
    await waitFor(async () => (await stateOf(wake!.id!)) === 'unknown');
    await waitFor(() => idle(one));
    expect(runs.map((r) => r.reason)).toEqual(['push', 'push']);
  });
});

test('a schedule window opening months ahead holds back no trigger before it', async () => {
  const runs: ScanJob[] = [];
  const rescanAt = Date.now() + 60 * 24 * 3_600_000; // beyond BullMQ's capped delay (~24.8 days)
  const one = replica(async (j) => {
    runs.push(j);
    return runs.length === 1
      ? { result: { ...SCANNED }, rescanAt: new Date(rescanAt) }
      : { result: { ...SCANNED } };
  });
  await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() });
  const wakeId = wakeJobId({ ...job('api') }, rescanAt);
  await waitFor(async () => (await stateOf(wakeId)) === 'delayed');
  // Its capped delay runs out long before the window opens: it waits again, and scans nothing.
  await promote(wakeId);
  await waitFor(async () => (await stateOf(wakeId)) === 'delayed');
  expect(runs).toHaveLength(1);
  // A push now is scanned, and no scan asked for registry answers from the future.
  await one.enqueue({ ...job('api', 'push'), requestedAt: Date.now() });
  await waitFor(() => runs.length === 2);
  for (const run of runs) expect(run.requestedAt).toBeLessThanOrEqual(Date.now());
});

describe('freshbase sweep on the shared queue: paced like the scheduled sweep', () => {
  const seen = { limit: 100, remaining: 100, resetAt: 0 };
  const budget = budgetOver(seen);
  beforeEach(() => Object.assign(seen, { remaining: 100, resetAt: 0 }));

  /** A replica whose scans succeed (their results kept for the sweep), recording when each started. */
  function pacedReplica(started: Array<{ repo: string; reason: string; at: number }>) {
    return replica(
      async (j: ScanJob) => {
        started.push({ repo: j.repo, reason: j.reason, at: Date.now() });
        return { result: { ...SCANNED } };
      },
      {
        // The replica's own spread does not matter here: the sweep's wake-ups carry its slots.
        pacing: (startedAt) =>
          createSweepPacer({ budget, share: 0.8, spreadMs: 0, startedAt, log: silentLog }),
      },
    );
  }

  const sweepJobs = (requestedAt: number, repos: string[]): ScanJob[] =>
    repos.map((repo) => ({ installationId: 1, owner: 'acme', repo, reason: COMMAND_SWEEP, requestedAt }));

  test('repositories start at their slots in FRESHBASE_SWEEP_SPREAD; the wait is not a timeout', async () => {
    const started: Array<{ repo: string; reason: string; at: number }> = [];
    pacedReplica(started);
    const requestedAt = Date.now();
    // b's slot (2.5 s in) comes after the sweep's first look for results without any (2 s).
    const spreadMs = 5_000;
    const swept = await sweepOnQueue({
      url: redis.url,
      jobs: sweepJobs(requestedAt, ['a', 'b']),
      requestedAt,
      spreadMs,
      // Shorter than the spread: delayed wake-ups keep the sweep waiting, not giving up. (Longer
      // than a loaded replica may take to pick up a due wake-up: one still untaken this long after
      // its slot says no replica runs.)
      timeoutMs: 1_500,
      log: silentLog,
      name: queueName,
    });
    expect(swept.timedOut).toBeNull();
    expect([...swept.results.keys()].sort()).toEqual(['acme/a', 'acme/b']);
    expect(started.map((s) => s.repo)).toEqual(['a', 'b']);
    expect(started[1]!.at).toBeGreaterThanOrEqual(requestedAt + spreadMs / 2);
  });

  test("over the installation's sweep budget nothing starts before the window resets", async () => {
    const started: Array<{ repo: string; reason: string; at: number }> = [];
    pacedReplica(started);
    seen.remaining = 5;
    seen.resetAt = Date.now() + 2_500; // past the sweep's first look for results (2 s)
    const requestedAt = Date.now();
    const swept = await sweepOnQueue({
      url: redis.url,
      jobs: sweepJobs(requestedAt, ['a', 'b']),
      requestedAt,
      spreadMs: 0,
      timeoutMs: 1_500,
      log: silentLog,
      name: queueName,
    });
    expect(swept.timedOut).toBeNull();
    expect(started).toHaveLength(2);
    for (const run of started) expect(run.at).toBeGreaterThanOrEqual(seen.resetAt);
  });

  test("a webhook's scan while the sweep's wake-up waits answers the sweep: the repository is not scanned twice", async () => {
    const started: Array<{ repo: string; reason: string; at: number }> = [];
    const queue = pacedReplica(started);
    const requestedAt = Date.now();
    const spreadMs = 120_000; // b's slot: a minute in, long after the push below
    const sweeping = sweepOnQueue({
      url: redis.url,
      jobs: sweepJobs(requestedAt, ['a', 'b']),
      requestedAt,
      spreadMs,
      timeoutMs: 5_000,
      log: silentLog,
      name: queueName,
    });
    await waitFor(() => started.length === 1);
    await queue.enqueue({ ...job('b', 'push'), installationId: 1, requestedAt: Date.now() });
    const swept = await sweeping;
    expect(swept.timedOut).toBeNull();
    expect(swept.results.size).toBe(2);
    // b's wake-up, made due now, finds the push's scan answered the sweep and stands down.
    const wakeId = wakeJobId(sweepJobs(requestedAt, ['b'])[0]!, requestedAt + spreadMs / 2);
    expect(await stateOf(wakeId)).toBe('delayed');
    await promote(wakeId);
    await waitFor(async () => (await stateOf(wakeId)) === 'unknown');
    await waitFor(() => idle(queue));
    // b ran for the push, which came after the sweep began; its wake-up found that and stood down.
    expect(started.map((s) => `${s.repo} ${s.reason}`)).toEqual(['a sweep', 'b push']);
  });

  test('with no replica running, a spread sweep still gives up after its timeout', async () => {
    const requestedAt = Date.now();
    const swept = await sweepOnQueue({
      url: redis.url,
      jobs: sweepJobs(requestedAt, ['a', 'b', 'c']),
      requestedAt,
      spreadMs: 3_600_000, // b and c wait for slots far off; a is due at once, and nobody takes it
      timeoutMs: 1_000,
      log: silentLog,
      name: queueName,
    });
    expect(swept.timedOut).toBe(
      'no replica consumed the jobs within 1 s; is the app running with the same REDIS_URL?',
    );
    expect(swept.results.size).toBe(0);
  }, 20_000);
});
