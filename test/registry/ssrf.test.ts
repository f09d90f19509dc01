// SSRF: without an operator rule, references naming loopback/private/link-local addresses (directly,
// through DNS, through redirects) never get a connection. Only loopback servers of this test exist;
// nock refuses any other connection as a safety net, so a guard failure would show as 'network'.
import http from 'node:http';
import nock from 'nock';
import { isPublicAddress, type Resolver } from '../../src/registry/address-guard.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Listener {
  port: number;
  connections: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

async function listen(host: string, handler?: http.RequestListener): Promise<Listener> {
  const listener: Partial<Listener> & { connections: number; requests: http.IncomingMessage[] } = {
    connections: 0,
    requests: [],
  };
  const server = http.createServer((req, res) => {
    listener.requests.push(req);
    if (handler) handler(req, res);
    else res.writeHead(200).end('{}');
  });
  server.on('connection', () => listener.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  listener.port = (server.address() as { port: number }).port;
  listener.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return listener as Listener;
}

const loopbackResolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

let v4: Listener;
let v6: Listener;

beforeAll(async () => {
  v4 = await listen('127.0.0.1');
  v6 = await listen('::1');
  nock.disableNetConnect();
  // The .example names only ever resolve through the injected loopback resolver.
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|\[?::1\]?|localhost|[a-z.]+\.example):\d+$/.test(host));
});
afterAll(async () => {
  nock.enableNetConnect();
  nock.restore(); // unhook http so later test files in this worker start clean
  await v4?.close();
  await v6?.close();
});

describe('isPublicAddress', () => {
  test.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '::7f00:1',
    '::169.254.169.254',
    '::a9fe:a9fe',
    '::8.8.8.8',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    'not-an-ip',
  ])('%s is refused', (address) => expect(isPublicAddress(address)).toBe(false));

  test.each(['8.8.8.8', '140.82.112.33', '2606:4700:4700::1111'])('%s is public', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );
});

describe('references without a host rule', () => {
  let client: RegistryClient;
  let resolverCalls: string[];
  beforeEach(() => {
    resolverCalls = [];
    client = createRegistryClient({
      retries: 0,
      timeoutMs: 2000,
      resolver: async (hostname) => {
        resolverCalls.push(hostname);
        return hostname === 'mixed.example'
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: '127.0.0.1', family: 4 },
            ]
          : loopbackResolver(hostname);
      },
    });
  });
  afterEach(() => client.close());

  const resolveAt = (registry: string) =>
    client.resolve({ registry, repository: 'acme/app', reference: '1' });

  test.each([
    ['127.0.0.1:PORT4', 'IPv4 loopback'],
    ['[::1]:PORT6', 'IPv6 loopback'],
    ['[::ffff:127.0.0.1]:PORT4', 'IPv4-mapped loopback'],
    ['[::127.0.0.1]:PORT4', 'IPv4-compatible loopback'],
    ['localhost:PORT4', 'a name resolving to loopback'],
    ['registry.evil.example:PORT4', 'a public-looking name resolving to loopback'],
    ['mixed.example:PORT4', 'a name with one public and one loopback answer'],
  ])('%s (%s) is refused before any connection', async (registry) => {
    const error = await resolveAt(
      registry.replace('PORT4', String(v4.port)).replace('PORT6', String(v6.port)),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden-address' });
    expect(v4.connections + v6.connections).toBe(0);
  });

  test.each(['10.0.0.1', '169.254.169.254', '[fd00::1]:5000', '[::169.254.169.254]', '[::a9fe:a9fe]'])(
    '%s is refused before connecting or resolving',
    async (registry) => {
      const error = await resolveAt(registry).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'forbidden-address' });
      expect(String(error)).toMatch(/not a public address/);
      expect(resolverCalls).toEqual([]);
    },
  );
});

describe('a host rule without allowPrivate', () => {
  test.each([
    [
      'a name resolving to loopback',
      'registry.internal.example:PORT4',
      'https://registry.internal.example:PORT4',
    ],
    ['a loopback address', '127.0.0.1:PORT4', 'http://127.0.0.1:PORT4'],
  ])('reaching %s says to add allowPrivate to that rule', async (_, host, url) => {
    const port = String(v4.port);
    const rule = { host: host.replace('PORT4', port), url: url.replace('PORT4', port) };
    const client = createRegistryClient({ rules: [rule], retries: 0, resolver: loopbackResolver });
    try {
      const error = await client
        .resolve({ registry: rule.host, repository: 'acme/app', reference: '1' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'forbidden-address' });
      expect(String(error)).toContain(
        `if ${rule.host} is meant to be private, add \`allowPrivate: true\` to its rule in FRESHBASE_REGISTRIES`,
      );
      expect(v4.connections).toBe(0);
    } finally {
      client.close();
    }
  });

  test('a reference without a rule gets no such advice', async () => {
    const client = createRegistryClient({ retries: 0, resolver: loopbackResolver });
    try {
      const error = await client
        .resolve({ registry: `localhost:${v4.port}`, repository: 'acme/app', reference: '1' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'forbidden-address' });
      expect(String(error)).not.toContain('allowPrivate');
    } finally {
      client.close();
    }
  });
});

describe('redirects and credentials', () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  const auth = { username: 'bot', password: 'redirect-secret' };
  beforeAll(async () => {
    registry = await startRegistry({ auth });
    proxy = await startFaultProxy(registry.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });
  beforeEach(() => proxy.clear());

  const proxyRule = () => ({ host: proxy.host, url: proxy.url, allowPrivate: true, ...auth });
  const target = () => ({ registry: proxy.host, repository: 'acme/redirected', reference: '1' });

  test.each([
    'http://169.254.169.254/latest/meta-data/',
    'https://[::169.254.169.254]/latest/meta-data/',
    'https://10.0.0.1/blob',
    'https://[::127.0.0.1]:PORT4/blob',
    'https://[::1]:PORT6/blob',
    'https://localhost:PORT4/blob',
  ])('a blob redirect to %s is refused', async (location) => {
    await registry.pushImage('acme/redirected', '1');
    const client = createRegistryClient({ rules: [proxyRule()], retries: 0, resolver: loopbackResolver });
    try {
      proxy.inject({
        path: '/blobs/',
        fault: {
          kind: 'redirect',
          location: location.replace('PORT4', String(v4.port)).replace('PORT6', String(v6.port)),
        },
      });
      await expect(client.resolve(target())).rejects.toMatchObject({ code: 'forbidden-address' });
      expect(v4.connections + v6.connections).toBe(0);
    } finally {
      client.close();
    }
  });

  test('credentials stay with the configured registry when a blob redirects to a public CDN', async () => {
    const pushed = await registry.pushImage('acme/redirected', '1');
    const cdn = nock('https://cdn.example', { badheaders: ['authorization'] })
      .get('/blob')
      .query({ sig: 'x' })
      .reply(200, pushed.config);
    const client = createRegistryClient({ rules: [proxyRule()], retries: 0, resolver: loopbackResolver });
    try {
      proxy.inject({
        path: '/blobs/',
        fault: { kind: 'redirect', location: 'https://cdn.example/blob?sig=x' },
      });
      expect((await client.resolve(target())).created).toBe('2024-01-02T03:04:05Z');
      expect(cdn.isDone()).toBe(true);
      expect(proxy.requests.some((r) => r.authorization?.startsWith('Basic '))).toBe(true);
    } finally {
      client.close();
      nock.cleanAll();
    }
  });

  test("a rule for another loopback origin does not open it to the registry's redirects", async () => {
    await registry.pushImage('acme/redirected', '1');
    // The operator trusts this private host as a registry of its own; a redirect must not reach it.
    const privateRule = {
      host: `127.0.0.1:${v4.port}`,
      url: `http://127.0.0.1:${v4.port}`,
      allowPrivate: true,
    };
    const client = createRegistryClient({ rules: [proxyRule(), privateRule], retries: 0 });
    try {
      proxy.inject({
        path: '/blobs/',
        fault: { kind: 'redirect', location: `http://127.0.0.1:${v4.port}/blob?sig=x` },
      });
      await expect(client.resolve(target())).rejects.toMatchObject({ code: 'forbidden-address' });
      expect(v4.connections).toBe(0);
    } finally {
      client.close();
    }
  });

  test('a 401 from a redirect target is no challenge of the registry: its credentials never go there', async () => {
    await registry.pushImage('acme/redirected', '1');
    const other = await registry.pushImage('acme/other', '1', { seed: 'other' });
    const seen: Array<string | undefined> = [];
    const evil = nock('https://cdn.example')
      .persist()
      .get(/.*/)
      .reply(function (this: { req: { headers: Record<string, string> } }, uri: string) {
        seen.push(this.req.headers.authorization);
        return uri.startsWith('/token')
          ? [200, { token: 'evil-token' }]
          : [401, '', { 'www-authenticate': 'Bearer realm="https://cdn.example/token",service="evil"' }];
      });
    const client = createRegistryClient({ rules: [proxyRule()], retries: 0, resolver: loopbackResolver });
    try {
      proxy.inject({
        path: '/v2/acme/redirected/blobs/',
        fault: { kind: 'redirect', location: 'https://cdn.example/blob' },
      });
      await expect(client.resolve(target())).rejects.toMatchObject({ code: 'auth' });
      expect(seen).toEqual([undefined]);
      // The registry's own Basic challenge still stands for its next image.
      const answer = await client.resolve({ ...target(), repository: 'acme/other' });
      expect(answer.digest).toBe(other.digest);
      expect(seen).toEqual([undefined]);
    } finally {
      client.close();
      evil.persist(false);
      nock.cleanAll();
    }
  });
});

describe("an untrusted public registry cannot reach the operator's private hosts", () => {
  // No rule for untrusted.example (nock answers for it); a rule makes the loopback listener a registry.
  const privateRule = () => ({
    host: `127.0.0.1:${v4.port}`,
    url: `http://127.0.0.1:${v4.port}`,
    allowPrivate: true,
  });
  const untrusted = { registry: 'untrusted.example', repository: 'acme/app', reference: '1' };
  afterEach(() => nock.cleanAll());

  /** The untrusted registry was asked (its route is done) and the operator's host never connected to. */
  async function expectRefusedWithoutConnection(scope: nock.Scope): Promise<void> {
    const client = createRegistryClient({ rules: [privateRule()], retries: 0, resolver: loopbackResolver });
    try {
      await expect(client.resolve(untrusted)).rejects.toMatchObject({ code: 'forbidden-address' });
      expect(scope.isDone()).toBe(true);
      expect(v4.connections).toBe(0);
    } finally {
      client.close();
    }
  }

  test('through a redirect', async () => {
    const scope = nock('https://untrusted.example')
      .head('/v2/acme/app/manifests/1')
      .reply(307, '', { location: `http://127.0.0.1:${v4.port}/v2/acme/app/manifests/1` });
    await expectRefusedWithoutConnection(scope);
  });

  test('through a token realm', async () => {
    const scope = nock('https://untrusted.example')
      .head('/v2/acme/app/manifests/1')
      .reply(401, '', { 'www-authenticate': `Bearer realm="http://127.0.0.1:${v4.port}/token",service="x"` });
    await expectRefusedWithoutConnection(scope);
  });

  test.each(['https://[::127.0.0.1]:PORT4/token', 'https://[::169.254.169.254]/token'])(
    'through an IPv4-compatible token realm %s',
    async (realm) => {
      const scope = nock('https://untrusted.example')
        .head('/v2/acme/app/manifests/1')
        .reply(401, '', {
          'www-authenticate': `Bearer realm="${realm.replace('PORT4', String(v4.port))}",service="x"`,
        });
      await expectRefusedWithoutConnection(scope);
    },
  );
});
