import { validateConfig } from '../../src/config/load.js';
import { isImageIgnored, isPathSelected, normaliseImagePattern, policyFor } from '../../src/config/policy.js';
import { inScheduleWindow } from '../../src/config/schedule.js';
import type { RepoConfig } from '../../src/config/types.js';

function config(value: unknown): RepoConfig {
  const result = validateConfig(value);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('normaliseImagePattern', () => {
  it.each([
    ['node', 'docker.io/library/node'],
    ['bitnami/*', 'docker.io/bitnami/*'],
    ['*', 'docker.io/library/*'],
    ['**', '**'],
    ['docker.io/node', 'docker.io/library/node'],
    ['index.docker.io/library/node', 'docker.io/library/node'],
    ['ghcr.io/acme/*', 'ghcr.io/acme/*'],
    ['localhost:5000/app', 'localhost:5000/app'],
  ])('%s → %s', (pattern, normalised) => {
    expect(normaliseImagePattern(pattern)).toBe(normalised);
  });
});

describe('policyFor', () => {
  const rules = config({
    updates: ['digest', 'patch'],
    platforms: ['linux/amd64'],
    rules: [
      { images: ['node', 'ghcr.io/acme/*'], updates: ['digest', 'minor'], pin: false },
      { images: ['ghcr.io/acme/legacy'], enabled: false },
      { images: ['ghcr.io/acme/*'], pin: true, platforms: ['linux/arm64'], minimumReleaseAge: '2 days' },
    ],
    minimumReleaseAge: '12 hours',
  });
  const HALF_DAY = 12 * 3_600_000;
  const TWO_DAYS = 48 * 3_600_000;
  const amd64 = ['linux/amd64'];
  const arm64 = ['linux/arm64'];

  it.each([
    [
      'docker.io/library/python',
      {
        enabled: true,
        pin: true,
        updates: ['digest', 'patch'],
        platforms: amd64,
        minimumReleaseAgeMs: HALF_DAY,
        automerge: [],
      },
    ],
    [
      'docker.io/library/node',
      {
        enabled: true,
        pin: false,
        updates: ['digest', 'minor'],
        platforms: amd64,
        minimumReleaseAgeMs: HALF_DAY,
        automerge: [],
      },
    ],
    [
      'docker.io/someone/node',
      {
        enabled: true,
        pin: true,
        updates: ['digest', 'patch'],
        platforms: amd64,
        minimumReleaseAgeMs: HALF_DAY,
        automerge: [],
      },
    ],
    [
      'ghcr.io/acme/app',
      {
        enabled: true,
        pin: true,
        updates: ['digest', 'minor'],
        platforms: arm64,
        minimumReleaseAgeMs: TWO_DAYS,
        automerge: [],
      },
    ],
    [
      'ghcr.io/acme/legacy',
      {
        enabled: false,
        pin: true,
        updates: ['digest', 'minor'],
        platforms: arm64,
        minimumReleaseAgeMs: TWO_DAYS,
        automerge: [],
      },
    ],
    [
      'ghcr.io/acme/team/app',
      {
        enabled: true,
        pin: true,
        updates: ['digest', 'patch'],
        platforms: amd64,
        minimumReleaseAgeMs: HALF_DAY,
        automerge: [],
      },
    ],
  ])('%s: later rules override earlier ones, key by key', (image, policy) => {
    expect(policyFor(rules, image)).toEqual(policy);
  });

  it('has no platforms and no soak time unless configured', () => {
    expect(policyFor(config({}), 'docker.io/library/node').platforms).toBeNull();
    expect(policyFor(config({}), 'docker.io/library/node').minimumReleaseAgeMs).toBe(0);
  });

  it('matches Docker Hub namespaces without a host', () => {
    const bitnami = config({ rules: [{ images: ['bitnami/*'], updates: ['major'] }] });
    expect(policyFor(bitnami, 'docker.io/bitnami/redis').updates).toEqual(['major']);
    expect(policyFor(bitnami, 'ghcr.io/bitnami/redis').updates).toEqual(['digest', 'patch']);
  });

  it('keeps ignored images and a disabled repository off, whatever the rules say', () => {
    const ignoring = config({ ignoreImages: ['ghcr.io/acme/*'], rules: [{ images: ['**'], enabled: true }] });
    expect(isImageIgnored(ignoring, 'ghcr.io/acme/app')).toBe(true);
    expect(policyFor(ignoring, 'ghcr.io/acme/app').enabled).toBe(false);
    expect(policyFor(ignoring, 'docker.io/library/node').enabled).toBe(true);
    const disabled = config({ enabled: false, rules: [{ images: ['**'], enabled: true }] });
    expect(policyFor(disabled, 'docker.io/library/node').enabled).toBe(false);
  });
});

describe('isPathSelected', () => {
  const defaults = config({});

  it.each([
    ['Dockerfile', true],
    ['services/api/Dockerfile', true],
    ['./Dockerfile', true],
    ['.devcontainer/Dockerfile', true],
    ['docker/Dockerfile.prod', true],
    ['build/api.Dockerfile', true],
    ['build/api.dockerfile', true],
    ['Containerfile', true],
    ['README.md', false],
    ['Dockerfile.d/notes.txt', false],
    ['dockerfile', false],
    ['Dockerfile.md', false],
    ['docs/Dockerfile.dockerignore', false],
    ['Dockerfile.txt', false],
    ['Dockerfile.prod.yml', false],
    ['Dockerfile.template', false],
    ['Dockerfile.orig', false],
    ['api.Dockerfile.md', false],
    ['Dockerfile.alpine', true],
    ['Dockerfile.3.12', true],
    ['Dockerfile.arm64v8', true],
  ])('%s → %s with the default files', (path, selected) => {
    expect(isPathSelected(defaults, path)).toBe(selected);
  });

  it('leaves out ignorePaths', () => {
    const ignoring = config({ ignorePaths: ['vendor/**', '**/testdata/**'] });
    expect(isPathSelected(ignoring, 'vendor/x/Dockerfile')).toBe(false);
    expect(isPathSelected(ignoring, 'a/testdata/Dockerfile')).toBe(false);
    expect(isPathSelected(ignoring, 'app/Dockerfile')).toBe(true);
  });

  it('a repository that sets files gets exactly what its globs select', () => {
    expect(isPathSelected(config({ files: ['docs/Dockerfile.*'] }), 'docs/Dockerfile.md')).toBe(true);
  });

  it('selects nothing with no files', () => {
    expect(isPathSelected(config({ files: [] }), 'Dockerfile')).toBe(false);
  });
});

describe('inScheduleWindow', () => {
  const weekdayMornings = config({ schedule: { cron: '0-29 9 * * 1-5', timezone: 'Europe/Berlin' } });

  it.each([
    ['2024-01-08T08:00:00Z', true], // Monday 09:00 in Berlin (UTC+1)
    ['2024-01-08T08:29:59.999Z', true],
    ['2024-01-08T08:30:00Z', false],
    ['2024-01-08T09:00:00Z', false], // 10:00 in Berlin
    ['2024-07-08T07:15:00Z', true], // summer time, UTC+2
    ['2024-01-06T08:00:00Z', false], // Saturday
  ])('%s → %s', (now, inWindow) => {
    expect(inScheduleWindow(weekdayMornings, new Date(now))).toBe(inWindow);
  });

  it('is always open with the default cron', () => {
    expect(inScheduleWindow(config({}), new Date('2024-03-01T12:34:56Z'))).toBe(true);
  });
});
