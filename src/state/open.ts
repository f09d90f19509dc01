// Which state store a process uses: Redis when REDIS_URL is set (the queue's connection in the app;
// a connection of its own in a command), else the file under the data directory
// (FRESHBASE_DATA_DIR, default `.freshbase-data` in the working directory).
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createFileStateStore } from './file-store.js';
import type { StateLogger, StateStore } from './types.js';

export const DEFAULT_DATA_DIR = '.freshbase-data';

export function dataDirectory(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.FRESHBASE_DATA_DIR || DEFAULT_DATA_DIR);
}

/** `redis`: a connection the caller owns and closes (the BullMQ queue's). */
export async function openStateStore(
  env: NodeJS.ProcessEnv,
  log: StateLogger,
  redis?: Redis,
): Promise<StateStore> {
  const url = env.REDIS_URL || undefined;
  if (!redis && !url) return createFileStateStore({ directory: dataDirectory(env), log });
  // ioredis is loaded only in Redis mode, so a single-process install never touches it.
  const { createRedisStateStore } = await import('./redis-store.js');
  if (redis) return createRedisStateStore(redis);
  const { Redis: Client } = await import('ioredis');
  const own = new Client(url!, { maxRetriesPerRequest: 1 });
  own.on('error', (error: Error) => log.warn(`state store: redis error: ${error.message}`));
  const store = createRedisStateStore(own);
  return {
    putIfAbsent: (namespace, entries) => store.putIfAbsent(namespace, entries),
    async close() {
      if (own.status === 'ready') await own.quit().catch(() => undefined);
      else own.disconnect();
    },
  };
}
