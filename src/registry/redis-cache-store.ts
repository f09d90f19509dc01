// A cache store in Redis, so that replicas share answers: registry lookups (one lookup per image
// per sweep across the cluster) and GitHub's conditional-request cache. Values are JSON; Redis
// expires them. Loaded only when REDIS_URL is set.
import { Redis } from 'ioredis';
import type { CacheStore } from './cache-store.js';
import type { RegistryLogger } from './registry-http.js';

const REGISTRY_PREFIX = 'freshbase:registry:';

export interface RedisCacheStore extends CacheStore {
  close(): Promise<void>;
}

/** `prefix` namespaces the keys (and names the cache in log lines). */
export function createRedisCacheStore(
  url: string,
  log: Pick<RegistryLogger, 'warn'>,
  prefix = REGISTRY_PREFIX,
): RedisCacheStore {
  const PREFIX = prefix;
  // Fail fast instead of queueing: a cache that cannot answer is a miss, not a stalled scan.
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) => log.warn(`cache ${prefix}: redis error: ${error.message}`));
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const text = await redis.get(PREFIX + key).catch(() => null);
      if (text === null) return undefined;
      try {
        return JSON.parse(text) as T;
      } catch {
        return undefined; // a value this version cannot read is a miss
      }
    },
    async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
      await redis
        .set(PREFIX + key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)))
        .catch(() => undefined);
    },
    async close() {
      // quit() waits for a reply; a client that never connected would keep reconnecting instead.
      if (redis.status === 'ready') await redis.quit().catch(() => undefined);
      else redis.disconnect();
    },
  };
}
