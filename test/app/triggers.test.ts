// Trigger decisions as pure functions.
import {
  isContainerPackage,
  isScanRelevantPath,
  pushChangesOrgConfig,
  pushNeedsScan,
} from '../../src/app/triggers.js';

const push = (paths: string[], extra: object = {}) => ({
  ref: 'refs/heads/main',
  repository: { name: 'api', default_branch: 'main' },
  commits: [{ added: [], modified: paths, removed: [] }],
  ...extra,
});

test.each([
  ['Dockerfile', true],
  ['svc/Dockerfile.prod', true],
  ['web.dockerfile', true],
  ['build/Containerfile', true],
  ['.github/freshbase.yml', true],
  ['README.md', false],
  ['docs/dockerfiles.md', true], // inclusive on purpose: config globs are per repository
  ['.github/workflows/ci.yml', false],
])('isScanRelevantPath(%j) = %s', (path, expected) => {
  expect(isScanRelevantPath(path)).toBe(expected);
});

test('pushNeedsScan', () => {
  expect(pushNeedsScan(push(['Dockerfile']))).toBe(true);
  expect(pushNeedsScan(push(['README.md']))).toBe(false);
  expect(pushNeedsScan(push(['Dockerfile'], { ref: 'refs/heads/dev' }))).toBe(false);
  expect(pushNeedsScan(push(['Dockerfile'], { deleted: true }))).toBe(false);
  expect(pushNeedsScan(push([], { commits: [] }))).toBe(true);
  expect(pushNeedsScan(push([], { commits: [{ id: 'x' }] }))).toBe(true); // no file lists
});

test('pushChangesOrgConfig only for the .github repository config', () => {
  const org = { repository: { name: '.github', default_branch: 'main' } };
  expect(pushChangesOrgConfig(push(['.github/freshbase.yml'], org))).toBe(true);
  expect(pushChangesOrgConfig(push(['README.md'], org))).toBe(false);
  expect(pushChangesOrgConfig(push(['.github/freshbase.yml']))).toBe(false);
});

test('isContainerPackage', () => {
  expect(isContainerPackage({ package_type: 'CONTAINER' })).toBe(true);
  expect(isContainerPackage({ package_type: 'container' })).toBe(true);
  expect(isContainerPackage({ package_type: 'npm' })).toBe(false);
  expect(isContainerPackage(null)).toBe(false);
});
