// The client against a real distribution registry on loopback (reached through an operator host rule).
import { randomBytes } from 'node:crypto';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/types.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const LABELS = {
  'org.opencontainers.image.source': 'https://github.com/acme/app',
  'org.opencontainers.image.revision': 'abc123',
  'org.opencontainers.image.version': '1.0.0',
};

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(() => {
  client = createRegistryClient({ rules: [registry.hostRule()], retries: 0, timeoutMs: 5000 });
});
afterEach(() => client.close());

const target = (repository: string, reference: string) => ({
  registry: registry.host,
  repository,
  reference,
});

describe('resolve', () => {
  test('a single-platform Docker v2 tag gives its verified digest, created, labels and platform', async () => {
    const pushed = await registry.pushImage('acme/single', '1.0', {
      created: '2024-05-06T07:08:09Z',
      labels: LABELS,
      platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
    });
    const info = await client.resolve(target('acme/single', '1.0'));
    expect(info).toEqual({
      digest: pushed.digest,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      isIndex: false,
      platforms: [{ os: 'linux', architecture: 'arm', variant: 'v7' }],
      images: [
        {
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
          digest: pushed.digest,
          attestation: null,
        },
      ],
      created: '2024-05-06T07:08:09Z',
      source: 'https://github.com/acme/app',
      revision: 'abc123',
      version: '1.0.0',
    });
  });

  test('a multi-arch tag gives its index digest, platforms and the amd64 config', async () => {
    const pushed = await registry.pushIndex('acme/multi', '2.0', {
      images: [
        { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, created: '2024-01-01T00:00:00Z' },
        { platform: { os: 'linux', architecture: 'amd64' }, created: '2024-02-02T00:00:00Z', labels: LABELS },
      ],
      annotations: { 'org.opencontainers.image.revision': 'from-index' },
    });
    const info = await client.resolve(target('acme/multi', '2.0'));
    expect(info.digest).toBe(pushed.digest);
    expect(info.isIndex).toBe(true);
    expect(info.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(info.platforms).toEqual([
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    expect(info.images.map((image) => image.digest)).toEqual(pushed.children.map((child) => child.digest));
    expect(info.created).toBe('2024-02-02T00:00:00Z');
    // Index annotations come before config labels.
    expect(info.revision).toBe('from-index');
    expect(info.source).toBe('https://github.com/acme/app');
  });

  test('an OCI single manifest and a digest reference resolve', async () => {
    const pushed = await registry.pushImage('acme/oci', '1', { format: 'oci' });
    const byTag = await client.resolve(target('acme/oci', '1'));
    const byDigest = await client.resolve(target('acme/oci', pushed.digest));
    expect(byTag.digest).toBe(pushed.digest);
    expect(byDigest).toEqual(byTag);
    expect(byTag.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  test('re-publishing a tag gives a new digest once the cache entry expires', async () => {
    const first = await registry.pushImage('acme/moving', 'latest', { seed: 'one' });
    const shortLived = createRegistryClient({ rules: [registry.hostRule()], tagTtlMs: 1 });
    try {
      expect((await shortLived.resolve(target('acme/moving', 'latest'))).digest).toBe(first.digest);
      const second = await registry.pushImage('acme/moving', 'latest', { seed: 'two' });
      expect(second.digest).not.toBe(first.digest);
      await new Promise((r) => setTimeout(r, 5));
      expect((await shortLived.resolve(target('acme/moving', 'latest'))).digest).toBe(second.digest);
    } finally {
      shortLived.close();
    }
  });

  test('an unknown tag is a not-found RegistryError naming the image', async () => {
    await registry.pushImage('acme/known', '1');
    const error = await client.resolve(target('acme/known', 'nope')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'not-found', image: `${registry.host}/acme/known:nope` });
  });

  test('a manifest over the size cap is too-large', async () => {
    await registry.pushIndex('acme/big', '1');
    const small = createRegistryClient({ rules: [registry.hostRule()], limits: { manifestBytes: 100 } });
    try {
      await expect(small.resolve(target('acme/big', '1'))).rejects.toMatchObject({ code: 'too-large' });
    } finally {
      small.close();
    }
  });

  test('an invalid repository name is refused without a request', async () => {
    const error = await client.resolve(target('../../etc', '1')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'protocol' });
    expect(client.stats().requests.total).toBe(0);
  });
});

describe('platform-preserving updates', () => {
  test('a single-platform pin gives its platform; resolvePlatform finds it in the new index', async () => {
    const old = await registry.pushIndex('acme/platforms', '3.12', {
      images: [{ seed: 'a' }, { seed: 'a', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }],
    });
    const oldArm = old.children[1]!;
    const pinned = await client.resolve(target('acme/platforms', oldArm.digest));
    expect(pinned.isIndex).toBe(false);
    const platform = pinned.platforms[0]!;
    expect(platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });

    const fresh = await registry.pushIndex('acme/platforms', '3.12', {
      images: [{ seed: 'b' }, { seed: 'b', platform: { os: 'linux', architecture: 'arm64' } }],
    });
    const later = createRegistryClient({ rules: [registry.hostRule()] });
    try {
      const updated = await later.resolvePlatform(target('acme/platforms', '3.12'), platform);
      // Config says arm64 without variant; the index says arm64 alone: still the same platform.
      expect(updated.digest).toBe(fresh.children[1]!.digest);
      expect(updated.isIndex).toBe(false);
    } finally {
      later.close();
    }
  });

  test('a platform missing from the index is not-found', async () => {
    await registry.pushIndex('acme/noppc', '1');
    await expect(
      client.resolvePlatform(target('acme/noppc', '1'), { os: 'linux', architecture: 'ppc64le' }),
    ).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('tags', () => {
  // distribution 2.8 answers the whole list in one page; paging and its cap are covered with nock.
  test('listTags lists every tag pushed, once per TTL', async () => {
    const tags = ['1.0', '1.1', '2.0'];
    for (const tag of tags) await registry.pushImage('acme/tags', tag);
    expect((await client.listTags(registry.host, 'acme/tags')).sort()).toEqual(tags);
    await client.listTags(registry.host, 'acme/tags');
    expect(client.stats().requests.byKind.tags).toBe(1);
  });
});

describe('cache', () => {
  test('the in-memory store is bounded by bytes: a flood of answers evicts the oldest; one over a tenth of the bound is not kept', async () => {
    const bounded = createRegistryClient({ rules: [registry.hostRule()], cacheBytes: 10_000 });
    try {
      // 12 tags of 128 random hex digits: a list that deflates to about 850 bytes, which with its
      // overhead (512) is over a tenth of the bound.
      const longTags = Array.from({ length: 12 }, () => randomBytes(64).toString('hex'));
      for (const tag of longTags) await registry.pushImage('acme/long-tags', tag);
      await bounded.listTags(registry.host, 'acme/long-tags');
      await bounded.listTags(registry.host, 'acme/long-tags');
      expect(bounded.stats().requests.byKind.tags).toBe(2);

      // 16 tag answers of about 850 bytes each (with their overhead) against a 10,000-byte bound.
      const tags = Array.from({ length: 16 }, (_, i) => `t${i}`);
      for (const tag of tags) await registry.pushImage('acme/flood', tag);
      for (const tag of tags) await bounded.resolve(target('acme/flood', tag));
      const heads = () => bounded.stats().requests.byKind['manifest-head'];
      expect(heads()).toBe(16);
      await bounded.resolve(target('acme/flood', 't15')); // the latest are kept
      expect(heads()).toBe(16);
      await bounded.resolve(target('acme/flood', 't0')); // the oldest went first
      expect(heads()).toBe(17);
    } finally {
      bounded.close();
    }
  });

  test('concurrent identical lookups share one request; later ones hit the cache', async () => {
    await registry.pushIndex('acme/shared', '1');
    const lookups = Array.from({ length: 20 }, () => client.resolve(target('acme/shared', '1')));
    const answers = await Promise.all(lookups);
    expect(new Set(answers.map((a) => a.digest)).size).toBe(1);
    await client.resolve(target('acme/shared', '1'));
    const { requests, lookups: counts } = client.stats();
    // HEAD, index GET, amd64 child GET, its config blob.
    expect(requests.byKind).toMatchObject({ 'manifest-head': 1, manifest: 2, blob: 1 });
    expect(counts).toEqual({ total: 21, unique: 1, coalesced: 19, cached: 1 });
  });

  test('a caller that needs an answer fetched after a moment gets the re-published digest', async () => {
    const first = await registry.pushImage('acme/fresh', '1', { seed: 'one' });
    expect((await client.resolve(target('acme/fresh', '1'))).digest).toBe(first.digest);
    const second = await registry.pushImage('acme/fresh', '1', { seed: 'two' });
    // Same sweep (its start is before the first answer): the cached answer stands.
    const sweepStart = Date.now() - 60_000;
    expect((await client.resolve(target('acme/fresh', '1'), { notBefore: sweepStart })).digest).toBe(
      first.digest,
    );
    // A webhook that arrived after the first lookup: fetched again.
    await new Promise((r) => setTimeout(r, 2));
    const webhookAt = Date.now();
    const fresh = await Promise.all([
      client.resolve(target('acme/fresh', '1'), { notBefore: webhookAt }),
      client.resolve(target('acme/fresh', '1'), { notBefore: webhookAt }),
    ]);
    expect(fresh.map((a) => a.digest)).toEqual([second.digest, second.digest]);
    expect(client.stats().lookups).toEqual({ total: 4, unique: 2, cached: 1, coalesced: 1 });
    // Later callers with the same need reuse the fresh answer.
    expect((await client.resolve(target('acme/fresh', '1'), { notBefore: webhookAt })).digest).toBe(
      second.digest,
    );
    expect(client.stats().lookups.unique).toBe(2);
  });

  test("digest() is the tag's HEAD alone; resolve() then reuses that HEAD and a digest answers itself", async () => {
    const pushed = await registry.pushIndex('acme/head-only', '1');
    const fresh = createRegistryClient({ rules: [registry.hostRule()] });
    try {
      expect(await fresh.digest(target('acme/head-only', '1'))).toBe(pushed.digest);
      expect(await fresh.digest(target('acme/head-only', pushed.digest))).toBe(pushed.digest);
      expect(fresh.stats().requests.byKind).toMatchObject({ 'manifest-head': 1, manifest: 0, blob: 0 });
      expect((await fresh.resolve(target('acme/head-only', '1'))).digest).toBe(pushed.digest);
      expect(fresh.stats().requests.byKind).toMatchObject({ 'manifest-head': 1, manifest: 2, blob: 1 });
    } finally {
      fresh.close();
    }
  });

  test('a new tag whose digest is already known costs only the HEAD', async () => {
    const pushed = await registry.pushImage('acme/alias', 'a');
    await registry.pushImage('acme/alias', 'b', {}); // same content, same digest
    await client.resolve(target('acme/alias', 'a'));
    const before = client.stats().requests.total;
    expect((await client.resolve(target('acme/alias', 'b'))).digest).toBe(pushed.digest);
    expect(client.stats().requests.total - before).toBe(1);
  });
});

describe('Basic auth (htpasswd)', () => {
  let secured: TestRegistry;
  beforeAll(async () => {
    secured = await startRegistry({ auth: { username: 'bot', password: 's3cret-pass' } });
  });
  afterAll(async () => {
    await secured?.stop();
  });

  test('credentials from the host rule answer the Basic challenge', async () => {
    const pushed = await secured.pushImage('private/app', '1');
    const authed = createRegistryClient({ rules: [secured.hostRule()] });
    try {
      expect(
        (await authed.resolve({ registry: secured.host, repository: 'private/app', reference: '1' })).digest,
      ).toBe(pushed.digest);
    } finally {
      authed.close();
    }
  });

  test('without credentials the error is auth, and never names a secret', async () => {
    const anonymous = createRegistryClient({
      rules: [{ host: secured.host, url: secured.url, allowPrivate: true }],
    });
    const wrong = createRegistryClient({ rules: [{ ...secured.hostRule(), password: 'wrong-pass' }] });
    try {
      const target = { registry: secured.host, repository: 'private/app', reference: '1' };
      await expect(anonymous.resolve(target)).rejects.toMatchObject({ code: 'auth' });
      const error = (await wrong.resolve(target).catch((e: unknown) => e)) as RegistryError;
      expect(error.code).toBe('auth');
      expect(error.message).not.toMatch(/wrong-pass|s3cret/);
    } finally {
      anonymous.close();
      wrong.close();
    }
  });
});
