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
/** The digest of acme/app<i>:1. */
const appDigests: string[] = [];
let nodeDigest: string;

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
  nodeDigest = (await registry.pushIndex('library/node', '1')).digest;
  for (let i = 0; i < 12; i++) appDigests.push((await registry.pushImage(`acme/app${i}`, '1')).digest);
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

test('a manifest GET counts as a pull once let through: concurrent ones cannot spend the kept-back share', async () => {
  const pulls = { limit: 10, remaining: 4 };
  proxy.inject({ path: '/v2/', fault: { kind: 'hub-pulls', pulls } });
  client = makeClient({ pullShare: 0.8 }); // keeps 2 of 10 back
  // HEAD (4 left), then the manifest GET: 3 left, one more to spend.
  await client.resolve(target('acme/app0', '1'));
  expect(pulls.remaining).toBe(3);
  // Eight lookups by digest at once (a GET each, all in flight together): one is let through.
  const settled = await Promise.allSettled(
    Array.from({ length: 8 }, (_, i) => client.resolve(target(`acme/app${i + 1}`, appDigests[i + 1]!))),
  );
  expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
  const reasons = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  expect(reasons).toHaveLength(7);
  for (const reason of reasons) expect(reason).toMatchObject({ code: 'deferred' });
  expect(pulls.remaining).toBe(2);
});

test("the pull budget is kept per host and credentials: one caller's spent budget defers no other's", async () => {
  // Hub counts anonymous pulls per address and authenticated ones per account. The proxy keeps a
  // count for each by path: anonymous lookups here are of library/*, acme's account's of acme/*.
  const anonymous = { limit: 10, remaining: 2 }; // down to the part kept back
  const acmeAccount = { limit: 100, remaining: 50 };
  proxy.inject({ path: '/v2/library/', fault: { kind: 'hub-pulls', pulls: anonymous } });
  proxy.inject({ path: '/v2/acme/', fault: { kind: 'hub-pulls', pulls: acmeAccount } });
  const rule = { host: proxy.host, url: proxy.url, allowPrivate: true };
  const acmeRule = { ...rule, installations: ['acme'], username: 'acme-bot', password: 'not-a-secret' };
  client = makeClient({ pullShare: 0.8, rules: [rule, acmeRule] });
  const acme = client.forAccount('acme');
  await expect(client.resolve(target('library/python', '1'))).rejects.toMatchObject({ code: 'deferred' });
  // Lookups by digest: a manifest GET with no HEAD before it, judged on what the client last saw.
  const acmeApp = target('acme/app1', appDigests[1]!);
  await expect(acme.resolve(acmeApp)).resolves.toMatchObject({ digest: appDigests[1] });
  expect(acmeAccount.remaining).toBe(49);
  // acme's answers (49 left) do not let anonymous lookups spend the address's last pulls.
  const node = target('library/node', nodeDigest);
  await expect(client.resolve(node)).rejects.toMatchObject({ code: 'deferred' });
  expect(anonymous.remaining).toBe(2);
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
