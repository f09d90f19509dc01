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

/** Runs each keyed lookup at most once per TTL; failures are not stored, so a later lookup retries. */
export class CoalescingCache {
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly counts: LookupCounts = { total: 0, unique: 0, cached: 0, coalesced: 0 };

  constructor(private readonly store: CacheStore) {}

  get<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T> {
    this.counts.total++;
    const running = this.inflight.get(key);
    if (running) {
      this.counts.coalesced++;
      return running as Promise<T>;
    }
    // Registered synchronously so a second caller in the same tick joins this one.
    const lookup = (async () => {
      const stored = await this.store.get<T>(key);
      if (stored !== undefined) {
        this.counts.cached++;
        return stored;
      }
      this.counts.unique++;
      const value = await compute();
      await this.store.set(key, value, ttlMs);
      return value;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, lookup);
    return lookup;
  }

  stats(): LookupCounts {
    return { ...this.counts };
  }
}
