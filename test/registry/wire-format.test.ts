// Pure parts: challenges, token answers, Retry-After, manifests and platforms.
import { parseChallenge, parseTokenResponse, tokenRequestUrl } from '../../src/registry/auth.js';
import { MEDIA_TYPES, imageLabels, parseManifest } from '../../src/registry/manifest.js';
import { samePlatform } from '../../src/registry/platform.js';
import { parseRetryAfter } from '../../src/registry/registry-http.js';

describe('WWW-Authenticate', () => {
  test('Bearer with realm, service and scope', () => {
    const challenge = parseChallenge(
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"',
    );
    expect(challenge).toEqual({
      scheme: 'bearer',
      realm: new URL('https://ghcr.io/token'),
      service: 'ghcr.io',
      scope: 'repository:user/image:pull',
    });
    const url = tokenRequestUrl(
      challenge as Extract<typeof challenge, { scheme: 'bearer' }>,
      'repository:a/b:pull',
    );
    expect(url.href).toBe('https://ghcr.io/token?service=ghcr.io&scope=repository%3Aa%2Fb%3Apull');
  });

  test('Basic, unknown schemes and Bearer without a usable realm', () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic' });
    expect(parseChallenge('Negotiate')).toBeNull();
    expect(parseChallenge('Bearer service="x"')).toBeNull();
    expect(parseChallenge(undefined)).toBeNull();
  });
});

test('token answers: token or access_token; expires_in defaults to 60 s', () => {
  expect(parseTokenResponse(Buffer.from('{"token":"a","expires_in":300}'))).toEqual({
    token: 'a',
    expiresInSeconds: 300,
  });
  expect(parseTokenResponse(Buffer.from('{"access_token":"b"}'))).toEqual({
    token: 'b',
    expiresInSeconds: 60,
  });
  expect(parseTokenResponse(Buffer.from('{"nothing":1}'))).toBeNull();
  expect(parseTokenResponse(Buffer.from('<html>'))).toBeNull();
});

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  expect(parseRetryAfter('3', now)).toBe(3000);
  expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:10 GMT', now)).toBe(10_000);
  expect(parseRetryAfter('soon', now)).toBeNull();
  expect(parseRetryAfter(undefined, now)).toBeNull();
});

describe('manifests', () => {
  const digest = (c: string) => `sha256:${c.repeat(64)}`;

  test('an index lists runnable platforms and skips attestations', () => {
    const index = {
      schemaVersion: 2,
      manifests: [
        { digest: digest('1'), platform: { os: 'linux', architecture: 'amd64' } },
        { digest: digest('2'), platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    expect(parseManifest(Buffer.from(JSON.stringify(index)), MEDIA_TYPES.dockerManifestList)).toEqual({
      kind: 'index',
      mediaType: MEDIA_TYPES.dockerManifestList,
      annotations: {},
      children: [
        { digest: digest('1'), platform: { os: 'linux', architecture: 'amd64' }, attestation: null },
      ],
    });
  });

  test('an index ties each BuildKit attestation manifest to the image it names', () => {
    const attests = (subject: string, type = 'attestation-manifest') => ({
      'vnd.docker.reference.type': type,
      'vnd.docker.reference.digest': subject,
    });
    const unknown = { os: 'unknown', architecture: 'unknown' };
    const index = {
      schemaVersion: 2,
      manifests: [
        { digest: digest('1'), platform: { os: 'linux', architecture: 'amd64' } },
        { digest: digest('2'), platform: { os: 'linux', architecture: 'arm64' } },
        { digest: digest('3'), platform: unknown, annotations: attests(digest('1')) },
        // Not an attestation manifest, or naming a non-sha256 subject: ignored.
        { digest: digest('4'), platform: unknown, annotations: attests(digest('2'), 'other') },
        { digest: digest('5'), platform: unknown, annotations: attests('md5:00') },
      ],
    };
    const parsed = parseManifest(Buffer.from(JSON.stringify(index)), MEDIA_TYPES.ociIndex);
    expect(parsed.kind === 'index' && parsed.children.map((c) => c.attestation)).toEqual([digest('3'), null]);
  });

  test('an OCI manifest without mediaType is recognised by its shape', () => {
    const manifest = { schemaVersion: 2, config: { digest: digest('3') }, layers: [] };
    expect(parseManifest(Buffer.from(JSON.stringify(manifest)), undefined)).toMatchObject({
      kind: 'image',
      mediaType: MEDIA_TYPES.ociManifest,
      configDigest: digest('3'),
    });
  });

  test('schema 1 and garbage are refused', () => {
    expect(() => parseManifest(Buffer.from('{"schemaVersion":1}'), undefined)).toThrow(
      /unsupported manifest/,
    );
    expect(() => parseManifest(Buffer.from('nope'), undefined)).toThrow(/not JSON/);
  });

  test('platform variants normalise as containerd does', () => {
    expect(
      samePlatform(
        { os: 'linux', architecture: 'arm64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ),
    ).toBe(true);
    expect(
      samePlatform({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    ).toBe(true);
    expect(
      samePlatform(
        { os: 'linux', architecture: 'arm', variant: 'v6' },
        { os: 'linux', architecture: 'arm', variant: 'v7' },
      ),
    ).toBe(false);
    expect(
      samePlatform({ os: 'linux', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }),
    ).toBe(false);
  });

  test('labels: earlier sources win, empty values are skipped', () => {
    const key = (k: string) => `org.opencontainers.image.${k}`;
    expect(
      imageLabels(
        { [key('source')]: '', [key('version')]: '1' },
        { [key('source')]: 's', [key('version')]: '2' },
      ),
    ).toEqual({
      source: 's',
      revision: null,
      version: '1',
    });
  });
});
