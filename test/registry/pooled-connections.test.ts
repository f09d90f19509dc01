// A keep-alive socket opened under a host rule that allows a private address must never carry a
// request that the address guard would refuse. The attack: a rule points docker.io (say) at a loopback
// mirror with allowPrivate; a repository's `FROM localhost:PORT/secret/thing:1` names the same origin
// without a rule. Before the fix the second lookup reused the mirror's pooled socket and skipped the
// guard. The listener counts connections and records every request path.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRegistryClient } from '../../src/registry/client.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8');
const certificate = fixture('localhost.pem');

interface Mirror {
  port: number;
  connections: number;
  paths: string[];
  close(): Promise<void>;
}

async function startMirror(): Promise<Mirror> {
  const mirror = { port: 0, connections: 0, paths: [] as string[] };
  const server = https.createServer({ cert: certificate, key: fixture('localhost-key.pem') }, (req, res) => {
    mirror.paths.push(`${req.method} ${req.url}`);
    // A registry's answer declares its length, so the socket stays in the keep-alive pool.
    const body = '{"errors":[]}';
    res.writeHead(404, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  server.on('secureConnection', () => mirror.connections++);
  // Long enough that a loaded machine never sees the pooled socket expire between the lookups.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror.port = (server.address() as AddressInfo).port;
  return {
    get port() {
      return mirror.port;
    },
    get connections() {
      return mirror.connections;
    },
    paths: mirror.paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let mirror: Mirror;
beforeAll(async () => {
  mirror = await startMirror();
});
afterAll(() => mirror.close());

test('an unruled reference to a ruled private origin gets no pooled connection', async () => {
  const client = createRegistryClient({
    rules: [{ host: 'docker.io', url: `https://localhost:${mirror.port}`, allowPrivate: true }],
    retries: 0,
    timeoutMs: 15_000,
    extraCaCertificates: [certificate],
    // What localhost is for the guard; the rule's own requests use the system's DNS.
    resolver: async () => [{ address: '127.0.0.1', family: 4 }],
  });
  try {
    // The rule's lookup reaches the mirror and leaves its socket in the keep-alive pool.
    await expect(
      client.resolve({ registry: 'docker.io', repository: 'library/python', reference: '3' }),
    ).rejects.toMatchObject({ code: 'not-found' });
    expect(mirror.connections).toBe(1);

    const error = await client
      .resolve({ registry: `localhost:${mirror.port}`, repository: 'secret/thing', reference: '1' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden-address' });
    expect(mirror.paths).toEqual(['HEAD /v2/library/python/manifests/3']);
    expect(mirror.connections).toBe(1);

    // The rule still works after the refusal, and still reuses its own pooled socket.
    await expect(
      client.resolve({ registry: 'docker.io', repository: 'library/python', reference: '3.12' }),
    ).rejects.toMatchObject({ code: 'not-found' });
    expect(mirror.paths).toHaveLength(2);
    expect(mirror.connections).toBe(1);
  } finally {
    client.close();
  }
});
