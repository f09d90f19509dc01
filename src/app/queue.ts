// The job queue between triggers and repository scans, and its in-process implementation.
// A scan is keyed by repository: at most one runs per repository at a time, a trigger for a
// repository that is already waiting merges into that job, and one that arrives while the scan
// runs queues exactly one more scan after it (so a push during a scan is not lost).
import PQueue from 'p-queue';
import type { Logger } from 'probot';
import { describeError } from '../errors.js';
import { isTransientGitHubError } from '../github/request-error.js';
import { PACING_POLL_MS, type SweepPacer, sweepPacers, type SweepPacing } from './sweep-pacer.js';

export interface ScanJob {
  installationId: number;
  owner: string;
  repo: string;
  /** Why the scan was asked for (`push`, `schedule`, …); merged triggers list all of theirs. */
  reason: string;
  /**
   * When the trigger happened (ms since the epoch; a sweep's start for all its jobs). Registry
   * answers cached before it are fetched again, so a re-published tag is seen by the next scan
   * while one sweep still looks each tag up once.
   */
  requestedAt: number;
}

export interface QueueStats {
  /** Jobs not started yet (with Redis: across all replicas). */
  waiting: number;
  running: number;
}

/**
 * Scan every repository of one installation. Listing them can take many API pages, so it runs as a
 * job of its own (durable with Redis), never inside a webhook delivery.
 */
export interface InstallationJob {
  installationId: number;
  reason: string;
  /** Given to every scan job it fans out to (a sweep's start: one lookup per tag per sweep). */
  requestedAt: number;
}

/** The scan jobs of an installation's repositories. */
export type RepositoryLister = (job: InstallationJob) => Promise<ScanJob[]>;

export interface JobQueue {
  enqueue(job: ScanJob): Promise<void>;
  enqueueInstallation(job: InstallationJob): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Stops taking jobs, drops the waiting ones and waits for the running ones. */
  close(): Promise<void>;
}

/**
 * A finished scan as `freshbase sweep` sums it up. With Redis the queue keeps it for a while, so
 * a sweep that put the job on the shared queue learns what the replica that ran it did.
 */
export interface ScanResult {
  /** False: the scan failed (`error` says why); the counts are then 0. */
  ok: boolean;
  error?: string;
  updates: number;
  lookupErrors: number;
  /** Image lookups put off to the next sweep (a registry's pull budget). */
  deferred: number;
  created: number;
  updated: number;
  closed: number;
}

/** What a queue reads from a finished job: when to scan the repository again on its own. */
export interface JobFollowUp {
  /** What the scan did (the Redis queue keeps it for `freshbase sweep`). */
  result?: ScanResult;
  /** The repository's schedule window held updates back; scan again when it next opens. */
  rescanAt?: Date;
  /** GitHub was unavailable: run the job again after a backoff (see retryDelayMs). */
  retryable?: boolean;
}

/**
 * How a job that met an unavailable GitHub is retried: exponential backoff from `baseMs`, each delay
 * capped at `maxDelayMs`, at most `attempts` runs in all. The defaults ride out about an hour of
 * outage (30 s, 1, 2, 4, 8 min, then every 10 min) on top of Octokit's own per-request retries.
 */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, baseMs: 30_000, maxDelayMs: 10 * 60_000 };

/** Wait before run `attempt + 1`, after `attempt` runs failed (attempt ≥ 1); ±10 % jitter spreads replicas. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exact = Math.min(policy.baseMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(exact * (0.9 + 0.2 * random()));
}

/** Runs one job. Expected to report its own failures; a throw is logged by the queue. */
export type JobRunner = (job: ScanJob) => Promise<JobFollowUp | void>;

/** Longest a timer can wait (setTimeout's limit); a later window is re-planned by the next scan. */
export const MAX_RESCAN_DELAY_MS = 2 ** 31 - 1;

/** The job that a schedule window's opening starts. */
export function rescanJob(job: ScanJob, at: Date): ScanJob {
  return { ...job, reason: 'schedule window', requestedAt: at.getTime() };
}

/** GitHub owner/repo names are case-insensitive. */
export function repositoryKey(job: Pick<ScanJob, 'owner' | 'repo'>): string {
  return `${job.owner}/${job.repo}`.toLowerCase();
}

export function mergeJobs(current: ScanJob, next: ScanJob): ScanJob {
  const reasons = new Set([...current.reason.split(', '), ...next.reason.split(', ')]);
  // The later trigger's installation id wins: a repository moved between installations is
  // reached through the newer one.
  return {
    ...next,
    reason: [...reasons].join(', '),
    requestedAt: Math.max(current.requestedAt, next.requestedAt),
  };
}

export interface InProcessQueueOptions {
  runner: JobRunner;
  listRepositories: RepositoryLister;
  log: Logger;
  /** Repositories scanned at once (default 4). */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Paces a scheduled sweep's repositories (see sweep-pacer.ts); without it they start at once. */
  pacing?: SweepPacing;
}

export function createInProcessQueue(options: InProcessQueueOptions): JobQueue {
  const { runner, log } = options;
  const pool = new PQueue({ concurrency: options.concurrency ?? 4 });
  /** Queued and not started; exactly one pool task exists for each key here. */
  const waiting = new Map<string, ScanJob>();
  const running = new Set<string>();
  /** Triggers that arrived while their repository's scan was running. */
  const again = new Map<string, ScanJob>();
  /** One pending re-scan per repository, for the next opening of its schedule window. */
  const rescans = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Jobs waiting out a backoff after GitHub was unavailable, by repository (or installation). */
  const retries = new Map<string, { attempt: number; timer?: NodeJS.Timeout }>();
  const retryPolicy = options.retry ?? DEFAULT_RETRY;
  /** A scheduled sweep's repositories not enqueued yet: each waits for its slot and its budget. */
  const paced = new Set<NodeJS.Timeout>();
  /**
   * A sweep's scans that were due but found their installation over its budget when they were
   * about to start: each waits on a timer; a webhook's trigger for the repository ends the wait.
   */
  const held = new Map<string, { job: ScanJob; timer: NodeJS.Timeout }>();
  const pacerOf = sweepPacers(options.pacing);
  let closed = false;

  /** Runs `again` after a backoff, or gives up after the policy's last attempt; false then. */
  const retryLater = (key: string, again: () => void): boolean => {
    const attempt = (retries.get(key)?.attempt ?? 0) + 1;
    if (attempt >= retryPolicy.attempts) {
      retries.delete(key);
      return false;
    }
    const delay = retryDelayMs(attempt, retryPolicy);
    const timer = setTimeout(() => {
      retries.set(key, { attempt });
      again();
    }, delay);
    timer.unref();
    retries.set(key, { attempt, timer });
    log.warn({ key, attempt, delayMs: delay }, 'GitHub unavailable: job retried later');
    return true;
  };
  const succeeded = (key: string): void => {
    clearTimeout(retries.get(key)?.timer);
    retries.delete(key);
  };

  const scheduleRescan = (key: string, job: ScanJob, at: Date): void => {
    const pending = rescans.get(key);
    if (pending && pending.at <= at.getTime()) return;
    if (pending) clearTimeout(pending.timer);
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()), MAX_RESCAN_DELAY_MS);
    const timer = setTimeout(() => {
      rescans.delete(key);
      void enqueue(rescanJob(job, new Date()));
    }, delay);
    timer.unref(); // a pending re-scan never keeps the process alive
    rescans.set(key, { at: at.getTime(), timer });
  };

  const schedule = (key: string, job: ScanJob): void => {
    waiting.set(key, job);
    void pool.add(() => run(key));
  };

  /**
   * Holds `job` when it is a sweep's alone (no webhook trigger merged into it) and its installation
   * is over the sweep's budget now: queued scans must not run over budget because the budget was
   * fine when they were queued. True when held.
   */
  const holdForBudget = (key: string, job: ScanJob): boolean => {
    const wait = pacerOf(job)?.waitMs(job.installationId, 0) ?? 0;
    if (wait <= 0) return false;
    const timer = setTimeout(
      () => {
        held.delete(key);
        schedule(key, job);
      },
      Math.min(wait, PACING_POLL_MS),
    );
    timer.unref();
    held.set(key, { job, timer });
    return true;
  };

  const run = async (key: string): Promise<void> => {
    const job = waiting.get(key);
    if (!job) return; // dropped by close()
    waiting.delete(key);
    if (holdForBudget(key, job)) return;
    running.add(key);
    try {
      const followUp = await runner(job);
      if (followUp?.rescanAt && !closed) scheduleRescan(key, job, followUp.rescanAt);
      if (!followUp?.retryable) succeeded(key);
      else if (!closed && !retryLater(key, () => void enqueue(job))) {
        log.error({ repository: key }, 'GitHub unavailable through every retry: scan given up');
      }
    } catch (error) {
      log.error({ err: describeError(error), repository: key }, 'scan job crashed');
    } finally {
      running.delete(key);
      const next = again.get(key);
      again.delete(key);
      if (next && !closed) schedule(key, next);
    }
  };

  const enqueue = async (job: ScanJob): Promise<void> => {
    if (closed) {
      log.warn({ repository: repositoryKey(job) }, 'queue closed: scan not enqueued');
      return;
    }
    const key = repositoryKey(job);
    const queued = waiting.get(key);
    const holding = held.get(key);
    if (holding) {
      // Scheduled now: run() looks at the budget again, and a webhook's reason merged in is never held.
      clearTimeout(holding.timer);
      held.delete(key);
      schedule(key, mergeJobs(holding.job, job));
    } else if (queued) {
      waiting.set(key, mergeJobs(queued, job));
    } else if (running.has(key)) {
      const pending = again.get(key);
      again.set(key, pending ? mergeJobs(pending, job) : job);
    } else {
      schedule(key, job);
    }
  };

  /**
   * Enqueues a sweep's `jobs` each at its slot, once its installation's budget allows; run() looks at
   * the budget again when the scan is about to start.
   */
  const enqueuePaced = (pacer: SweepPacer, jobs: ScanJob[]): void => {
    let left = jobs.length;
    jobs.forEach((job, index) => {
      const slot = pacer.slotAt(index, jobs.length);
      const attempt = (): void => {
        if (closed) return;
        const wait = pacer.waitMs(job.installationId, slot, left);
        if (wait > 0) {
          const timer = setTimeout(
            () => {
              paced.delete(timer);
              attempt();
            },
            Math.min(wait, PACING_POLL_MS),
          );
          timer.unref();
          paced.add(timer);
          return;
        }
        left--;
        void enqueue(job);
      };
      attempt();
    });
  };

  const enqueueInstallation = async (installation: InstallationJob): Promise<void> => {
    if (closed) return;
    const key = `installation:${installation.installationId}`;
    void pool.add(async () => {
      try {
        const jobs = await options.listRepositories(installation);
        succeeded(key);
        const pacer = pacerOf(installation);
        if (pacer) {
          pacer.planned(installation.installationId, jobs.length);
          enqueuePaced(pacer, jobs);
        } else {
          for (const job of jobs) await enqueue(job);
        }
        log.info({ ...installation, repositories: jobs.length }, 'installation scans enqueued');
      } catch (error) {
        const retried =
          isTransientGitHubError(error) &&
          !closed &&
          retryLater(key, () => void enqueueInstallation(installation));
        log.error({ err: describeError(error), ...installation, retried }, 'could not list the installation');
      }
    });
  };

  return {
    enqueue,
    enqueueInstallation,
    async stats() {
      const backingOff = [...retries.values()].filter((retry) => retry.timer).length;
      return {
        waiting: waiting.size + again.size + backingOff + paced.size + held.size,
        running: running.size,
      };
    },
    async close() {
      closed = true;
      waiting.clear();
      again.clear();
      for (const { timer } of rescans.values()) clearTimeout(timer);
      rescans.clear();
      for (const { timer } of retries.values()) clearTimeout(timer);
      retries.clear();
      for (const timer of paced) clearTimeout(timer);
      paced.clear();
      for (const { timer } of held.values()) clearTimeout(timer);
      held.clear();
      pool.clear();
      await pool.onIdle();
    },
  };
}
