// What a scan asks the registry, counted at the real registry's door (the client's exchanges): a
// digest is read (GET, hashed, described) only when there is something to judge; one that is
// already current costs its tag's HEAD alone.
import { validateConfig } from '../../src/config/load.js';
import type { RepoConfig } from '../../src/config/types.js';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { scanRepository } from '../../src/repository/scan.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { temporaryStateStore } from '../support/state.js';

let registry: TestRegistry;
let client: RegistryClient;
let sent: string[] = [];

beforeAll(async () => {
  registry = await startRegistry();
});

afterAll(async () => {
  await registry?.stop();
});

beforeEach(() => {
  sent = [];
  client = createRegistryClient({
    rules: [registry.hostRule()],
    onExchange: ({ method, url }) => void sent.push(`${method} ${url.pathname}`),
  });
});

afterEach(() => client.close());

function config(value: unknown = {}): RepoConfig {
  const result = validateConfig(value);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

/** Requests by what they were: HEAD, tag list, manifest GET, blob (config) GET. */
function kinds(requests: string[]) {
  return {
    head: requests.filter((r) => r.startsWith('HEAD ')).length,
    tags: requests.filter((r) => r.endsWith('/tags/list')).length,
    manifest: requests.filter((r) => r.startsWith('GET ') && r.includes('/manifests/')).length,
    blob: requests.filter((r) => r.includes('/blobs/')).length,
  };
}

async function scan(dockerfile: string, cfg: RepoConfig = config(), now = new Date()) {
  return scanRepository({
    repoFullName: 'acme/service',
    files: [{ path: 'Dockerfile', content: dockerfile }],
    config: cfg,
    registry: client,
    state: temporaryStateStore(),
    now,
    freshAfter: now,
  });
}

test('a pinned digest its tag still names costs the HEAD alone: no manifest or config is read', async () => {
  const index = await registry.pushIndex('lazy/current-index', 'stable');
  const image = await registry.pushImage('lazy/current-image', '2.4.1', { seed: 'current-image' });
  const result = await scan(
    `FROM ${registry.host}/lazy/current-index:stable@${index.digest}\n` +
      `FROM ${registry.host}/lazy/current-image:2.4.1@${image.digest}\n`,
  );
  expect(result.updates).toEqual([]);
  expect(result.errors).toEqual([]);
  expect(result.held).toEqual([]);
  // One HEAD per tag; the versioned tag's list, to see that no newer patch exists.
  expect(kinds(sent)).toEqual({ head: 2, tags: 1, manifest: 0, blob: 0 });
});

test('a new digest that goes into a PR is read and hashed once, described once, and then cached', async () => {
  const index = await registry.pushIndex('lazy/to-pin', 'stable', {
    images: [
      { seed: 'to-pin', labels: { 'org.opencontainers.image.source': 'https://github.com/acme/base' } },
    ],
  });
  const first = await scan(`FROM ${registry.host}/lazy/to-pin:stable\n`);
  expect(first.updates).toMatchObject([{ kind: 'pin', to: { tag: 'stable', digest: index.digest } }]);
  expect(first.updates[0]!.target).toMatchObject({
    digest: index.digest,
    source: 'https://github.com/acme/base',
  });
  expect(first.plans[0]!.body).toContain('github.com/acme/base');
  // HEAD; the index by digest (its bytes hashed); its representative child and that child's config.
  expect(kinds(sent)).toEqual({ head: 1, tags: 0, manifest: 2, blob: 1 });
  expect(sent.filter((r) => r.startsWith('GET ') && r.endsWith(`/manifests/${index.digest}`))).toHaveLength(
    1,
  );

  // A later scan (a new sweep: tag answers older than it are asked again) re-checks the tag only.
  sent = [];
  const again = await scan(
    `FROM ${registry.host}/lazy/to-pin:stable\n`,
    config(),
    new Date(Date.now() + 1000),
  );
  expect(again.updates).toHaveLength(1);
  expect(kinds(sent)).toEqual({ head: 1, tags: 0, manifest: 0, blob: 0 });
});

test('a moved tag whose digest update the policy does not offer reads nothing past its HEAD', async () => {
  const old = await registry.pushImage('lazy/held', '3.1', { seed: 'held-old' });
  await registry.pushImage('lazy/held', '3.1', { seed: 'held-new' });
  // Tag updates only (none newer exists), no digest refreshes: nothing can be written.
  const cfg = config({ updates: ['patch', 'minor'] });
  const result = await scan(`FROM ${registry.host}/lazy/held:3.1@${old.digest}\n`, cfg);
  expect(result.updates).toEqual([]);
  expect(result.plans).toEqual([]);
  expect(kinds(sent)).toEqual({ head: 0, tags: 1, manifest: 0, blob: 0 });
});

test('an unpinned tag with pinning off and no newer tag asks the registry for its tag list only', async () => {
  await registry.pushImage('lazy/unpinned', '5.0.2', { seed: 'unpinned' });
  const result = await scan(`FROM ${registry.host}/lazy/unpinned:5.0.2\n`, config({ pin: false }));
  expect(result.updates).toEqual([]);
  expect(kinds(sent)).toEqual({ head: 0, tags: 1, manifest: 0, blob: 0 });
});

describe('under a soak time (minimumReleaseAge)', () => {
  const soaking = config({ minimumReleaseAge: '3 days' });

  test('an unpinned tag whose digest is first seen now is held on its HEAD: nothing is read', async () => {
    const index = await registry.pushIndex('lazy/soak-pin', 'stable');
    const result = await scan(`FROM ${registry.host}/lazy/soak-pin:stable\n`, soaking);
    expect(result.updates).toEqual([]);
    expect(result.held).toMatchObject([{ to: { tag: 'stable', digest: index.digest }, soak: {} }]);
    expect(kinds(sent)).toEqual({ head: 1, tags: 0, manifest: 0, blob: 0 });
  });

  test('a moved pinned tag reads its pinned index only, never the young digest', async () => {
    const old = await registry.pushIndex('lazy/soak-moved', 'stable', { images: [{ seed: 'soak-old' }] });
    const fresh = await registry.pushIndex('lazy/soak-moved', 'stable', { images: [{ seed: 'soak-new' }] });
    const result = await scan(`FROM ${registry.host}/lazy/soak-moved:stable@${old.digest}\n`, soaking);
    expect(result.updates).toEqual([]);
    expect(result.held).toMatchObject([{ to: { tag: 'stable', digest: fresh.digest } }]);
    // The pinned index as the client reads any (it, its child, the child's config): whether it is
    // one platform's manifest decides which digest a candidate writes. A pin Freshbase wrote has
    // them cached for good.
    expect(kinds(sent)).toEqual({ head: 1, tags: 0, manifest: 2, blob: 1 });
    expect(sent.filter((r) => r.includes(fresh.digest))).toEqual([]);
    expect(sent.filter((r) => r.includes(fresh.children[0]!.digest))).toEqual([]);
  });
});
