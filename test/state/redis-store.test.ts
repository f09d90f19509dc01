// The state store in Redis (REDIS_URL): against a real redis-server.
import { Redis } from 'ioredis';
import { sightingKey } from '../../src/plan/lookups.js';
import { recordFirstSeen } from '../../src/state/first-seen.js';
import { openStateStore } from '../../src/state/open.js';
import { createRedisStateStore, RECORD_TTL_SECONDS } from '../../src/state/redis-store.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const sighting = (tag: string) =>
  sightingKey({
    registry: 'ghcr.io',
    repository: 'acme/app',
    tag,
    digest: 'sha256:' + 'b'.repeat(64),
  });
const T1 = new Date('2026-11-01T00:00:00Z');
const T2 = new Date('2026-11-05T00:00:00Z');

test('replicas share first-seen times; the first writer wins; records expire when untouched', async () => {
  const a = createRedisStateStore(redis);
  const other = await openStateStore({ REDIS_URL: server.url }, { warn: () => {} });
  try {
    expect(await recordFirstSeen(a, [sighting('1')], T1)).toEqual([T1]);
    expect(await recordFirstSeen(other, [sighting('1'), sighting('2')], T2)).toEqual([T1, T2]);
    const [racedA, racedB] = await Promise.all([
      recordFirstSeen(a, [sighting('3')], T1),
      recordFirstSeen(other, [sighting('3')], T2),
    ]);
    expect(racedA).toEqual(racedB);
    const ttl = await redis.ttl('freshbase:state:first-seen:ghcr.io/acme/app:1@sha256:' + 'b'.repeat(64));
    expect(ttl).toBeGreaterThan(RECORD_TTL_SECONDS - 60);
  } finally {
    await other.close();
  }
});

test('a Redis that cannot answer is an error, never an invented time', async () => {
  const gone = await openStateStore({ REDIS_URL: 'redis://127.0.0.1:1' }, { warn: () => {} });
  try {
    await expect(recordFirstSeen(gone, [sighting('1')], T1)).rejects.toThrow();
  } finally {
    await gone.close();
  }
});
