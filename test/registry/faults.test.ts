// Faults between the client and a real registry: each affects only its image, and no wrong digest is
// ever returned.
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/types.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import type { PushedIndex } from '../support/registry-push.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let client: RegistryClient;
let healthy: PushedIndex;
let faulty: PushedIndex;

function makeClient(overrides: RegistryClientOptions = {}): RegistryClient {
  return createRegistryClient({
    rules: [{ host: proxy.host, url: proxy.url, allowPrivate: true }],
    timeoutMs: 400,
    retries: 2,
    retryDelayMs: 5,
    maxRetryAfterMs: 200,
    ...overrides,
  });
}

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  healthy = await registry.pushIndex('acme/healthy', '1');
  faulty = await registry.pushIndex('acme/faulty', '1');
});
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});
beforeEach(() => {
  proxy.clear();
  client = makeClient();
});
afterEach(() => client.close());

const target = (repository: string) => ({ registry: proxy.host, repository, reference: '1' });
const requestsTo = (method: string, path: string) =>
  proxy.requests.filter((r) => r.method === method && r.path.includes(path)).length;

/** Resolves the faulty and the healthy image together; the healthy one must be unaffected. */
async function resolveBoth(): Promise<unknown> {
  const [bad, good] = await Promise.allSettled([
    client.resolve(target('acme/faulty')),
    client.resolve(target('acme/healthy')),
  ]);
  expect(good).toMatchObject({ status: 'fulfilled', value: { digest: healthy.digest } });
  return bad.status === 'fulfilled' ? bad.value : bad.reason;
}

test.each([
  ['seconds', () => '3600'],
  ['an HTTP date', () => new Date(Date.now() + 3_600_000).toUTCString()],
])(
  'a Retry-After (%s) longer than the cap is not waited for: rate-limited, saying when',
  async (_, value) => {
    // The cap is set just under the hour asked for: were the client to wait at all (for the answer
    // or for its cap), the test would run into its own timeout long before. No wall-clock bound
    // here, which a loaded machine could break.
    client.close();
    client = makeClient({ maxRetryAfterMs: 3_500_000 });
    proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status: 429, retryAfter: value() } });
    const started = Date.now();
    const error = (await resolveBoth()) as RegistryError;
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'rate-limited', image: `${proxy.host}/acme/faulty:1` });
    const retryAt = /retry after (\S+Z)/.exec(error.message)?.[1];
    expect(Date.parse(retryAt!) - Date.now()).toBeGreaterThan(3_500_000);
    expect(requestsTo('HEAD', '/v2/acme/faulty/')).toBe(1);
    // The rest of the sweep reuses the answer instead of asking again.
    await expect(client.resolve(target('acme/faulty'), { notBefore: started })).rejects.toMatchObject({
      code: 'rate-limited',
    });
    expect(requestsTo('HEAD', '/v2/acme/faulty/')).toBe(1);
  },
);

test('Retry-After below the cap is honoured', async () => {
  const patient = makeClient({ maxRetryAfterMs: 5000 });
  try {
    proxy.inject({
      path: '/v2/acme/faulty/',
      fault: { kind: 'status', status: 503, retryAfter: '1' },
      times: 1,
    });
    const started = Date.now();
    expect((await patient.resolve(target('acme/faulty'))).digest).toBe(faulty.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  } finally {
    patient.close();
  }
});

test('persistent 429 is a rate-limited error after the bounded retries', async () => {
  proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status: 429 } });
  const error = await resolveBoth();
  expect(error).toBeInstanceOf(RegistryError);
  expect(error).toMatchObject({ code: 'rate-limited', image: `${proxy.host}/acme/faulty:1` });
  expect(requestsTo('HEAD', '/v2/acme/faulty/')).toBe(3);
});

test.each([500, 503])('transient %i is retried; persistent is a server error', async (status) => {
  proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status }, times: 1 });
  expect(await resolveBoth()).toMatchObject({ digest: faulty.digest });
  client.close();
  client = makeClient();
  proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status } });
  expect(await resolveBoth()).toMatchObject({ code: 'server' });
});

test('a stall past the timeout is a timeout error', async () => {
  proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'stall' } });
  const started = Date.now();
  const error = await resolveBoth();
  expect(error).toMatchObject({ code: 'timeout' });
  expect(String(error)).toContain('acme/faulty');
  expect(Date.now() - started).toBeLessThan(5000);
});

test('a truncated manifest body is retried, and never accepted', async () => {
  proxy.inject({
    path: '/v2/acme/faulty/manifests/',
    methods: ['GET'],
    fault: { kind: 'truncate' },
    times: 1,
  });
  expect(await resolveBoth()).toMatchObject({ digest: faulty.digest });
  client.close();
  client = makeClient();
  proxy.inject({ path: '/v2/acme/faulty/manifests/', methods: ['GET'], fault: { kind: 'truncate' } });
  expect(await resolveBoth()).toMatchObject({ code: 'network' });
});

test('a Docker-Content-Digest that does not match the bytes is a digest-mismatch', async () => {
  proxy.inject({ path: '/v2/acme/faulty/manifests/', fault: { kind: 'wrong-digest' } });
  const error = await resolveBoth();
  expect(error).toMatchObject({ code: 'digest-mismatch', image: `${proxy.host}/acme/faulty:1` });
});

test('a GET-only wrong digest header (HEAD honest) is a digest-mismatch', async () => {
  proxy.inject({ path: '/v2/acme/faulty/manifests/', methods: ['GET'], fault: { kind: 'wrong-digest' } });
  expect(await resolveBoth()).toMatchObject({ code: 'digest-mismatch' });
});

test('altered manifest bytes under an honest digest are a digest-mismatch', async () => {
  proxy.inject({ path: '/v2/acme/faulty/manifests/', methods: ['GET'], fault: { kind: 'alter-bytes' } });
  expect(await resolveBoth()).toMatchObject({ code: 'digest-mismatch' });
});

test('altered config blob bytes are a digest-mismatch', async () => {
  proxy.inject({ path: '/v2/acme/faulty/blobs/', fault: { kind: 'alter-bytes' } });
  expect(await resolveBoth()).toMatchObject({ code: 'digest-mismatch' });
});

test('a 401 loop stops after one token refresh with an auth error', async () => {
  proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'auth-loop' } });
  expect(await resolveBoth()).toMatchObject({ code: 'auth' });
  expect(requestsTo('HEAD', '/v2/acme/faulty/')).toBe(2);
  // The healthy image may fetch its own token once the challenge is known; the faulty one fetched one.
  expect(requestsTo('GET', 'repository%3Aacme%2Ffaulty%3Apull')).toBe(1);
});

test('a Bearer realm: one token per scope, reused until it expires', async () => {
  proxy.inject({ path: '/v2/', fault: { kind: 'require-token' } });
  await registry.pushImage('acme/faulty', '2');
  expect(await resolveBoth()).toMatchObject({ digest: faulty.digest });
  await client.resolve({ ...target('acme/faulty'), reference: '2' });
  const tokenRequests = proxy.requests.filter((r) => r.path.startsWith('/token'));
  expect(tokenRequests.map((r) => new URL(r.path, proxy.url).searchParams.get('scope')).sort()).toEqual([
    'repository:acme/faulty:pull',
    'repository:acme/healthy:pull',
  ]);
  expect(client.stats().requests.byKind.token).toBe(2);
});

describe('one lookup per (registry, repository, tag) per sweep, failures included', () => {
  const sweep = async (notBefore: number): Promise<unknown[]> => {
    // Three repositories of the sweep use the same image, one after another.
    const errors: unknown[] = [];
    for (let repository = 0; repository < 3; repository++) {
      errors.push(await client.resolve(target('acme/faulty'), { notBefore }).catch((e: unknown) => e));
    }
    return errors;
  };

  test.each([
    [503, 'server', 3],
    [404, 'not-found', 1],
  ])('a registry answering %i is asked once per sweep', async (status, code, attempts) => {
    proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status } });
    const errors = await sweep(Date.now());
    for (const error of errors) {
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code, image: `${proxy.host}/acme/faulty:1` });
    }
    // One lookup (with its bounded retries), then the failure is reused.
    expect(requestsTo('HEAD', '/v2/acme/faulty/')).toBe(attempts);
    expect(client.stats().lookups).toMatchObject({ total: 3, unique: 1, cached: 2 });
  });

  test('a trigger after the failure asks again, and gets the recovered answer', async () => {
    proxy.inject({ path: '/v2/acme/faulty/', fault: { kind: 'status', status: 503 } });
    await sweep(Date.now());
    proxy.clear();
    await new Promise((r) => setTimeout(r, 2));
    expect(await client.resolve(target('acme/faulty'), { notBefore: Date.now() })).toMatchObject({
      digest: faulty.digest,
    });
  });

  test('a failure is kept only for errorTtlMs, also for a digest', async () => {
    const shortLived = makeClient({ errorTtlMs: 1 });
    try {
      proxy.inject({
        path: `/v2/acme/faulty/manifests/${faulty.digest}`,
        fault: { kind: 'status', status: 404 },
      });
      const byDigest = { ...target('acme/faulty'), reference: faulty.digest };
      await expect(shortLived.resolve(byDigest)).rejects.toMatchObject({ code: 'not-found' });
      proxy.clear();
      await new Promise((r) => setTimeout(r, 5));
      expect((await shortLived.resolve(byDigest)).digest).toBe(faulty.digest);
    } finally {
      shortLived.close();
    }
  });
});
