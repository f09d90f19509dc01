// What the shared queue remembers per repository so that no trigger is taken as answered by a scan
// that began before it: how many triggers the repository has had (a counter), the newest trigger's
// time (how fresh its registry answers must be), and the last scan's result with the trigger count
// it answered. Counts, not times, decide what may be skipped, so no clock (the CLI's, a replica's)
// can make a trigger look answered when it came after a scan began.
//
// A repository's count and trigger time live in one small hash that expires TRIGGER_TTL_MS after it
// was last written or read, so a repository that is gone (or no longer swept) leaves nothing behind.
// Expiring never lets a trigger look answered: a stored result expires before the count it answered
// (each result refreshes its count's expiry, which is longer), so a count that starts again from 1
// never meets a result counted under the old one.
import type { Redis } from 'ioredis';
import { repositoryKey, type ScanJob, type ScanResult } from './queue.js';

/** How long a scan's result waits in Redis for a `freshbase sweep` to collect it. */
const RESULT_TTL_MS = 24 * 60 * 60_000;
/**
 * How long a repository's trigger count and time outlive their last use: longer than a result, and
 * longer than any job waits with its trigger counted (a wake-up's delay is capped at
 * MAX_RESCAN_DELAY_MS, about 24.9 days; retries back off at most minutes), so that a trigger's time
 * is still there when its job runs.
 */
export const TRIGGER_TTL_MS = 30 * 24 * 60 * 60_000;

/** A scan's result as kept in Redis: what it did, and the triggers it answered. */
export interface StoredResult {
  /** The repository's trigger count when the scan began: it answered every trigger up to it. */
  answered: number;
  /** The newest trigger time it answered (how fresh its registry answers were). */
  requestedAt: number;
  result: ScanResult;
}

/**
 * Where a repository's last result is kept. Not `:result:` as before the counts moved to expiring
 * per-repository keys: their counts started again from 0, and an older result must not answer them.
 */
export function resultKey(queueName: string, repository: string): string {
  return `${queueName}:scan-result:${repository}`;
}

/** A repository's hash of `count` (triggers so far) and `at` (the newest trigger time, ms). */
export function triggerKey(queueName: string, repository: string): string {
  return `${queueName}:trigger:${repository}`;
}

/**
 * KEYS[1] a triggerKey; ARGV: the trigger's time, the expiry (ms), '1' when no sweep's pace may hold
 * it back (its number is then kept as `unpaced`). Returns the trigger's number.
 */
const COUNT_TRIGGER = `
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
local at = tonumber(redis.call('HGET', KEYS[1], 'at'))
if at == nil or tonumber(ARGV[1]) > at then redis.call('HSET', KEYS[1], 'at', ARGV[1]) end
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'unpaced', count) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return count`;

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
 * Counts a trigger of `job`'s repository, raises its trigger time and renews its expiry, atomically
 * (so a scan that sees the count sees the time); returns the trigger's number. A trigger that is not
 * `paced` (a sweep's) is also kept as the repository's latest unpaced one: a scan standing for it
 * is never held for a sweep's budget, whatever job data BullMQ kept.
 */
export async function countTrigger(
  connection: Redis,
  queueName: string,
  job: ScanJob,
  paced = false,
): Promise<number> {
  const key = repositoryKey(job);
  const count = await connection.eval(
    COUNT_TRIGGER,
    1,
    triggerKey(queueName, key),
    String(job.requestedAt),
    String(TRIGGER_TTL_MS),
    paced ? '0' : '1',
  );
  if (typeof count !== 'number') throw new Error(`could not count a trigger of ${key}`);
  return count;
}

/**
 * What a scan of `key` starts from: the trigger count, the newest trigger time, the latest unpaced
 * trigger's number, the last result.
 * Renews the count's expiry, so it outlasts the result this scan will store.
 */
export async function readTriggers(
  connection: Redis,
  queueName: string,
  key: string,
): Promise<{ count: number; latest: number; unpaced: number; stored: StoredResult | null }> {
  const replies = await connection
    .multi()
    .hmget(triggerKey(queueName, key), 'count', 'at', 'unpaced')
    .pexpire(triggerKey(queueName, key), TRIGGER_TTL_MS)
    .get(resultKey(queueName, key))
    .exec();
  const [triggers, , stored] = (replies ?? []).map(([, value]) => value);
  const [count, latest, unpaced] = Array.isArray(triggers) ? triggers : [];
  return {
    count: Number(count) || 0,
    latest: Number(latest) || 0,
    unpaced: Number(unpaced) || 0,
    stored: parseStoredResult(typeof stored === 'string' ? stored : null),
  };
}

/** The last scan's result of `key`, as stored. */
export async function readResult(connection: Redis, queueName: string, key: string) {
  return parseStoredResult(await connection.get(resultKey(queueName, key)));
}

/**
 * Keeps a scan's result (for a day) with the trigger count it answered, and renews that count's
 * expiry in the same transaction: the result never outlives the count.
 */
export async function storeResult(
  connection: Redis,
  queueName: string,
  key: string,
  kept: StoredResult,
): Promise<void> {
  const replies = await connection
    .multi()
    .set(resultKey(queueName, key), JSON.stringify(kept), 'PX', RESULT_TTL_MS)
    .pexpire(triggerKey(queueName, key), TRIGGER_TTL_MS)
    .exec();
  const failed = replies?.find(([error]) => error)?.[0];
  if (failed) throw failed;
}
