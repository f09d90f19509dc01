// The state store in Redis (REDIS_URL set): replicas share one set of records. It uses the
// connection the BullMQ queue already holds. Records expire when not touched for RECORD_TTL, which
// bounds the store: a digest still in use is touched by every scan that sees it.
import type { Redis } from 'ioredis';
import type { StateStore } from './types.js';

const PREFIX = 'freshbase:state:';
/** A record not read for this long is forgotten (a year and a bit: longer than any soak time). */
export const RECORD_TTL_SECONDS = 400 * 24 * 3600;

export function createRedisStateStore(redis: Redis): StateStore {
  return {
    async putIfAbsent(namespace, entries) {
      if (entries.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const [key, value] of entries) {
        const name = `${PREFIX}${namespace}:${key}`;
        // SET NX keeps the first writer's value; GET then reads whichever value won.
        pipeline.set(name, value, 'EX', RECORD_TTL_SECONDS, 'NX');
        pipeline.expire(name, RECORD_TTL_SECONDS);
        pipeline.get(name);
      }
      const replies = (await pipeline.exec()) ?? [];
      return entries.map(([, value], i) => {
        const [error, stored] = replies[i * 3 + 2] ?? [new Error('no reply')];
        if (error) throw new Error(`state store (redis): ${error.message}`);
        return typeof stored === 'string' ? stored : value;
      });
    },
    // The connection belongs to the caller (the queue, or openStateStore), which closes it.
    close: async () => undefined,
  };
}
