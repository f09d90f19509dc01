// The lookup cache shared by every lookup in the process. The store is async and holds plain JSON
// values so a Redis-backed store can replace the in-memory default; coalescing of concurrent identical
// lookups is per process (a promise cannot be shared through Redis).
import { LRUCache } from 'lru-cache';

export interface CacheStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, { value: unknown }>;

  constructor(maxEntries = 50_000) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.entries.get(key)?.value as T | undefined;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    this.entries.set(key, { value }, { ttl: ttlMs });
  }
}

export interface LookupCounts {
  /** Lookups asked for. */
  total: number;
  /** Lookups that went to the registry. */
  unique: number;
  /** Answered from the store. */
  cached: number;
  /** Joined a lookup already in flight. */
  coalesced: number;
}

/** What the store holds: the answer and when it was fetched (wall clock, shared by replicas). */
interface Stamped<T> {
  at: number;
  value: T;
}

/**
 * Runs each keyed lookup at most once per TTL, or again when the caller needs an answer fetched after
 * `notBefore` (a sweep's start, a webhook's arrival). Failures are not stored, so a later lookup retries.
 */
export class CoalescingCache {
  private readonly inflight = new Map<string, { startedAt: number; promise: Promise<unknown> }>();
  private readonly counts: LookupCounts = { total: 0, unique: 0, cached: 0, coalesced: 0 };

  constructor(private readonly store: CacheStore) {}

  get<T>(key: string, ttlMs: number, compute: () => Promise<T>, notBefore = 0): Promise<T> {
    this.counts.total++;
    const running = this.inflight.get(key);
    if (running && running.startedAt >= notBefore) {
      this.counts.coalesced++;
      return running.promise as Promise<T>;
    }
    const startedAt = Date.now();
    // Registered synchronously so a second caller in the same tick joins this one.
    const lookup = (async () => {
      const stored = await this.store.get<Stamped<T>>(key);
      if (stored !== undefined && typeof stored.at === 'number' && stored.at >= notBefore) {
        this.counts.cached++;
        return stored.value;
      }
      this.counts.unique++;
      const value = await compute();
      await this.store.set<Stamped<T>>(key, { at: startedAt, value }, ttlMs);
      return value;
    })().finally(() => {
      if (this.inflight.get(key)?.promise === lookup) this.inflight.delete(key);
    });
    this.inflight.set(key, { startedAt, promise: lookup });
    return lookup;
  }

  stats(): LookupCounts {
    return { ...this.counts };
  }
}
