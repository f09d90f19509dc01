// Credential sources on their own: caching until shortly before expiry, and Docker's config.json and
// credential-helper protocol at their edges (hangs, floods, identity tokens, odd helper names).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  dockerConfigCredentials,
  runCredentialHelper,
} from '../../src/registry/credentials/docker-config.js';
import { cachedSource, CredentialError } from '../../src/registry/credentials/source.js';

const FIXTURES = path.resolve('fixtures/registry');
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-credentials-'));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('cachedSource', () => {
  const options = { refreshBeforeMs: 1000, defaultLifetimeMs: 5000, failureTtlMs: 200 };

  test('reuses credentials until refreshBeforeMs before they expire, sharing a fetch in flight', async () => {
    let now = 0;
    let fetches = 0;
    const source = cachedSource(
      'test source',
      async () => ({ credentials: { username: 'u', password: `p${++fetches}` }, expiresAt: now + 10_000 }),
      { ...options, now: () => now },
    );
    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect([a.password, b.password, fetches]).toEqual(['p1', 'p1', 1]);
    now = 8999;
    expect((await source.get()).password).toBe('p1');
    now = 9000; // within a second of expiry
    expect((await source.get()).password).toBe('p2');
  });

  test('without an expiry: the default lifetime; a failure is repeated for failureTtlMs, then retried', async () => {
    let now = 0;
    let fail = true;
    let fetches = 0;
    const source = cachedSource(
      'test source',
      async () => {
        fetches++;
        if (fail) throw new Error('unreachable');
        return { credentials: { username: 'u', password: 'p' }, expiresAt: null };
      },
      { ...options, now: () => now },
    );
    await expect(source.get()).rejects.toThrow(new CredentialError('test source: unreachable'));
    fail = false;
    now = 100;
    await expect(source.get()).rejects.toThrow('unreachable');
    now = 200;
    await expect(source.get()).resolves.toEqual({ username: 'u', password: 'p' });
    now = 200 + 3999;
    await source.get();
    expect(fetches).toBe(2);
    now = 200 + 4000;
    await source.get();
    expect(fetches).toBe(3);
  });
});

describe('Docker config.json and credential helpers', () => {
  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${FIXTURES}:${process.env.PATH}`,
    FRESHBASE_TEST_HELPER_SERVER: 'https://index.docker.io/v1/',
    FRESHBASE_TEST_HELPER_USERNAME: 'hub-user',
    FRESHBASE_TEST_HELPER_SECRET: 'hub-secret',
    ...extra,
  });
  async function config(content: unknown): Promise<string> {
    const dir = await mkdtemp(path.join(scratch, 'docker-'));
    await writeFile(
      path.join(dir, 'config.json'),
      typeof content === 'string' ? content : JSON.stringify(content),
    );
    return dir;
  }

  test("Docker Hub is asked for under Docker's own key, whichever alias the rule names", async () => {
    const dir = await config({ credHelpers: { 'https://index.docker.io/v1/': 'freshbase-test' } });
    for (const host of ['docker.io', 'registry-1.docker.io']) {
      await expect(dockerConfigCredentials(host, { env: env({ DOCKER_CONFIG: dir }) })).resolves.toEqual({
        username: 'hub-user',
        password: 'hub-secret',
      });
    }
  });

  test('a helper that hangs is killed at the deadline; one that floods is cut off', async () => {
    const started = Date.now();
    await expect(
      runCredentialHelper('freshbase-test', 'x', {
        env: env({ FRESHBASE_TEST_HELPER_MODE: 'hang' }),
        timeoutMs: 300,
      }),
    ).rejects.toThrow('docker-credential-freshbase-test gave no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(
      runCredentialHelper('freshbase-test', 'x', {
        env: env({ FRESHBASE_TEST_HELPER_MODE: 'flood' }),
        timeoutMs: 5000,
      }),
    ).rejects.toThrow('docker-credential-freshbase-test wrote more than 64 KiB');
  });

  test('identity tokens, odd helper names and broken files are refused without their content', async () => {
    const identity = await config({ auths: { 'acr.example': { identitytoken: 'refresh-secret' } } });
    await expect(
      dockerConfigCredentials('acr.example', { env: { DOCKER_CONFIG: identity } }),
    ).rejects.toThrow(/holds an identity token, which Freshbase does not support/);
    const helperToken = env({ FRESHBASE_TEST_HELPER_USERNAME: '<token>', FRESHBASE_TEST_HELPER_SERVER: 'x' });
    await expect(
      runCredentialHelper('freshbase-test', 'x', { env: helperToken, timeoutMs: 5000 }),
    ).rejects.toThrow(/answered an identity token/);
    const odd = await config({ credsStore: '../../bin/sh' });
    await expect(dockerConfigCredentials('a.io', { env: { DOCKER_CONFIG: odd } })).rejects.toThrow(
      /names a credential helper that is not a plain name/,
    );
    const broken = await config('{"auths": {"a.io": {"auth": "c2VjcmV0LXZhbHVl"}}');
    const error = await dockerConfigCredentials('a.io', { env: { DOCKER_CONFIG: broken } }).catch(
      (e: Error) => e,
    );
    expect((error as Error).message).toMatch(/config\.json is not a JSON object$/);
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });
});
