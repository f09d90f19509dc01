// The job queue between triggers and repository scans, and its in-process implementation.
// A scan is keyed by repository: at most one runs per repository at a time, a trigger for a
// repository that is already waiting merges into that job, and one that arrives while the scan
// runs queues exactly one more scan after it (so a push during a scan is not lost).
import PQueue from 'p-queue';
import type { Logger } from 'probot';

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

export interface JobQueue {
  enqueue(job: ScanJob): Promise<void>;
  stats(): Promise<QueueStats>;
  /** Stops taking jobs, drops the waiting ones and waits for the running ones. */
  close(): Promise<void>;
}

/** Runs one job. Expected to report its own failures; a throw is logged by the queue. */
export type JobRunner = (job: ScanJob) => Promise<unknown>;

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
  let closed = false;

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
      await runner(job);
    } catch (error) {
      log.error({ err: error, repository: key }, 'scan job crashed');
    } finally {
      running.delete(key);
      const next = again.get(key);
      again.delete(key);
      if (next && !closed) schedule(key, next);
    }
  };

  return {
    async enqueue(job) {
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
    },
    async stats() {
      return { waiting: waiting.size + again.size, running: running.size };
    },
    async close() {
      closed = true;
      waiting.clear();
      again.clear();
      pool.clear();
      await pool.onIdle();
    },
  };
}
