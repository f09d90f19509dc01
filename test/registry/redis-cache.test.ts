// The Redis-backed lookup cache against a real redis-server and the real registry: two replicas'
// clients share answers, so a tag is looked up once across the cluster; Redis down is a miss.
import { createRedisCacheStore, type RedisCacheStore } from '../../src/registry/redis-cache-store.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/types.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const quiet = { warn: () => undefined, debug: () => undefined };
let redis: RedisServer;
let registry: TestRegistry;
const open: Array<RegistryClient | RedisCacheStore> = [];

function replicaClient(store: RedisCacheStore): RegistryClient {
  const client = createRegistryClient({ rules: [registry.hostRule()], cache: store, retries: 0 });
  open.push(client, store);
  return client;
}

beforeAll(async () => {
  [redis, registry] = await Promise.all([startRedisServer(), startRegistry()]);
});
afterAll(async () => {
  for (const item of open) await item.close();
  await Promise.all([redis?.stop(), registry?.stop()]);
});

test('a second replica answers a tag from the shared cache without calling the registry', async () => {
  const pushed = await registry.pushIndex('acme/shared', '1.0');
  const target = { registry: registry.host, repository: 'acme/shared', reference: '1.0' };
  const first = replicaClient(createRedisCacheStore(redis.url, quiet));
  const second = replicaClient(createRedisCacheStore(redis.url, quiet));

  expect((await first.resolve(target)).digest).toBe(pushed.digest);
  expect(first.stats().requests.total).toBeGreaterThan(0);

  const answer = await second.resolve(target);
  expect(answer.digest).toBe(pushed.digest);
  expect(answer.platforms.map((p) => p.architecture).sort()).toEqual(['amd64', 'arm64']);
  expect(second.stats().requests.total).toBe(0);
  expect(second.stats().lookups).toMatchObject({ total: 1, cached: 1, unique: 0 });
});

test('with Redis unreachable every lookup is a cache miss that still answers', async () => {
  const pushed = await registry.pushImage('acme/alone', '2.0');
  const deadPort = redis.url.replace(/:\d+$/, ':1');
  const client = replicaClient(createRedisCacheStore(deadPort, quiet));
  const target = { registry: registry.host, repository: 'acme/alone', reference: '2.0' };
  expect((await client.resolve(target)).digest).toBe(pushed.digest);
  expect(client.stats().lookups.unique).toBe(1);
});

test('a failed lookup is shared through Redis as plain data, and rethrown as a RegistryError', async () => {
  await registry.pushImage('acme/failing', '1');
  const target = { registry: registry.host, repository: 'acme/failing', reference: 'missing' };
  const first = replicaClient(createRedisCacheStore(redis.url, quiet));
  const second = replicaClient(createRedisCacheStore(redis.url, quiet));
  const notBefore = Date.now();

  const original = await first.resolve(target, { notBefore }).catch((e: unknown) => e);
  expect(original).toMatchObject({ code: 'not-found' });

  const shared = await second.resolve(target, { notBefore }).catch((e: unknown) => e);
  expect(shared).toBeInstanceOf(RegistryError);
  expect(shared).toMatchObject({
    code: 'not-found',
    image: `${registry.host}/acme/failing:missing`,
    message: (original as RegistryError).message,
  });
  expect(second.stats().requests.total).toBe(0);
  expect(second.stats().lookups).toMatchObject({ total: 1, cached: 1, unique: 0 });
});
