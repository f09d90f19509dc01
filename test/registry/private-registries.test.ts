// Private registries against the real distribution registry on loopback: a path-prefixed mirror in
// front of it, htpasswd Basic auth with credentials from Docker's config.json and from a credential
// helper, token auth (`auth: token`) with a token service, and rules scoped to installations.
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScan } from '../../src/cli/scan.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import type { HostRule } from '../../src/registry/host-rules.js';
import { RegistryError } from '../../src/registry/types.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startMirror, type Mirror } from '../support/mirror.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startTokenService } from '../support/token-service.js';

const FIXTURES = path.resolve('fixtures/registry');
const USER = { username: 'acme-bot', password: 'acme-registry-secret' };

let scratch: string;
const clients: RegistryClient[] = [];

function client(rules: HostRule[], env: NodeJS.ProcessEnv = {}): RegistryClient {
  const created = createRegistryClient({ rules, env, retries: 0, timeoutMs: 5000 });
  clients.push(created);
  return created;
}

/** A DOCKER_CONFIG directory holding `config`. */
async function dockerConfig(config: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'docker-'));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-private-'));
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a path-prefixed mirror (Harbor proxy-cache project, Artifactory remote repository)', () => {
  let registry: TestRegistry;
  let mirror: Mirror;
  beforeAll(async () => {
    registry = await startRegistry();
    mirror = await startMirror('dockerhub-proxy', registry.url);
  });
  afterAll(async () => {
    await mirror?.stop();
    await registry?.stop();
  });

  test('Docker Hub images are read under the prefix, official ones under library/', async () => {
    const pushed = await registry.pushIndex('library/python', '3.12-slim');
    await registry.pushImage('library/python', '3.12.1-slim', { seed: 'a' });
    await registry.pushImage('library/python', '3.12.2-slim', { seed: 'b' });
    const hub = client([{ host: 'docker.io', url: mirror.url, allowPrivate: true }]);

    const info = await hub.resolve({ registry: 'docker.io', repository: 'python', reference: '3.12-slim' });
    expect(info.digest).toBe(pushed.digest);
    expect(mirror.paths).toContain('/v2/dockerhub-proxy/library/python/manifests/3.12-slim');
    expect(mirror.paths.every((p) => p.startsWith('/v2/dockerhub-proxy/library/python/'))).toBe(true);

    // Tag paging follows the mirror's own links, under the prefix.
    const paged = createRegistryClient({
      rules: [{ host: 'docker.io', url: mirror.url, allowPrivate: true }],
      env: {},
      retries: 0,
      limits: { tagPageSize: 1 },
    });
    clients.push(paged);
    expect((await paged.listTags('docker.io', 'library/python')).sort()).toEqual([
      '3.12-slim',
      '3.12.1-slim',
      '3.12.2-slim',
    ]);
  });

  test('the Dockerfile keeps the name the user wrote, pinned to the digest the mirror served', async () => {
    const pushed = await registry.pushIndex('library/node', '22-alpine');
    const dir = await mkdtemp(path.join(scratch, 'repo-'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM node:22-alpine\nRUN npm ci\n');
    const rules = path.join(dir, 'registries.yml');
    await writeFile(
      rules,
      `registries:\n  - host: docker.io\n    url: ${mirror.url}\n    allowPrivate: true\n`,
    );
    const code = await runScan(
      [dir, '--apply'],
      { stdout: () => {}, stderr: () => {} },
      { FRESHBASE_REGISTRIES: rules, FRESHBASE_DATA_DIR: path.join(dir, 'data') },
    );
    expect(code).toBe(0);
    expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe(
      `FROM node:22-alpine@${pushed.digest}\nRUN npm ci\n`,
    );
  });

  test('a pin is only a digest whose bytes the mirror served: altered bytes are refused', async () => {
    const pushed = await registry.pushImage('library/busybox', '1', { seed: 'x' });
    const faulty = await startFaultProxy(registry.url);
    const lying = await startMirror('dockerhub-proxy', faulty.url);
    try {
      faulty.inject({ path: '/manifests/', fault: { kind: 'alter-bytes' }, methods: ['GET'] });
      const hub = client([{ host: 'docker.io', url: lying.url, allowPrivate: true }]);
      const error = await rejection(
        hub.resolve({ registry: 'docker.io', repository: 'busybox', reference: '1' }),
      );
      expect(error.code).toBe('digest-mismatch');
      expect(error.message).toContain(pushed.digest);
    } finally {
      await lying.stop();
      await faulty.stop();
    }
  });
});

describe('Basic auth (htpasswd) with credentials kept the way Docker keeps them', () => {
  let registry: TestRegistry;
  let mirror: Mirror;
  let pushedDigest: string;
  beforeAll(async () => {
    registry = await startRegistry({ auth: USER });
    mirror = await startMirror('team', registry.url);
    pushedDigest = (await registry.pushImage('acme/base', '1.0')).digest;
  });
  afterAll(async () => {
    await mirror?.stop();
    await registry?.stop();
  });
  const rule = (extra: Partial<HostRule> = {}): HostRule => ({
    host: registry.host,
    url: registry.url,
    allowPrivate: true,
    credentials: 'docker-config',
    ...extra,
  });
  const base = () => ({ registry: registry.host, repository: 'acme/base', reference: '1.0' });
  const encoded = () => Buffer.from(`${USER.username}:${USER.password}`).toString('base64');

  test('config.json auths: `auth`, and username with password', async () => {
    const withAuth = await dockerConfig({ auths: { [`http://${registry.host}/v1/`]: { auth: encoded() } } });
    const info = await client([rule()], { DOCKER_CONFIG: withAuth }).resolve(base());
    expect(info.digest).toBe(pushedDigest);

    const withPassword = await dockerConfig({ auths: { [registry.host]: USER } });
    expect((await client([rule()], { DOCKER_CONFIG: withPassword }).resolve(base())).digest).toBe(
      pushedDigest,
    );
  });

  test('a mirror is logged in to under its own host, and serves the prefixed repository', async () => {
    const config = await dockerConfig({ auths: { [new URL(mirror.origin).host]: { auth: encoded() } } });
    const rules = [rule({ host: 'registry.acme.example', url: mirror.url })];
    const info = await client(rules, { DOCKER_CONFIG: config }).resolve({
      registry: 'registry.acme.example',
      repository: 'acme/base',
      reference: '1.0',
    });
    expect(info.digest).toBe(pushedDigest);
    expect(mirror.paths).toContain('/v2/team/acme/base/manifests/1.0');
  });

  test('credHelpers and credsStore run docker-credential-<name> get with the host on stdin', async () => {
    const env = {
      PATH: `${FIXTURES}:${process.env.PATH}`,
      FRESHBASE_TEST_HELPER_SERVER: registry.host,
      FRESHBASE_TEST_HELPER_USERNAME: USER.username,
      FRESHBASE_TEST_HELPER_SECRET: USER.password,
    };
    const perHost = await dockerConfig({ credHelpers: { [registry.host]: 'freshbase-test' } });
    const viaHelper = client([rule()], { ...env, DOCKER_CONFIG: perHost });
    expect((await viaHelper.resolve(base())).digest).toBe(pushedDigest);

    const store = await dockerConfig({ credsStore: 'freshbase-test', auths: { [registry.host]: {} } });
    expect((await client([rule()], { ...env, DOCKER_CONFIG: store }).resolve(base())).digest).toBe(
      pushedDigest,
    );

    // A helper without credentials for the host: an auth error that says so.
    const other = client([rule()], {
      ...env,
      FRESHBASE_TEST_HELPER_SERVER: 'elsewhere',
      DOCKER_CONFIG: store,
    });
    const error = await rejection(other.resolve(base()));
    expect(error.code).toBe('auth');
    expect(error.message).toContain(
      `docker-credential-freshbase-test has no credentials for ${registry.host}`,
    );
  });

  test('a helper that fails loudly or is missing: the error names it, never the secret', async () => {
    const env = {
      PATH: `${FIXTURES}:${process.env.PATH}`,
      FRESHBASE_TEST_HELPER_MODE: 'fail-loudly',
      FRESHBASE_TEST_HELPER_SECRET: 'helper-secret-value',
      DOCKER_CONFIG: await dockerConfig({ credsStore: 'freshbase-test' }),
    };
    const loud = await rejection(client([rule()], env).resolve(base()));
    expect(loud.message).toContain('docker-credential-freshbase-test exited with code 3');
    expect(loud.message).not.toContain('helper-secret-value');

    const missing = {
      DOCKER_CONFIG: await dockerConfig({ credsStore: 'nonexistent-helper' }),
      PATH: '/nonexistent',
    };
    const error = await rejection(client([rule()], missing).resolve(base()));
    expect(error.message).toContain('docker-credential-nonexistent-helper is not on PATH');
  });

  test('no credentials for the host in config.json: an auth error naming the file, not its content', async () => {
    const config = await dockerConfig({ auths: { 'other.example': { auth: encoded() } } });
    const error = await rejection(client([rule()], { DOCKER_CONFIG: config }).resolve(base()));
    expect(error.code).toBe('auth');
    expect(error.message).toContain(`config.json has no credentials for ${registry.host}`);
    expect(error.message).not.toContain(encoded());
  });
});

/**
 * A registry in `auth: token` mode behind a front door that serves the token realm on its own origin,
 * as Harbor, GHCR and GAR do; `prefix` makes the front door a path-prefixed mirror.
 */
async function tokenRegistry(prefix: string, mapName?: (name: string) => string | null) {
  const front = await startMirror(prefix);
  const tokens = await startTokenService({ ...USER, mapName, realm: `${front.origin}/token` });
  const registry = await startRegistry({ token: tokens });
  front.upstream = registry.url;
  front.routes.set('/token', tokens.origin);
  return {
    front,
    tokens,
    registry,
    stop: async () => {
      await front.stop();
      await registry.stop();
      await tokens.stop();
    },
  };
}

describe('token auth (a token service the registry trusts)', () => {
  let setup: Awaited<ReturnType<typeof tokenRegistry>>;
  beforeAll(async () => {
    setup = await tokenRegistry('');
  });
  afterAll(async () => {
    await setup?.stop();
  });
  const rule = (extra: Partial<HostRule> = {}): HostRule => ({
    host: 'registry.acme.example',
    url: setup.front.url,
    allowPrivate: true,
    ...extra,
  });

  test('the token is asked for with the rule credentials and the pull scope, then reused', async () => {
    const pushed = await setup.registry.pushIndex('acme/runtime', '2.1');
    const c = client([rule(USER)]);
    const target = { registry: 'registry.acme.example', repository: 'acme/runtime', reference: '2.1' };
    expect((await c.resolve(target)).digest).toBe(pushed.digest);
    const asked = setup.tokens.requests.filter((r) => r.scope === 'repository:acme/runtime:pull');
    expect(asked).toEqual([
      { scope: 'repository:acme/runtime:pull', service: setup.tokens.service, username: USER.username },
    ]);
    expect(c.stats().requests.byKind.token).toBe(1);
  });

  test('without credentials the token service refuses, and the error says so', async () => {
    await setup.registry.pushImage('acme/closed', '1');
    const c = client([rule()]);
    const error = await rejection(
      c.resolve({ registry: 'registry.acme.example', repository: 'acme/closed', reference: '1' }),
    );
    expect(error.code).toBe('auth');
    expect(error.message).toMatch(/token service .* refused the anonymous request/);
  });

  test("one account's credentials never read images for another account's repositories", async () => {
    const pushed = await setup.registry.pushImage('acme/private-base', '3');
    const c = client([rule({ installations: ['acme'], ...USER }), rule()]);
    const target = { registry: 'registry.acme.example', repository: 'acme/private-base', reference: '3' };
    expect((await c.forAccount('Acme').resolve(target)).digest).toBe(pushed.digest);
    const before = setup.tokens.requests.length;

    // After acme's answer is cached: globex and the account-less client still get no answer, and
    // the token service sees no credentials from them.
    const globex = await rejection(c.forAccount('globex').resolve(target));
    expect(globex.code).toBe('auth');
    await rejection(c.resolve(target));
    expect(setup.tokens.requests.length).toBeGreaterThan(before);
    expect(setup.tokens.requests.slice(before).every((r) => r.username === null)).toBe(true);
    expect(globex.message).not.toContain(USER.password);

    // acme's own answer stays shared by acme's repositories.
    const requests = c.stats().requests.total;
    expect((await c.forAccount('acme').resolve(target)).digest).toBe(pushed.digest);
    expect(c.stats().requests.total).toBe(requests);
  });
});

describe('a Harbor-style mirror: path prefix and token auth together', () => {
  let setup: Awaited<ReturnType<typeof tokenRegistry>>;
  beforeAll(async () => {
    // Harbor's token service reads `project/repository` scopes; this one maps them onto the registry.
    setup = await tokenRegistry('harbor-project', (name) =>
      name.startsWith('harbor-project/') ? name.slice('harbor-project/'.length) : null,
    );
  });
  afterAll(async () => {
    await setup?.stop();
  });

  test('the token scope names the repository as the mirror knows it', async () => {
    const pushed = await setup.registry.pushImage('library/debian', 'bookworm-slim');
    const c = client([{ host: 'docker.io', url: setup.front.url, allowPrivate: true, ...USER }]);
    const info = await c.resolve({ registry: 'docker.io', repository: 'debian', reference: 'bookworm-slim' });
    expect(info.digest).toBe(pushed.digest);
    expect(setup.tokens.requests.map((r) => r.scope)).toEqual([
      'repository:harbor-project/library/debian:pull',
    ]);
    expect(setup.front.paths.filter((p) => p.startsWith('/v2/'))).toContain(
      '/v2/harbor-project/library/debian/manifests/bookworm-slim',
    );
  });
});

test('the credential helper fixture is executable, as a fresh clone must keep it', () => {
  expect(statSync(path.join(FIXTURES, 'docker-credential-freshbase-test')).mode & 0o111).not.toBe(0);
});
