// What a GitHub server lacks (createCommitOnBranch on older GHES) is remembered per server, for a
// day, and shared through Redis by replicas as the conditional-request cache is.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ProbotOctokit } from 'probot';
import { MemoryCacheStore, type CacheStore } from '../../src/registry/cache-store.js';
import { createRedisCacheStore } from '../../src/registry/redis-cache-store.js';
import { createServerFeatures, MISSING_MUTATION_TTL_MS } from '../../src/github/server-features.js';
import type { GitHubClient } from '../../src/github/types.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { createTestOctokit } from './harness.js';

const github = createTestOctokit();
const enterprise = new ProbotOctokit({ baseUrl: 'https://ghe.acme.example/api/v3' }) as GitHubClient;
const silent = { warn: () => {} };

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

test('remembered per server (API base URL), for a day', async () => {
  const ttls: number[] = [];
  const memory = new MemoryCacheStore();
  const store: CacheStore = {
    get: (key) => memory.get(key),
    set: (key, value, ttlMs) => {
      ttls.push(ttlMs);
      return memory.set(key, value, ttlMs);
    },
  };
  const features = createServerFeatures(store);
  await features.rememberLacksCommitMutation(enterprise);
  expect(await features.lacksCommitMutation(enterprise)).toBe(true);
  expect(await features.lacksCommitMutation(github)).toBe(false);
  expect(ttls).toEqual([MISSING_MUTATION_TTL_MS]);
  expect(MISSING_MUTATION_TTL_MS).toBe(24 * 3600_000);
});

test('never for github.com: nothing remembered, and an entry left there is not read', async () => {
  const memory = new MemoryCacheStore();
  const features = createServerFeatures(memory);
  await features.rememberLacksCommitMutation(github);
  expect(await features.lacksCommitMutation(github)).toBe(false);
  // An entry an earlier version wrote after misreading an answer.
  await memory.set('server:https://api.github.com:no-createCommitOnBranch', true, MISSING_MUTATION_TTL_MS);
  expect(await features.lacksCommitMutation(github)).toBe(false);
});

test('with REDIS_URL one replica learns it for all', async () => {
  const [a, b] = [
    createRedisCacheStore(redis.url, silent, 'freshbase:github:'),
    createRedisCacheStore(redis.url, silent, 'freshbase:github:'),
  ];
  try {
    await createServerFeatures(a).rememberLacksCommitMutation(enterprise);
    const other = createServerFeatures(b);
    expect(await other.lacksCommitMutation(enterprise)).toBe(true);
    expect(await other.lacksCommitMutation(github)).toBe(false);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a store that cannot answer means "not known": the mutation is tried', async () => {
  const down: CacheStore = {
    get: () => Promise.reject(new Error('redis down')),
    set: () => Promise.reject(new Error('redis down')),
  };
  const features = createServerFeatures(down);
  await expect(features.rememberLacksCommitMutation(enterprise)).resolves.toBeUndefined();
  expect(await features.lacksCommitMutation(enterprise)).toBe(false);
});
