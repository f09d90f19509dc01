// The lookup cache shared by every lookup in the process, answers and failures alike. The store is
// async and holds plain JSON values so a Redis-backed store can replace the in-memory default;
// coalescing of concurrent identical lookups is per process (a promise cannot be shared through Redis).
import { LRUCache } from 'lru-cache';
import { RegistryError, type RegistryErrorCode } from './types.js';

export interface CacheStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
}

export interface MemoryCacheBounds {
  maxEntries?: number;
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, { value: unknown }>;

  constructor(bounds: MemoryCacheBounds = {}) {
    const { maxEntries = 50_000 } = bounds;
    this.entries = new LRUCache<string, { value: unknown }>({ max: maxEntries });
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
  /** Answered from the store (a stored failure included). */
  cached: number;
  /** Joined a lookup already in flight. */
  coalesced: number;
}

/** A failed lookup as the store holds it: plain data, so a JSON store (Redis) keeps it intact. */
interface StoredFailure {
  code: RegistryErrorCode;
  message: string;
  image: string;
}

/**
 * What the store holds: the answer (or the failure) and when it was fetched (wall clock, shared by
 * replicas).
 */
type Stamped<T> = { at: number; value: T } | { at: number; error: StoredFailure };

function isStoredFailure(value: unknown): value is StoredFailure {
  if (!value || typeof value !== 'object') return false;
  const { code, message, image } = value as Record<string, unknown>;
  return typeof code === 'string' && typeof message === 'string' && typeof image === 'string';
}

/** Failures are kept briefly: long enough for one sweep to ask once, short enough to recover soon. */
export const DEFAULT_ERROR_TTL_MS = 5 * 60 * 1000;

export interface CoalescingCacheOptions {
  /** How long a RegistryError is reused (never longer than the entry's own TTL). Default 5 min. */
  errorTtlMs?: number;
}

/**
 * Runs each keyed lookup at most once per TTL, or again when the caller needs an answer fetched after
 * `notBefore` (a sweep's start, a webhook's arrival). A RegistryError is stored too, for `errorTtlMs`
 * under the same freshness rule, so one outage or missing tag costs one lookup per sweep; a hit
 * rethrows an equivalent RegistryError. Other errors (bugs) are not stored.
 */
export class CoalescingCache {
  private readonly inflight = new Map<string, { startedAt: number; promise: Promise<unknown> }>();
  private readonly counts: LookupCounts = { total: 0, unique: 0, cached: 0, coalesced: 0 };
  private readonly errorTtlMs: number;

  constructor(
    private readonly store: CacheStore,
    options: CoalescingCacheOptions = {},
  ) {
    this.errorTtlMs = options.errorTtlMs ?? DEFAULT_ERROR_TTL_MS;
  }

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
        if ('value' in stored) {
          this.counts.cached++;
          return stored.value;
        }
        if ('error' in stored && isStoredFailure(stored.error)) {
          this.counts.cached++;
          const { message, code, image } = stored.error;
          throw new RegistryError(message, code, image);
        }
      }
      this.counts.unique++;
      let value: T;
      try {
        value = await compute();
      } catch (error) {
        if (error instanceof RegistryError) {
          const failure: StoredFailure = { code: error.code, message: error.message, image: error.image };
          await this.store.set<Stamped<T>>(
            key,
            { at: startedAt, error: failure },
            Math.min(ttlMs, this.errorTtlMs),
          );
        }
        throw error;
      }
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
