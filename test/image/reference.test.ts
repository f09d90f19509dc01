import {
  familiarName,
  imageName,
  isSha256Digest,
  isValidDigest,
  isValidRepository,
  joinReference,
  manifestName,
  normaliseName,
  parseImageReference,
  qualifiedRepository,
  shortDigest,
  splitReference,
} from '../../src/image/reference.js';

const D = `sha256:${'0123456789abcdef'.repeat(4)}`;
const ok = (text: string) => {
  const result = parseImageReference(text);
  if (!result.ok) throw new Error(result.error);
  return result.ref;
};

describe('parseImageReference', () => {
  test.each([
    ['python', 'docker.io', 'library/python', null, null],
    ['python:3.12-slim', 'docker.io', 'library/python', '3.12-slim', null],
    ['docker.io/python', 'docker.io', 'library/python', null, null],
    ['index.docker.io/library/python:3', 'docker.io', 'library/python', '3', null],
    ['registry-1.docker.io/bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', null],
    ['bitnami/redis', 'docker.io', 'bitnami/redis', null, null],
    ['ghcr.io/acme/team/app:1.0', 'ghcr.io', 'acme/team/app', '1.0', null],
    ['localhost/app', 'localhost', 'app', null, null],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev', null],
    ['Registry.Example.COM:443/a/b', 'registry.example.com:443', 'a/b', null, null],
    [`python@${D}`, 'docker.io', 'library/python', null, D],
    [`python:3@${D}`, 'docker.io', 'library/python', '3', D],
    // A single segment is a Docker Hub name even when it looks like a host.
    ['localhost', 'docker.io', 'library/localhost', null, null],
    ['localhost:5000', 'docker.io', 'library/localhost', '5000', null],
    // An IPv6 literal in brackets is a host, as in distribution/reference.
    ['[::1]:5000/app', '[::1]:5000', 'app', null, null],
  ])('%s', (text, registry, repository, tag, digest) => {
    expect(ok(text)).toEqual({ registry, repository, tag, digest });
  });

  test.each([
    ['', /empty/],
    ['Python', /lowercase/],
    ['python:', /invalid tag/],
    ['python:-x', /invalid tag/],
    ['python@sha256:abc', /invalid digest/],
    [`python@sha256:${'A'.repeat(64)}`, /invalid digest/],
    ['a//b', /invalid repository/],
    ['my host/x', /invalid/],
    ['my_host.example/x', /invalid registry host "my_host.example"/],
    ['exa-.mple.com/x', /invalid registry host/],
  ])('rejects %j', (text, error) => {
    const result = parseImageReference(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

test('split and join keep the written name', () => {
  const parts = splitReference(`localhost:5000/App:1@${D}`);
  expect(parts).toEqual({ name: 'localhost:5000/App', tag: '1', digest: D });
  expect(joinReference({ ...parts, tag: '2', digest: null })).toBe('localhost:5000/App:2');
  expect(joinReference(splitReference('python'))).toBe('python');
});

test('names', () => {
  expect(imageName(ok('python'))).toBe('docker.io/library/python');
  expect(familiarName(ok('docker.io/library/python'))).toBe('python');
  expect(familiarName(ok('ghcr.io/a/b'))).toBe('ghcr.io/a/b');
  expect(isValidDigest(D)).toBe(true);
});

test('Docker Hub official images are library/ there and nowhere else', () => {
  expect(qualifiedRepository('docker.io', 'python')).toBe('library/python');
  expect(qualifiedRepository('docker.io', 'bitnami/redis')).toBe('bitnami/redis');
  expect(qualifiedRepository('ghcr.io', 'python')).toBe('python');
  expect(ok('python').repository).toBe('library/python');
  expect(normaliseName('node')).toBe('docker.io/library/node');
  expect(normaliseName('index.docker.io/node')).toBe('docker.io/library/node');
  expect(normaliseName('bitnami/*')).toBe('docker.io/bitnami/*');
  expect(normaliseName('localhost:5000/node')).toBe('localhost:5000/node');
});

test('a manifest is named by tag with : and by digest with @', () => {
  const python = ok('python');
  expect(manifestName(python, '3.12')).toBe('docker.io/library/python:3.12');
  expect(manifestName(python, D)).toBe(`docker.io/library/python@${D}`);
});

describe('limits', () => {
  const digestOfLength = (total: number) => `python@sha512:${'a'.repeat(total - 'python@sha512:'.length)}`;

  test('a reference may be 1024 characters long, not 1025', () => {
    expect(parseImageReference(digestOfLength(1024)).ok).toBe(true);
    expect(parseImageReference(digestOfLength(1025))).toEqual({
      ok: false,
      error: 'reference longer than 1024 characters',
    });
  });

  test('a repository may be 255 characters long once qualified, not 256', () => {
    // `library/` (8) is part of the repository Docker Hub serves.
    expect(ok('a'.repeat(247)).repository).toHaveLength(255);
    expect(parseImageReference('a'.repeat(248))).toEqual({
      ok: false,
      error: 'repository name longer than 255 characters',
    });
    expect(isValidRepository(`library/${'a'.repeat(247)}`)).toBe(true);
    expect(isValidRepository(`library/${'a'.repeat(248)}`)).toBe(false);
  });
});

test('repository paths as the registry API names them', () => {
  expect(isValidRepository('library/python')).toBe(true);
  expect(isValidRepository('acme/team/app-1_x.y')).toBe(true);
  expect(isValidRepository('Library/python')).toBe(false);
  expect(isValidRepository('a//b')).toBe(false);
  expect(isValidRepository('')).toBe(false);
});

test('digests: any algorithm by the grammar, sha256 held to 64 lowercase hex digits', () => {
  expect(isValidDigest(`sha512:${'ab'.repeat(64)}`)).toBe(true);
  expect(isValidDigest(`sha256:${'ab'.repeat(31)}`)).toBe(false);
  expect(isSha256Digest(D)).toBe(true);
  expect(isSha256Digest(`sha512:${'ab'.repeat(64)}`)).toBe(false);
  expect(isSha256Digest(`${D}0`)).toBe(false);
  expect(shortDigest(D)).toBe('0123456789ab');
});

test('split: a digest alone, and a colon before the last slash is not a tag', () => {
  expect(splitReference(`@${D}`)).toEqual({ name: '', tag: null, digest: D });
  expect(splitReference('host:/app')).toEqual({ name: 'host:/app', tag: null, digest: null });
  expect(normaliseName('localhost')).toBe('docker.io/library/localhost');
});
