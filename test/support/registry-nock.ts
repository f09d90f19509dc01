// nock doubles of public registries (Docker Hub, GHCR, …) for tests of the registry client.
import { createHash } from 'node:crypto';
import nock from 'nock';
import type { Resolver } from '../../src/registry/address-guard.js';
import {
  createRegistryClient,
  type RegistryClient,
  type RegistryClientOptions,
} from '../../src/registry/client.js';

/** There is no DNS here; the address guard sees these public addresses (nock answers before connecting). */
export const publicResolver: Resolver = async () => [{ address: '140.82.112.33', family: 4 }];

export const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

export function fixtureImage(created: string) {
  const config = json({ os: 'linux', architecture: 'amd64', created, config: { Labels: {} } });
  const manifest = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      digest: sha256(config),
      size: config.length,
    },
    layers: [],
  });
  const index = json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: sha256(manifest),
        size: manifest.length,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${'a'.repeat(64)}`,
        size: 1,
        platform: { os: 'unknown', architecture: 'unknown' },
      },
    ],
  });
  return { config, manifest, index, indexDigest: sha256(index) };
}

interface Recorded {
  path: string;
  authorization: string | undefined;
}

export interface MockRegistry {
  indexDigest: string;
  registryRequests: Recorded[];
  tokenRequests: Array<Recorded & { query: URLSearchParams }>;
}

/**
 * Mocks one registry serving `repository:tag` as a one-platform index. With a challenge, /v2 requests
 * need `Bearer <token>` and the realm issues it; without, everything is anonymous (MCR).
 */
export function mockRegistry(options: {
  base: string;
  repository: string;
  tag: string;
  challenge: string | null;
  tokenBody?: Record<string, unknown>;
  /** Answer 401 even to a valid token. */
  rejectTokens?: boolean;
}): MockRegistry {
  const { base, repository, tag, challenge } = options;
  const image = fixtureImage('2024-03-04T05:06:07Z');
  const record: MockRegistry = { indexDigest: image.indexDigest, registryRequests: [], tokenRequests: [] };
  const token = 'token-for-tests';
  const byPath: Record<string, Buffer> = {
    [`/v2/${repository}/manifests/${tag}`]: image.index,
    [`/v2/${repository}/manifests/${image.indexDigest}`]: image.index,
    [`/v2/${repository}/manifests/${sha256(image.manifest)}`]: image.manifest,
    [`/v2/${repository}/blobs/${sha256(image.config)}`]: image.config,
  };
  const answer = (method: string) =>
    function (this: { req: { headers: Record<string, string> } }, uri: string): nock.ReplyFnResult {
      const authorization = this.req.headers.authorization;
      record.registryRequests.push({ path: `${method} ${uri}`, authorization });
      if (challenge && (options.rejectTokens || authorization !== `Bearer ${token}`)) {
        return [401, '', { 'www-authenticate': challenge }];
      }
      const body = byPath[uri];
      if (!body) return [404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'];
      const mediaType = uri.includes('/blobs/')
        ? 'application/octet-stream'
        : JSON.parse(body.toString()).mediaType;
      const headers = {
        'docker-content-digest': sha256(body),
        'content-type': mediaType,
        'content-length': String(body.length),
      };
      return [200, method === 'HEAD' ? '' : body, headers];
    };
  // Only the repository's paths: Quay's and GCR's realms live under /v2/ on the same host.
  const isRepositoryPath = (path: string) => path.startsWith(`/v2/${repository}/`);
  nock(base)
    .persist()
    .head(isRepositoryPath)
    .reply(answer('HEAD'))
    .get(isRepositoryPath)
    .reply(answer('GET'));
  const realm = challenge && /realm="([^"]+)"/.exec(challenge)![1]!;
  if (realm) {
    const realmUrl = new URL(realm);
    nock(realmUrl.origin)
      .persist()
      .get((path) => path.startsWith(realmUrl.pathname))
      .reply(function (this: { req: { headers: Record<string, string> } }, uri: string) {
        const query = new URL(uri, realmUrl).searchParams;
        record.tokenRequests.push({ path: uri, authorization: this.req.headers.authorization, query });
        return [200, options.tokenBody ?? { token, expires_in: 300 }];
      });
  }
  return record;
}

/**
 * Registers the jest hooks of a nock-only registry test file (no network at all; http unhooked
 * afterwards so later files in the worker start clean) and returns the client factory.
 */
export function useNockedRegistryClients(): (options?: RegistryClientOptions) => RegistryClient {
  let client: RegistryClient | undefined;
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.enableNetConnect();
    nock.restore();
  });
  afterEach(() => {
    client?.close();
    nock.cleanAll();
  });
  return (options = {}) => {
    client = createRegistryClient({ resolver: publicResolver, retries: 0, timeoutMs: 2000, ...options });
    return client;
  };
}
