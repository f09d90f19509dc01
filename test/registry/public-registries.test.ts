// Public registries' auth flows with their real challenge shapes, mocked at the HTTP layer (nock).
import nock from 'nock';
import { parseHostRules } from '../../src/registry/host-rules.js';
import { fixtureImage, mockRegistry, sha256, useNockedRegistryClients } from '../support/registry-nock.js';

const makeClient = useNockedRegistryClients();

const PUBLIC_REGISTRIES = [
  {
    name: 'Docker Hub',
    registry: 'docker.io',
    repository: 'library/python',
    base: 'https://registry-1.docker.io',
    challenge: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
    service: 'registry.docker.io',
  },
  {
    name: 'GHCR',
    registry: 'ghcr.io',
    repository: 'acme/app',
    base: 'https://ghcr.io',
    challenge: 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    service: 'ghcr.io',
  },
  {
    name: 'Quay',
    registry: 'quay.io',
    repository: 'prometheus/node-exporter',
    base: 'https://quay.io',
    challenge: 'Bearer realm="https://quay.io/v2/auth",service="quay.io"',
    service: 'quay.io',
  },
  {
    name: 'GCR',
    registry: 'gcr.io',
    repository: 'distroless/static',
    base: 'https://gcr.io',
    challenge: 'Bearer realm="https://gcr.io/v2/token",service="gcr.io"',
    service: 'gcr.io',
  },
  {
    name: 'Artifact Registry',
    registry: 'us-docker.pkg.dev',
    repository: 'acme-project/images/app',
    base: 'https://us-docker.pkg.dev',
    challenge: 'Bearer realm="https://us-docker.pkg.dev/v2/token",service="us-docker.pkg.dev"',
    service: 'us-docker.pkg.dev',
  },
  {
    name: 'ECR Public',
    registry: 'public.ecr.aws',
    repository: 'docker/library/nginx',
    base: 'https://public.ecr.aws',
    challenge: 'Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws"',
    service: 'public.ecr.aws',
  },
];

describe.each(PUBLIC_REGISTRIES)('$name', ({ registry, repository, base, challenge, service }) => {
  test('anonymous token for the pull scope, then HEAD → GET by digest → config', async () => {
    const mock = mockRegistry({ base, repository, tag: 'latest', challenge });
    const info = await makeClient().resolve({ registry, repository, reference: 'latest' });
    expect(info).toMatchObject({ digest: mock.indexDigest, isIndex: true });
    expect(info.platforms).toEqual([{ os: 'linux', architecture: 'amd64' }]);
    expect(info.created).toBe('2024-03-04T05:06:07Z');
    expect(mock.tokenRequests).toHaveLength(1);
    expect(mock.tokenRequests[0]!.authorization).toBeUndefined();
    expect(Object.fromEntries(mock.tokenRequests[0]!.query)).toEqual({
      service,
      scope: `repository:${repository}:pull`,
    });
    expect(mock.registryRequests.map((r) => r.path.split(' ')[0])).toEqual([
      'HEAD',
      'HEAD',
      'GET',
      'GET',
      'GET',
    ]);
    expect(mock.registryRequests.slice(1).every((r) => r.authorization === 'Bearer token-for-tests')).toBe(
      true,
    );
  });
});

test('MCR answers anonymously without a challenge', async () => {
  const mock = mockRegistry({
    base: 'https://mcr.microsoft.com',
    repository: 'dotnet/runtime',
    tag: '8.0',
    challenge: null,
  });
  const info = await makeClient().resolve({
    registry: 'mcr.microsoft.com',
    repository: 'dotnet/runtime',
    reference: '8.0',
  });
  expect(info.isIndex).toBe(true);
  expect(mock.registryRequests.every((r) => r.authorization === undefined)).toBe(true);
  expect(mock.registryRequests).toHaveLength(4);
});

describe('Docker Hub specifics', () => {
  const hub = PUBLIC_REGISTRIES[0]!;

  test('the token is cached per scope: a second tag of the same repository needs no token request', async () => {
    const mock = mockRegistry({ ...hub, tag: 'latest' });
    const c = makeClient();
    await c.resolve({ registry: 'docker.io', repository: 'library/python', reference: 'latest' });
    await c
      .resolve({ registry: 'docker.io', repository: 'library/python', reference: 'missing' })
      .catch(() => null);
    expect(mock.tokenRequests).toHaveLength(1);
  });

  test('index.docker.io, registry-1.docker.io and a bare official name are Docker Hub', async () => {
    const mock = mockRegistry({ ...hub, tag: 'latest' });
    const c = makeClient();
    for (const registry of ['index.docker.io', 'registry-1.docker.io']) {
      const info = await c.resolve({ registry, repository: 'library/python', reference: 'latest' });
      expect(info.digest).toBe(mock.indexDigest);
    }
    // `python` without library/ is the same image too; one cache entry for all three.
    expect(
      (await c.resolve({ registry: 'docker.io', repository: 'python', reference: 'latest' })).digest,
    ).toBe(mock.indexDigest);
    expect(c.stats().lookups).toMatchObject({ total: 3, unique: 1, cached: 2 });
  });

  test('an expired token is fetched again (expires_in honoured, access_token accepted)', async () => {
    const mock = mockRegistry({
      ...hub,
      tag: 'latest',
      tokenBody: { access_token: 'token-for-tests', expires_in: 1 },
    });
    const c = makeClient({ tagTtlMs: 1 });
    await c.resolve({ registry: 'docker.io', repository: 'library/python', reference: 'latest' });
    await new Promise((r) => setTimeout(r, 1000));
    await c.resolve({ registry: 'docker.io', repository: 'library/python', reference: 'latest' });
    expect(mock.tokenRequests).toHaveLength(2);
  });

  test('credentials from a host rule go to the token realm as Basic, never to other hosts', async () => {
    const mock = mockRegistry({ ...hub, tag: 'latest' });
    // The operator wrote an alias of docker.io; parsing normalises it.
    const rules = parseHostRules(
      'registries: [{host: index.docker.io, username: bot, password: hub-secret}]',
      {},
      'test',
    );
    const c = makeClient({ rules });
    await c.resolve({ registry: 'docker.io', repository: 'library/python', reference: 'latest' });
    const basic = `Basic ${Buffer.from('bot:hub-secret').toString('base64')}`;
    expect(mock.tokenRequests[0]!.authorization).toBe(basic);
    expect(mock.registryRequests.some((r) => r.authorization === basic)).toBe(false);
  });

  test('a 401 after a fresh token is an auth error after exactly one token request', async () => {
    const mock = mockRegistry({ ...hub, tag: 'latest', rejectTokens: true });
    const error = await makeClient()
      .resolve({ registry: 'docker.io', repository: 'library/python', reference: 'latest' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', image: 'docker.io/library/python:latest' });
    expect(String(error)).not.toContain('token-for-tests');
    expect(mock.tokenRequests).toHaveLength(1);
    expect(mock.registryRequests).toHaveLength(2);
  });

  test('a blob redirect to the CDN is followed without the registry token', async () => {
    const image = fixtureImage('2024-03-04T05:06:07Z');
    mockRegistry({ ...hub, tag: 'latest' });
    nock.cleanAll();
    const cdn = 'https://production.cloudflare.docker.com';
    const configPath = `/v2/library/python/blobs/${sha256(image.config)}`;
    nock(hub.base)
      .head('/v2/library/python/manifests/latest')
      .reply(200, '', { 'docker-content-digest': image.indexDigest })
      .get(`/v2/library/python/manifests/${image.indexDigest}`)
      .reply(200, image.index)
      .get(`/v2/library/python/manifests/${sha256(image.manifest)}`)
      .reply(200, image.manifest)
      .get(configPath)
      .reply(307, '', { location: `${cdn}/registry-v2/docker/blob/data?sig=secret` });
    const cdnScope = nock(cdn, { badheaders: ['authorization'] })
      .get('/registry-v2/docker/blob/data')
      .query(true)
      .reply(200, image.config);
    const info = await makeClient().resolve({
      registry: 'docker.io',
      repository: 'library/python',
      reference: 'latest',
    });
    expect(info.created).toBe('2024-03-04T05:06:07Z');
    expect(cdnScope.isDone()).toBe(true);
  });
});

describe('token realm checks', () => {
  test.each([
    ['https://10.0.0.1/token', 'a private address'],
    ['http://auth.example.com/token', 'plain http'],
  ])('a realm at %s (%s) is refused', async (realm) => {
    mockRegistry({
      base: 'https://ghcr.io',
      repository: 'acme/app',
      tag: '1',
      challenge: `Bearer realm="${realm}",service="x"`,
    });
    await expect(
      makeClient().resolve({ registry: 'ghcr.io', repository: 'acme/app', reference: '1' }),
    ).rejects.toMatchObject({
      code: 'forbidden-address',
    });
  });
});
