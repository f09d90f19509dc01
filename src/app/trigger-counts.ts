// What the shared queue remembers per repository so that no trigger is taken as answered by a scan
// that began before it: how many triggers the repository has had (a counter), the newest trigger's
// time (how fresh its registry answers must be), and the last scan's result with the trigger count
// it answered. Counts, not times, decide what may be skipped, so no clock (the CLI's, a replica's)
// can make a trigger look answered when it came after a scan began.
import type { Redis } from 'ioredis';
import { repositoryKey, type ScanJob, type ScanResult } from './queue.js';

/** How long a scan's result waits in Redis for a `freshbase sweep` to collect it. */
const RESULT_TTL_MS = 24 * 60 * 60_000;

/** A scan's result as kept in Redis: what it did, and the triggers it answered. */
export interface StoredResult {
  /** The repository's trigger count when the scan began: it answered every trigger up to it. */
  answered: number;
  /** The newest trigger time it answered (how fresh its registry answers were). */
  requestedAt: number;
  result: ScanResult;
}

export function resultKey(queueName: string, repository: string): string {
  return `${queueName}:result:${repository}`;
}

const requestedAtKey = (queueName: string) => `${queueName}:requested-at`;
const triggersKey = (queueName: string) => `${queueName}:triggers`;

/** A stored result as read back; null when missing or not one this version wrote. */
export function parseStoredResult(value: string | null): StoredResult | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as Partial<StoredResult>;
    return typeof parsed.answered === 'number' &&
      typeof parsed.requestedAt === 'number' &&
      typeof parsed.result?.ok === 'boolean'
      ? (parsed as StoredResult)
      : null;
  } catch {
    return null;
  }
}

/**
 * Whether a scan that began after trigger number `trigger` already succeeded: it read the
 * repository after that trigger's event, with registry answers at least as fresh.
 */
export function answered(stored: StoredResult | null, trigger: number): boolean {
  return trigger > 0 && stored !== null && stored.result.ok && stored.answered >= trigger;
}

/**
 * Counts a trigger of `job`'s repository and raises its trigger time, in one transaction (so a scan
 * that sees the count sees the time); returns the trigger's number.
 */
export async function countTrigger(connection: Redis, queueName: string, job: ScanJob): Promise<number> {
  const key = repositoryKey(job);
  const replies = await connection
    .multi()
    .zadd(requestedAtKey(queueName), 'GT', job.requestedAt, key)
    .hincrby(triggersKey(queueName), key, 1)
    .exec();
  const [, count] = replies?.[1] ?? [];
  if (typeof count !== 'number') throw new Error(`could not count a trigger of ${key}`);
  return count;
}

/** What a scan of `key` starts from: the trigger count, the newest trigger time, the last result. */
export async function readTriggers(
  connection: Redis,
  queueName: string,
  key: string,
): Promise<{ count: number; latest: number; stored: StoredResult | null }> {
  const replies = await connection
    .multi()
    .hget(triggersKey(queueName), key)
    .zscore(requestedAtKey(queueName), key)
    .get(resultKey(queueName, key))
    .exec();
  const [triggers, latest, stored] = (replies ?? []).map(([, value]) => value);
  return {
    count: Number(triggers) || 0,
    latest: Number(latest) || 0,
    stored: parseStoredResult(typeof stored === 'string' ? stored : null),
  };
}

/** The last scan's result of `key`, as stored. */
export async function readResult(connection: Redis, queueName: string, key: string) {
  return parseStoredResult(await connection.get(resultKey(queueName, key)));
}

/** Keeps a scan's result (for a day) with the trigger count it answered. */
export async function storeResult(
  connection: Redis,
  queueName: string,
  key: string,
  kept: StoredResult,
): Promise<void> {
  await connection.set(resultKey(queueName, key), JSON.stringify(kept), 'PX', RESULT_TTL_MS);
}
