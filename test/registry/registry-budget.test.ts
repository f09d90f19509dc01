// The registry side of a sweep's budget, against the real registry: a check is a HEAD once the
// manifest and config of its digest were read (cached by digest for good); Docker Hub's pull budget
// (`ratelimit-remaining`, answered here by a proxy that counts pulls as Hub does) defers manifest
// GETs once only the part kept back is left; requests to one host are capped.
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/types.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let client: RegistryClient;

type ClientOptions = Pick<RegistryClientOptions, 'maxConcurrentPerHost' | 'pullShare' | 'rules' | 'env'>;
const makeClient = (options: ClientOptions = {}) =>
  createRegistryClient({
    rules: [{ host: proxy.host, url: proxy.url, allowPrivate: true }],
    retries: 0,
    env: {},
    ...options,
  });

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  await registry.pushIndex('library/python', '1');
  await registry.pushIndex('library/node', '1');
  for (let i = 0; i < 12; i++) await registry.pushImage(`acme/app${i}`, '1');
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => proxy.clear());
afterEach(() => client?.close());

const target = (repository: string, reference: string) => ({ registry: proxy.host, repository, reference });
const count = (method: string, part: string) =>
  proxy.requests.filter((r) => r.method === method && r.path.includes(part)).length;

test('a re-check of a tag is one HEAD: manifests and configs are cached by digest', async () => {
  client = makeClient();
  const first = await client.resolve(target('library/python', '1'));
  expect(count('GET', '/manifests/')).toBeGreaterThan(0);
  proxy.clear();
  // A later sweep asks for answers fetched after it started: the tag is asked again, by HEAD only.
  const again = await client.resolve(target('library/python', '1'), { notBefore: Date.now() + 1 });
  expect(again.digest).toBe(first.digest);
  expect(count('HEAD', '/manifests/1')).toBe(1);
  expect(count('GET', '/manifests/')).toBe(0);
  expect(count('GET', '/blobs/')).toBe(0);
});

test("Docker Hub's pull budget: manifest GETs are deferred once only the kept-back share is left", async () => {
  const pulls = { limit: 10, remaining: 4 };
  proxy.inject({ path: '/v2/', fault: { kind: 'hub-pulls', pulls } });
  client = makeClient({ pullShare: 0.8 }); // keeps 2 of 10 back
  // Tag 1: HEAD (says 4 left), then the index and a child manifest: 2 pulls, 2 left.
  await client.resolve(target('library/python', '1'));
  expect(pulls.remaining).toBe(2);
  // Another image needs manifest GETs: deferred, no pull spent, and said so.
  const deferred = await client.resolve(target('library/node', '1')).catch((e: unknown) => e);
  expect(deferred).toBeInstanceOf(RegistryError);
  expect(deferred).toMatchObject({
    code: 'deferred',
    message: expect.stringMatching(/deferred to the next sweep/),
  });
  expect(pulls.remaining).toBe(2);
  // A re-check of tag 1 is a HEAD only (free on Hub): still answered.
  proxy.requests.length = 0;
  await expect(
    client.resolve(target('library/python', '1'), { notBefore: Date.now() + 1 }),
  ).resolves.toMatchObject({ isIndex: true });
  expect(count('GET', '/manifests/')).toBe(0);
  expect(pulls.remaining).toBe(2);
});

test('requests to one registry host are capped', async () => {
  client = makeClient({ maxConcurrentPerHost: 2 });
  await Promise.all(Array.from({ length: 12 }, (_, i) => client.resolve(target(`acme/app${i}`, '1'))));
  expect(proxy.requests.length).toBeGreaterThan(12);
  expect(proxy.maxInFlight()).toBeLessThanOrEqual(2);
});

test("a host rule's concurrency caps its origin below FRESHBASE_REGISTRY_CONCURRENCY, across installations", async () => {
  const rule = { host: proxy.host, url: proxy.url, allowPrivate: true };
  client = makeClient({
    env: { FRESHBASE_REGISTRY_CONCURRENCY: '8' },
    // Everyone's rule and acme's own reach the same origin: one cap, the smaller.
    rules: [
      { ...rule, concurrency: 3 },
      { ...rule, installations: ['acme'], concurrency: 2 },
    ],
  });
  const acme = client.forAccount('acme');
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? acme : client).resolve(target(`acme/app${i}`, '1'), { notBefore: Date.now() + 1 }),
    ),
  );
  expect(proxy.requests.length).toBeGreaterThan(12);
  expect(proxy.maxInFlight()).toBeLessThanOrEqual(2);
});

test('without a rule cap, FRESHBASE_REGISTRY_CONCURRENCY caps the host', async () => {
  client = makeClient({ env: { FRESHBASE_REGISTRY_CONCURRENCY: '3' } });
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      client.resolve(target(`acme/app${i}`, '1'), { notBefore: Date.now() + 1 }),
    ),
  );
  expect(proxy.requests.length).toBeGreaterThan(12);
  expect(proxy.maxInFlight()).toBeLessThanOrEqual(3);
});
