// The job queue over Redis (BullMQ), used when REDIS_URL is set so that several replicas split
// the scans.
//
// Per-repository exclusion and coalescing come from BullMQ's deduplication with
// `keepLastIfActive`, keyed by repository: while a repository's job waits, further triggers are
// merged into it; while it runs, the latest trigger is parked in Redis and becomes a new job
// only when the running one finishes. So at most one job per repository is active and one
// waiting, cluster-wide, decided atomically in BullMQ's Lua scripts; no lock of our own to renew.
// A replica that dies mid-scan stops renewing its job lock (renewed every lockDuration / 2); once
// it expires, the next stalled check of a live replica puts the job back in the queue, so a job is
// handed over within LOCK_DURATION_MS + STALLED_INTERVAL_MS (20 s), and the reconcile is
// idempotent (GitHub is the state). A job that met an unavailable GitHub is retried by BullMQ with
// the backoff of RetryPolicy.
//
// Deduplication keeps one job's data (the waiting job's, or the last one parked), so a newer
// trigger's time (how fresh its registry answers must be) is kept apart, and each trigger is
// counted per repository (trigger-counts.ts): a scan reads the count and the time when it starts,
// and its result says which triggers it answered.
//
// A repository whose schedule window held updates back gets a delayed `wake` job that, when the
// window opens, enqueues an ordinary scan as a new trigger (so the per-repository exclusion above
// still holds); a sweep's repositories (the schedule's and `freshbase sweep`'s) get one each at its
// slot in the sweep's spread, counted as a trigger when the sweep asks, and put back while the
// installation is over its sweep budget. The budget is looked at again when the scan starts (scans
// queued while it was fine must not run over it): a scan that stands only for sweeps' triggers goes
// back to being a wake-up then. One that stands for a trigger of any other kind (a webhook's) runs:
// each such trigger's number is kept per repository, so a scan knows whether it answers one.
//
// Each scan's result is kept in Redis for a day under its repository, with the trigger count it
// answered (`freshbase sweep` on the shared queue waits for results that answer its own trigger).
// A scan is not run again when a successful scan began after every trigger so far; a sweep's
// wake-up, when one began after the sweep's trigger.
//
// The schedule runs once per tick cluster-wide through a BullMQ job scheduler: every replica
// upserts the same scheduler id, Redis holds one next-tick job, and whichever worker takes it
// runs the sweep.
import { DelayedError, Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'probot';
import { isTransientGitHubError } from '../github/request-error.js';
import {
  DEFAULT_RETRY,
  MAX_RESCAN_DELAY_MS,
  retryDelayMs,
  type RetryPolicy,
  repositoryKey,
  rescanJob,
  type InstallationJob,
  type JobQueue,
  type JobRunner,
  type RepositoryLister,
  type ScanJob,
} from './queue.js';
import { describeError } from '../errors.js';
import { PACING_POLL_MS, sweepPacers, type SweepPacing } from './sweep-pacer.js';
import {
  answered,
  countTrigger,
  readResult,
  readTriggers,
  storeResult,
  type StoredResult,
} from './trigger-counts.js';

const SCAN = 'scan';
const SWEEP = 'sweep';
const WAKE = 'wake';
const INSTALLATION = 'installation';
const SWEEP_SCHEDULER_ID = 'freshbase-sweep';
/**
 * A job's lock lives this long without renewal. Shorter hands a dead replica's jobs over sooner, but
 * a replica whose event loop stalls longer than this loses its job to another replica (harmless:
 * the reconcile is idempotent, only work is repeated).
 */
export const LOCK_DURATION_MS = 15_000;
/** How often each replica looks for jobs whose lock expired. */
export const STALLED_INTERVAL_MS = 5_000;
/** Handovers a job survives (replicas dying under it) before it is failed as poison. */
const MAX_STALLED_COUNT = 3;
const BACKOFF = 'freshbase';
/** Failed jobs are rare (the runner reports its own failures); keep a few for inspection. */
const KEEP_FAILED = 100;

/** The queue the replicas share, unless tests name their own. */
export const DEFAULT_QUEUE_NAME = 'freshbase-scans';
export function connect(url: string): Redis {
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for that.
  return new Redis(url, { maxRetriesPerRequest: null });
}

function jobOptionsFor(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: BACKOFF },
    removeOnComplete: true,
    removeOnFail: KEEP_FAILED,
  };
}

export interface ScanProducer {
  /** Queues a repository's scan, merged into one already waiting for it (see the top of this file). */
  enqueue(job: ScanJob): Promise<void>;
  /**
   * Queues a sweep's repository for its slot (ms since the epoch) as a delayed `wake` job — not as
   * a delayed scan, which a webhook's scan of the repository would be merged into and wait with.
   * When due, a replica enqueues the scan once the installation's sweep budget allows. Returns the
   * sweep's trigger number: a stored result answers the sweep when its `answered` is at least that.
   */
  enqueueAt(job: ScanJob, slotAt: number): Promise<number>;
}

/** A `wake` job's data: a sweep's carries its trigger number; a schedule window's has none. */
type WakeData = ScanJob & { trigger?: number };

/** The id of a wake-up: one per repository and due time, however often it is asked for. */
export const wakeJobId = (job: ScanJob, at: number): string => `${WAKE}:${repositoryKey(job)}:${at}`;

/** Adds the scan job itself; its trigger must already be counted (`countTrigger`). */
function addScan(queue: Queue, jobOptions: JobsOptions, job: ScanJob): Promise<unknown> {
  return queue.add(SCAN, job, {
    ...jobOptions,
    deduplication: { id: repositoryKey(job), keepLastIfActive: true },
  });
}

/** Adds a wake-up due at `at`; one that fires before it (its delay capped) puts itself back. */
function addWake(queue: Queue, jobOptions: JobsOptions, data: WakeData, at: number): Promise<unknown> {
  return queue.add(WAKE, data, {
    jobId: wakeJobId(data, at),
    delay: Math.min(Math.max(0, at - Date.now()), MAX_RESCAN_DELAY_MS),
    ...jobOptions,
  });
}

/** Puts scan jobs on the shared queue: what the replicas' triggers and `freshbase sweep` both use. */
export function createScanProducer(
  connection: Redis,
  queue: Queue,
  retry: RetryPolicy = DEFAULT_RETRY,
): ScanProducer {
  const jobOptions = jobOptionsFor(retry);
  return {
    async enqueue(job) {
      await countTrigger(connection, queue.name, job, false);
      await addScan(queue, jobOptions, job);
    },
    async enqueueAt(job, slotAt) {
      // Counted now, so a scan of the repository that starts meanwhile (a webhook's) answers this
      // sweep, and the wake-up finds it done.
      const trigger = await countTrigger(connection, queue.name, job, true);
      await addWake(queue, jobOptions, { ...job, trigger }, slotAt);
      return trigger;
    },
  };
}

export interface RedisQueueOptions {
  url: string;
  runner: JobRunner;
  listRepositories: RepositoryLister;
  log: Logger;
  /** Runs a scheduled sweep (enqueues every repository); called on one replica per tick. */
  sweep?: () => Promise<unknown>;
  /** Repositories this replica scans at once (default 4). */
  concurrency?: number;
  /** Queue name; tests give each run its own. */
  name?: string;
  /** How long a job stays owned without a heartbeat (default LOCK_DURATION_MS). */
  lockDuration?: number;
  /** How often stalled jobs are looked for (default STALLED_INTERVAL_MS). */
  stalledInterval?: number;
  retry?: RetryPolicy;
  /** Paces a scheduled sweep's repositories (see sweep-pacer.ts); without it they start at once. */
  pacing?: SweepPacing;
}

/** Thrown to BullMQ so that it retries the job after the policy's backoff. */
class GitHubUnavailable extends Error {
  constructor(what: string) {
    super(`GitHub unavailable while ${what}`);
    this.name = 'GitHubUnavailable';
  }
}

export interface RedisJobQueue extends JobQueue {
  /** Sets (cron pattern) or removes (null) the cluster-wide sweep schedule. */
  scheduleSweep(pattern: string | null): Promise<void>;
  /** The queue's own (non-blocking) connection, shared with the state store; closed with the queue. */
  connection: Redis;
}

export function createRedisQueue(options: RedisQueueOptions): RedisJobQueue {
  const { runner, log } = options;
  const pacerOf = sweepPacers(options.pacing);
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const queueConnection = connect(options.url);
  const workerConnection = connect(options.url);
  type JobData = ScanJob | InstallationJob | Record<string, never>;
  const queue = new Queue<JobData>(name, { connection: queueConnection });
  const retry = options.retry ?? DEFAULT_RETRY;
  const jobOptions = jobOptionsFor(retry);
  const { enqueue, enqueueAt } = createScanProducer(queueConnection, queue as Queue, retry);

  /**
   * Puts a sweep's scan that is due while its installation is over the sweep's budget back as a
   * wake-up for trigger `count` (not as a delayed scan, which a webhook's trigger would be merged
   * into and wait with). True when held.
   */
  const heldForBudget = async (queued: ScanJob, count: number): Promise<boolean> => {
    const wait = pacerOf(queued)?.waitMs(queued.installationId, 0) ?? 0;
    if (wait <= 0) return false;
    const at = Date.now() + Math.min(wait, PACING_POLL_MS);
    await addWake(queue as Queue, jobOptions, { ...queued, trigger: count }, at);
    return true;
  };

  const runScan = async (queued: ScanJob): Promise<void> => {
    const key = repositoryKey(queued);
    const { count, latest, unpaced, stored } = await readTriggers(queueConnection, name, key);
    // Every trigger so far came before a successful scan began (this job's own, parked while that
    // scan ran, among them): it would only repeat that scan. Whatever job data BullMQ kept.
    if (answered(stored, count)) return;
    // BullMQ kept one trigger's data: a sweep's may stand for a webhook's merged or parked with it.
    const webhookPending = unpaced > (stored?.answered ?? 0);
    if (!webhookPending && (await heldForBudget(queued, count))) return;
    const requestedAt = Math.max(queued.requestedAt, latest);
    const followUp = await runner({ ...queued, requestedAt });
    if (followUp?.result) {
      const { result } = followUp;
      // Said now, though the job is retried: a sweep waiting for it must not wait out the backoff.
      if (followUp.retryable) result.error = `${result.error}; GitHub unavailable, retried later`;
      const kept: StoredResult = { answered: count, requestedAt, result };
      await storeResult(queueConnection, name, key, kept);
    }
    if (followUp?.retryable) throw new GitHubUnavailable(`scanning ${key}`);
    if (!followUp?.rescanAt) return;
    // One wake-up per repository and window opening, however many replicas ask for it.
    await addWake(
      queue as Queue,
      jobOptions,
      rescanJob(queued, followUp.rescanAt),
      followUp.rescanAt.getTime(),
    );
  };

  const fanOut = async (installation: InstallationJob): Promise<void> => {
    const jobs = await options.listRepositories(installation);
    const pacer = pacerOf(installation);
    if (pacer) pacer.planned(installation.installationId, jobs.length);
    for (const [index, scan] of jobs.entries()) {
      if (pacer) await enqueueAt(scan, pacer.slotAt(index, jobs.length));
      else await enqueue(scan);
    }
    log.info({ ...installation, repositories: jobs.length }, 'installation scans enqueued');
  };

  /** Puts a wake-up back for `waitMs`; BullMQ then leaves it delayed instead of completing it. */
  const putBack = async (job: Job<JobData>, token: string, waitMs: number): Promise<never> => {
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError();
  };

  /**
   * A schedule window's wake-up enqueues a scan as a new trigger, stamped now: never a time still to
   * come, which would ask for registry answers fresher than any. Fired before the window opens (its
   * delay was capped), it waits again. A sweep's wake-up enqueues the scan its trigger (counted when
   * the sweep asked) stands for, unless a scan that began since then already answered it, or its
   * sweep must wait for the installation's budget.
   */
  const wake = async (job: Job<JobData>, token: string | undefined): Promise<void> => {
    const { trigger, ...scan } = job.data as WakeData;
    if (trigger === undefined) {
      const early = scan.requestedAt - Date.now();
      if (early > 0 && token) await putBack(job, token, Math.min(early, MAX_RESCAN_DELAY_MS));
      await enqueue({ ...scan, requestedAt: Math.min(scan.requestedAt, Date.now()) });
      return;
    }
    if (answered(await readResult(queueConnection, name, repositoryKey(scan)), trigger)) return;
    const wait = pacerOf(scan)?.waitMs(scan.installationId, 0) ?? 0;
    if (wait > 0 && token) await putBack(job, token, Math.min(wait, PACING_POLL_MS));
    await addScan(queue as Queue, jobOptions, scan);
  };

  const worker = new Worker<JobData>(
    name,
    async (job: Job<JobData>, token?: string) => {
      try {
        if (job.name === SWEEP) await options.sweep?.();
        else if (job.name === INSTALLATION) await fanOut(job.data as InstallationJob);
        else if (job.name === WAKE) await wake(job, token);
        else {
          await runScan(job.data as ScanJob);
          // The `completed` event names the repository: `freshbase sweep` reads only its result.
          return repositoryKey(job.data as ScanJob);
        }
      } catch (error) {
        if (error instanceof DelayedError) throw error;
        const transient = error instanceof GitHubUnavailable || isTransientGitHubError(error);
        const attempt = { attempt: job.attemptsMade + 1, of: retry.attempts };
        log.error({ err: describeError(error), job: job.name, id: job.id, ...attempt }, 'queue job failed');
        // Only an unavailable GitHub is worth BullMQ's retry; anything else would fail the same way.
        if (transient) throw error;
      }
    },
    {
      connection: workerConnection,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockDuration ?? LOCK_DURATION_MS,
      stalledInterval: options.stalledInterval ?? STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLED_COUNT,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, retry) },
    },
  );
  // Connection errors are retried by ioredis; log them instead of crashing the process.
  const logError = (error: Error) => log.error({ err: describeError(error) }, 'redis queue error');
  queue.on('error', logError);
  worker.on('error', logError);

  return {
    connection: queueConnection,
    enqueue,
    async enqueueInstallation(installation) {
      // Not deduplicated: a second listing only re-enqueues scans, which are deduplicated per repository.
      await queue.add(INSTALLATION, installation, jobOptions);
    },
    async stats() {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active');
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        running: counts.active ?? 0,
      };
    },
    async scheduleSweep(pattern) {
      if (pattern === null) {
        await queue.removeJobScheduler(SWEEP_SCHEDULER_ID);
        return;
      }
      try {
        await queue.upsertJobScheduler(
          SWEEP_SCHEDULER_ID,
          { pattern, tz: 'UTC' },
          { name: SWEEP, data: {}, opts: jobOptions },
        );
      } catch (error) {
        // Two replicas starting together (or one starting while a tick runs) both set the schedule:
        // the second finds this tick's job already made and BullMQ refuses it. The schedule stands
        // if it is this pattern; a replica must not fail to start over that.
        const stored = await queue.getJobScheduler(SWEEP_SCHEDULER_ID);
        if (stored?.pattern !== pattern || stored.tz !== 'UTC') throw error;
        log.info({ pattern }, 'sweep schedule already set by another replica');
      }
    },
    async close() {
      // Worker.close() waits for the jobs this replica is running; the waiting ones stay in
      // Redis for the other replicas (or this one after a restart).
      await worker.close();
      await queue.close();
      await Promise.all([queueConnection.quit(), workerConnection.quit()]);
    },
  };
}
