// The job queue between triggers and repository scans, and its in-process implementation.
// A scan is keyed by repository: at most one runs per repository at a time, a trigger for a
// repository that is already waiting merges into that job, and one that arrives while the scan
// runs queues exactly one more scan after it (so a push during a scan is not lost).
import PQueue from 'p-queue';
import type { Logger } from 'probot';
import { describeError } from '../errors.js';

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

/** What a queue reads from a finished job: when to scan the repository again on its own. */
export interface JobFollowUp {
  /** The repository's schedule window held updates back; scan again when it next opens. */
  rescanAt?: Date;
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
  let closed = false;

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

  const run = async (key: string): Promise<void> => {
    const job = waiting.get(key);
    if (!job) return; // dropped by close()
    waiting.delete(key);
    running.add(key);
    try {
      const followUp = await runner(job);
      if (followUp?.rescanAt && !closed) scheduleRescan(key, job, followUp.rescanAt);
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
    if (queued) {
      waiting.set(key, mergeJobs(queued, job));
    } else if (running.has(key)) {
      const pending = again.get(key);
      again.set(key, pending ? mergeJobs(pending, job) : job);
    } else {
      schedule(key, job);
    }
  };

  return {
    enqueue,
    async enqueueInstallation(installation) {
      if (closed) return;
      void pool.add(async () => {
        try {
          const jobs = await options.listRepositories(installation);
          for (const job of jobs) await enqueue(job);
          log.info({ ...installation, repositories: jobs.length }, 'installation scans enqueued');
        } catch (error) {
          log.error({ err: describeError(error), ...installation }, 'could not list the installation');
        }
      });
    },
    async stats() {
      return { waiting: waiting.size + again.size, running: running.size };
    },
    async close() {
      closed = true;
      waiting.clear();
      again.clear();
      for (const { timer } of rescans.values()) clearTimeout(timer);
      rescans.clear();
      pool.clear();
      await pool.onIdle();
    },
  };
}
