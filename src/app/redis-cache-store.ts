// The registry lookup cache in Redis, so that replicas share answers (one lookup per image per
// sweep across the cluster). Values are JSON; Redis expires them.
import { Redis } from 'ioredis';
import type { Logger } from 'probot';
import type { CacheStore } from '../registry/cache-store.js';

const PREFIX = 'freshbase:registry:';

export interface RedisCacheStore extends CacheStore {
  close(): Promise<void>;
}

export function createRedisCacheStore(url: string, log: Logger): RedisCacheStore {
  // Fail fast instead of queueing: a cache that cannot answer is a miss, not a stalled scan.
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', (error: Error) =>
    log.warn({ err: { message: error.message } }, 'registry cache: redis error'),
  );
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const text = await redis.get(PREFIX + key).catch(() => null);
      return text === null ? undefined : (JSON.parse(text) as T);
    },
    async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
      await redis
        .set(PREFIX + key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)))
        .catch(() => undefined);
    },
    async close() {
      await redis.quit();
    },
  };
}
