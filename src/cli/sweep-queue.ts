// `freshbase sweep` with REDIS_URL: the sweep's repositories go on the queue the replicas share
// the way the app's scheduled sweep puts them there: each as a `wake` job delayed to its slot in
// FRESHBASE_SWEEP_SPREAD, which the replica that takes it turns into the scan (merged the same way
// into one already waiting for the repository, so nothing runs twice) once the installation is
// within its sweep budget — the replicas see GitHub's rate-limit answers, so they pace it. The
// sweep waits for each repository's result, which the replica that ran the job keeps in Redis.
// Woken by the queue's events, it also reads the results every few seconds, so a missed event
// costs a little time, never a result. Only the replicas' workers move a due wake-up on, so one
// still delayed well past its due time says that none runs.
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'probot';
import { repositoryKey, type ScanJob, type ScanResult } from '../app/queue.js';
import { connect, createScanProducer, DEFAULT_QUEUE_NAME, wakeJobId } from '../app/redis-queue.js';
import { parseStoredResult, resultKey } from '../app/trigger-counts.js';
import { sweepSlot } from '../app/sweep-pacer.js';

const POLL_MS = 2_000;
const READ_BATCH = 500;

export interface QueueSweepOptions {
  url: string;
  jobs: ScanJob[];
  /** The sweep's start (every job's requestedAt). */
  requestedAt: number;
  /** Repositories start evenly over this long after `requestedAt` (FRESHBASE_SWEEP_SPREAD; 0: at once). */
  spreadMs: number;
  /**
   * Give up after this long without a new result while none of the queue's jobs runs and none of
   * this sweep's wake-ups waits for its slot or its budget — or one is still delayed this long
   * after it was due (no replica moves due jobs on).
   */
  timeoutMs: number;
  log: Logger;
  /** The shared queue's name (tests give each run its own). */
  name?: string;
}

export interface QueueSweep {
  /** By repository (`repositoryKey`); a repository missing here got no result in time. */
  results: Map<string, ScanResult>;
  /** Why the wait ended before every repository had its result; null when all came. */
  timedOut: string | null;
}

export async function sweepOnQueue(options: QueueSweepOptions): Promise<QueueSweep> {
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  const connection = connect(options.url);
  // QueueEvents blocks on its own connection.
  const eventsConnection = connect(options.url);
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection: eventsConnection });
  const logError = (error: Error) =>
    options.log.warn({ err: error.message }, 'redis: sweep connection error');
  queue.on('error', logError);
  events.on('error', logError);
  try {
    // Listening before the first job is queued: no result can come before the sweep hears of it.
    await events.waitUntilReady();
    let wake = () => {};
    /** Repositories whose scan completed since the last read (the event names it). */
    const completed = new Set<string>();
    events.on('completed', ({ returnvalue }) => {
      if (typeof returnvalue !== 'string') return; // not a scan
      completed.add(returnvalue);
      wake();
    });
    // A failed job is not named (a scan retried later keeps its result first): all are read.
    let readAll = true;
    events.on('failed', () => {
      readAll = true;
      wake();
    });

    const producer = createScanProducer(connection, queue);
    const { jobs, requestedAt, spreadMs } = options;
    const wakes = new Map<string, Wake>();
    /** Each repository's trigger number for this sweep: a result answers it from there on. */
    const triggers = new Map<string, number>();
    for (const [index, job] of jobs.entries()) {
      const slot = sweepSlot(requestedAt, spreadMs, index, jobs.length);
      triggers.set(repositoryKey(job), await producer.enqueueAt(job, slot));
      wakes.set(repositoryKey(job), { id: wakeJobId(job, slot), slot });
    }
    options.log.info({ queue: name, jobs: jobs.length, spreadMs }, 'sweep enqueued on the shared queue');

    const results = new Map<string, ScanResult>();
    const pending = new Set(options.jobs.map(repositoryKey));
    let lastProgress = Date.now();
    let lastReadAll = 0;
    while (pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, POLL_MS).unref();
      });
      // Every result now and then (a missed event costs a little time, never a result); else only
      // those of the scans the events named.
      const everything = readAll || Date.now() - lastReadAll >= POLL_MS;
      const keys = everything ? [...pending] : [...completed].filter((key) => pending.has(key));
      if (everything) [readAll, lastReadAll] = [false, Date.now()];
      completed.clear();
      if ((await collect(connection, name, keys, pending, triggers, results)) > 0) lastProgress = Date.now();
      if (pending.size === 0) break;
      if (Date.now() - lastProgress >= options.timeoutMs) {
        // A replica is at work (on this sweep's jobs or before them), or the sweep is paced: keep
        // waiting.
        if (
          ((await queue.getJobCounts('active')).active ?? 0) > 0 ||
          (await wakeUpsWaiting(connection, queue, pending, wakes, options.timeoutMs))
        )
          lastProgress = Date.now();
        else return { results, timedOut: timeoutMessage(results.size, pending.size, options.timeoutMs) };
      }
      await woken;
      clearTimeout(timer);
    }
    return { results, timedOut: null };
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

/** A sweep's wake-up: its job id and its slot. */
interface Wake {
  id: string;
  slot: number;
}

/** BullMQ keeps a delayed job in a sorted set scored by its due time (ms) times this, plus a counter. */
const DELAYED_SCORE_PER_MS = 0x1000;

/**
 * Whether the pending repositories' wake-ups are rightly still waiting: one is due later, or came
 * due less than `timeoutMs` ago — its slot, or, once a replica put it back until the installation's
 * rate-limit window resets, the time it was put back to. Only a replica's worker takes a due job,
 * so one still untaken (or delayed) `timeoutMs` after it was due says that no replica runs.
 * Read in batches, one round trip each.
 */
async function wakeUpsWaiting(
  connection: Redis,
  queue: Queue,
  pending: Set<string>,
  wakes: Map<string, Wake>,
  timeoutMs: number,
): Promise<boolean> {
  const mine = [...pending].flatMap((key) => wakes.get(key) ?? []);
  const overdue = Date.now() - timeoutMs;
  let waiting = false;
  for (let start = 0; start < mine.length; start += READ_BATCH) {
    const batch = mine.slice(start, start + READ_BATCH);
    const pipeline = connection.pipeline();
    for (const { id } of batch) {
      pipeline.hmget(queue.toKey(id), 'timestamp', 'processedOn', 'finishedOn');
      pipeline.zscore(queue.keys.delayed!, id);
    }
    const replies = (await pipeline.exec()) ?? [];
    for (const [index, { slot }] of batch.entries()) {
      const [timestamp, processedOn, finishedOn] = (replies[2 * index]?.[1] ?? []) as Array<string | null>;
      const score = replies[2 * index + 1]?.[1] as string | null | undefined;
      if (!timestamp || finishedOn) continue; // done (or failed)
      // Never taken: due at its slot. Put back by a replica: due when it was put back to, while
      // delayed; once due again it is another replica's to take, and counts for neither.
      const dueAt = !processedOn ? slot : score ? Math.floor(Number(score) / DELAYED_SCORE_PER_MS) : null;
      if (dueAt === null) continue;
      if (dueAt <= overdue) return false;
      waiting = true;
    }
  }
  return waiting;
}

function timeoutMessage(received: number, missing: number, timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 1000);
  if (received === 0)
    return `no replica consumed the jobs within ${seconds} s; is the app running with the same REDIS_URL?`;
  return `${missing} repositories got no result within ${seconds} s of the last one and no job is running; their jobs stay queued`;
}

/**
 * Reads the results of `keys` and moves those that answer this sweep (from scans that began after
 * its trigger) from `pending` to `results`; returns how many.
 */
async function collect(
  connection: Redis,
  name: string,
  keys: string[],
  pending: Set<string>,
  triggers: Map<string, number>,
  results: Map<string, ScanResult>,
): Promise<number> {
  let found = 0;
  for (let start = 0; start < keys.length; start += READ_BATCH) {
    const batch = keys.slice(start, start + READ_BATCH);
    const values = await connection.mget(batch.map((key) => resultKey(name, key)));
    values.forEach((value, index) => {
      const stored = parseStoredResult(value);
      const key = batch[index]!;
      // An older result answered only triggers before this sweep's: its scan may predate the sweep.
      if (!stored || stored.answered < (triggers.get(key) ?? Infinity)) return;
      results.set(key, stored.result);
      pending.delete(key);
      found++;
    });
  }
  return found;
}
