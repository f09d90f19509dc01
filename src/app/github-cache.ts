// The conditional-request cache for GitHub reads, built from the environment: in Redis when
// REDIS_URL is set (replicas, and successive `freshbase sweep` runs, share ETags), else in memory.
// What the GitHub server is known to lack is kept in the same store.
import {
  createConditionalRequestCache,
  type ConditionalRequestCache,
} from '../github/conditional-requests.js';
import { createServerFeatures, type GitHubServerFeatures } from '../github/server-features.js';

export interface GitHubCache {
  cache: ConditionalRequestCache;
  serverFeatures: GitHubServerFeatures;
  close(): Promise<void>;
}

export async function createGitHubCache(
  env: NodeJS.ProcessEnv,
  log: { warn(message: string): void },
): Promise<GitHubCache> {
  const redisUrl = env.REDIS_URL || undefined;
  if (!redisUrl) {
    return {
      cache: createConditionalRequestCache(),
      serverFeatures: createServerFeatures(),
      close: async () => {},
    };
  }
  // ioredis is loaded only in Redis mode, so a single-process install never touches it.
  const { createRedisCacheStore } = await import('../registry/redis-cache-store.js');
  const store = createRedisCacheStore(redisUrl, log, 'freshbase:github:');
  return {
    cache: createConditionalRequestCache(store),
    serverFeatures: createServerFeatures(store),
    close: () => store.close(),
  };
}
