import {
  familiarName,
  imageName,
  isValidDigest,
  joinReference,
  manifestName,
  normaliseName,
  parseImageReference,
  qualifiedRepository,
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
