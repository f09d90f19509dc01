// Invalid config as GitHub shows it (check run + one issue), and reading files from Git trees.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { loadRepoConfig } from '../../src/github/config-load.js';
import { CONFIG_CHECK_NAME, CONFIG_ISSUE_TITLE } from '../../src/github/config-status.js';
import { readRepositoryFiles } from '../../src/github/repo-files.js';
import { installationWriteQueue } from '../../src/github/write-queue.js';
import { ProbotOctokit } from 'probot';
import { BOT, createHarness, IDENTITY, memoryLog, PY_312, REPO, type Harness } from './harness.js';

const T = '/repos/{owner}/{repo}';
let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

test('invalid config: failing check run and one issue, updated not duplicated, closed once fixed', async () => {
  h.gh.createRepo(REPO, {
    files: { '.github/freshbase.yml': 'maxOpenPullRequests: lots\n', Dockerfile: PY_312 },
  });
  const first = await h.run();
  expect(first.status).toBe('invalid-config');
  expect(h.gh.pulls(REPO)).toHaveLength(0);
  const runs = () => h.gh.repo(REPO).checkRuns;
  expect(runs()).toHaveLength(1);
  expect(runs()[0]).toMatchObject({ name: CONFIG_CHECK_NAME, conclusion: 'failure' });
  expect(runs()[0]!.output.text).toContain('maxOpenPullRequests');
  const issues = () => h.gh.repo(REPO).issues;
  expect(issues()).toMatchObject([{ title: CONFIG_ISSUE_TITLE, state: 'open', user: BOT }]);
  expect(issues()[0]!.body).toContain('maxOpenPullRequests');

  // Same commit again: nothing new is written.
  const from = h.gh.http.log.length;
  await h.run();
  expect(Object.keys(h.gh.http.counts(from)).filter((k) => !k.startsWith('GET'))).toEqual([]);

  // A different mistake on a new commit: the issue is updated, a check run lands on the new head.
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'updates: [sideways]\n' });
  await h.run();
  expect(issues()).toHaveLength(1);
  expect(issues()[0]!.body).toContain('updates');
  expect(runs()).toHaveLength(2);

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'maxOpenPullRequests: 3\n' });
  const fixed = await h.run();
  expect(fixed.status).toBe('done');
  expect(issues()[0]).toMatchObject({ state: 'closed', stateReason: 'completed' });
  expect(h.gh.comments(REPO, issues()[0]!.number)[0]!.body).toContain('valid again');
  expect(runs().at(-1)).toMatchObject({ conclusion: 'success' });
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
});

test('a YAML syntax error is an invalid config, not a crash', async () => {
  h.gh.createRepo(REPO, { files: { '.github/freshbase.yml': 'labels: [a, b\n', Dockerfile: PY_312 } });
  const report = await h.run();
  expect(report.status).toBe('invalid-config');
  expect(h.gh.repo(REPO).issues[0]!.body).toContain('invalid YAML');
});

test('a config under the other extension (.github/freshbase.yaml) is reported, not ignored', async () => {
  h.gh.createRepo(REPO, { files: { '.github/freshbase.yaml': 'enabled: false\n', Dockerfile: PY_312 } });
  const report = await h.run();
  expect(report.status).toBe('invalid-config');
  expect(h.gh.pulls(REPO)).toHaveLength(0);
  expect(h.gh.repo(REPO).checkRuns[0]).toMatchObject({ name: CONFIG_CHECK_NAME, conclusion: 'failure' });
  expect(h.gh.repo(REPO).issues[0]!.body).toContain(
    '.github/freshbase.yaml is not read: Freshbase reads .github/freshbase.yml; rename the file',
  );
  // Renamed: the config applies.
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'enabled: false\n' });
  expect(await h.run()).toMatchObject({ status: 'skipped', reason: 'disabled-by-config' });
});

test('the org .github repository config applies through the config plugin', async () => {
  h.gh.createRepo('acme/.github', { files: { '.github/freshbase.yml': 'enabled: false\n' } });
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const report = await h.run();
  expect(report).toMatchObject({ status: 'skipped', reason: 'disabled-by-config' });
});

function loadAppConfig() {
  const octokit = new ProbotOctokit({
    auth: { token: 'test' },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  return loadRepoConfig({ octokit, owner: 'acme', repo: 'app' });
}

describe('_extends', () => {
  test.each([
    ['a missing repository', 'acme/nowhere', 'acme/nowhere:.github/freshbase.yml'],
    ['a missing file', 'acme/base:.github/other.yml', 'acme/base:.github/other.yml'],
  ])('naming %s is a problem, not an empty config', async (_what, target, shown) => {
    h.gh.createRepo('acme/base', { files: { '.github/freshbase.yml': 'labels: [base]\n' } });
    h.gh.createRepo(REPO, {
      files: { '.github/freshbase.yml': `_extends: ${target}\npin: false\n`, Dockerfile: PY_312 },
    });
    const loaded = await loadAppConfig();
    expect(loaded).toMatchObject({
      ok: false,
      problems: [{ path: '_extends', message: expect.stringContaining(`\`${shown}\` was not found`) }],
    });
    const report = await h.run();
    expect(report.status).toBe('invalid-config');
    expect(h.gh.repo(REPO).issues[0]!.body).toContain(`\`${shown}\` was not found`);
    expect(h.gh.pulls(REPO)).toHaveLength(0);
  });

  test('a missing file further down the chain is named with the file that extends it', async () => {
    h.gh.createRepo('acme/base', { files: { '.github/freshbase.yml': '_extends: acme/gone\n' } });
    h.gh.createRepo(REPO, { files: { '.github/freshbase.yml': '_extends: base\n' } });
    const loaded = await loadAppConfig();
    expect(loaded).toMatchObject({
      ok: false,
      problems: [
        {
          path: '_extends',
          message: expect.stringContaining(
            '`acme/gone:.github/freshbase.yml` was not found (named by `_extends` in `acme/base:.github/freshbase.yml`)',
          ),
        },
      ],
    });
  });

  test('no repository file and no org `.github` default is no config at all: the defaults', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    const loaded = await loadAppConfig();
    expect(loaded).toMatchObject({ ok: true, config: { pin: true, labels: ['dependencies', 'docker'] } });
  });

  test('the org `.github` default may extend another file, which must exist', async () => {
    h.gh.createRepo('acme/.github', { files: { '.github/freshbase.yml': '_extends: acme/policy\n' } });
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    expect(await loadAppConfig()).toMatchObject({ ok: false, problems: [{ path: '_extends' }] });
    h.gh.createRepo('acme/policy', { files: { '.github/freshbase.yml': 'pin: false\n' } });
    expect(await loadAppConfig()).toMatchObject({ ok: true, config: { pin: false } });
  });

  test('layers merge deeply: nested keys are kept, lists (rules too) replace as a whole', async () => {
    h.gh.createRepo('acme/base', {
      files: {
        '.github/freshbase.yml': [
          'schedule: { cron: "0 6 * * 1" }',
          'labels: [base]',
          'rules:',
          '  - images: [node]',
          '    pin: false',
          '  - images: [redis]',
          '    enabled: false',
          '',
        ].join('\n'),
      },
    });
    h.gh.createRepo(REPO, {
      files: {
        '.github/freshbase.yml': [
          '_extends: base',
          'schedule: { timezone: Europe/Berlin }',
          'rules:',
          '  - images: [python]',
          '    updates: [digest]',
          '',
        ].join('\n'),
        Dockerfile: PY_312,
      },
    });
    const loaded = await loadAppConfig();
    expect(loaded).toMatchObject({
      ok: true,
      config: {
        schedule: { cron: '0 6 * * 1', timezone: 'Europe/Berlin' },
        labels: ['base'],
        rules: [{ images: ['python'], updates: ['digest'] }],
      },
      sources: ['acme/app:.github/freshbase.yml', 'acme/base:.github/freshbase.yml'],
    });
    // Monday 10:00 UTC is outside "0 6 * * 1" in Berlin: nothing is opened until the next window.
    const report = await h.run();
    expect(report.pullRequests).toMatchObject({ created: 0, heldBack: 1 });
    expect(report.rescanAt).toEqual(new Date('2025-06-09T04:00:00Z'));
  });
});

describe('a config document that is not a mapping', () => {
  test.each([
    ['a list', '- pin\n- labels\n', 'expected a mapping of keys to values, got a list'],
    ['a number', '5\n', 'expected a mapping of keys to values, got a number'],
    ['a boolean', 'true\n', 'expected a mapping of keys to values, got a boolean (true or false)'],
    ['a string', 'just text\n', 'expected a mapping of keys to values, got a string'],
  ])('%s is reported as such', async (_what, text, message) => {
    h.gh.createRepo(REPO, { files: { '.github/freshbase.yml': text, Dockerfile: PY_312 } });
    const loaded = await loadAppConfig();
    expect(loaded).toMatchObject({
      ok: false,
      problems: [{ path: '', message: expect.stringContaining(message) }],
    });
    expect(JSON.stringify(loaded)).not.toContain('unknown key');
  });

  test('in an extended file it is reported with that file', async () => {
    h.gh.createRepo('acme/base', { files: { '.github/freshbase.yml': '- a\n- b\n' } });
    h.gh.createRepo(REPO, { files: { '.github/freshbase.yml': '_extends: base\n' } });
    expect(await loadAppConfig()).toMatchObject({
      ok: false,
      problems: [
        {
          path: '',
          message: 'expected a mapping of keys to values, got a list in `acme/base:.github/freshbase.yml`',
        },
      ],
    });
  });
});

test('a YAML syntax error names its line once', async () => {
  h.gh.createRepo(REPO, { files: { '.github/freshbase.yml': 'pin: true\nlabels: [a, b\n' } });
  const loaded = await loadAppConfig();
  expect(loaded).toMatchObject({ ok: false, problems: [{ path: '', line: 3 }] });
  const problem = !loaded.ok ? loaded.problems[0]! : undefined;
  expect(problem?.message).toContain('acme/app:.github/freshbase.yml (invalid YAML)');
  expect(problem?.message).not.toMatch(/at line \d+, column \d+/);
});

function fileReader() {
  const octokit = new ProbotOctokit({
    auth: { token: 'test' },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  const queue = installationWriteQueue('acme');
  const ctx = { octokit, owner: 'acme', repo: 'app', log: memoryLog(), identity: IDENTITY, write: queue.run };
  const head = () => h.gh.repo(REPO).refs.get('heads/main')!;
  return {
    read: (select = (p: string) => p.endsWith('Dockerfile')) => readRepositoryFiles(ctx, head(), select),
  };
}

test('bytes are kept: BOM and CRLF survive, non-UTF-8 and oversized blobs are skipped', async () => {
  const bom = '\uFEFFFROM python:3.12\r\nRUN true\r\n';
  h.gh.createRepo(REPO, {
    files: {
      Dockerfile: bom,
      'latin1/Dockerfile': Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xe9, 0x0a]),
      'big/Dockerfile': 'x'.repeat(1024 * 1024 + 1),
      'README.md': 'not selected',
    },
  });
  const snapshot = await fileReader().read();
  expect(snapshot.files).toEqual([{ path: 'Dockerfile', content: bom }]);
  expect(snapshot.skipped.map((s) => [s.path, s.reason]).sort()).toEqual([
    ['big/Dockerfile', 'too-large'],
    ['latin1/Dockerfile', 'not-utf8'],
  ]);
  expect(h.gh.http.count(`GET ${T}/git/blobs/{sha}`)).toBe(2);
});

test('a truncated recursive tree falls back to walking subtrees', async () => {
  h.gh.createRepo(REPO, { files: { 'a/b/Dockerfile': PY_312, 'c/Dockerfile': PY_312, 'x.txt': '' } });
  h.gh.maxTreeEntries = 2;
  const snapshot = await fileReader().read();
  expect(snapshot.files.map((f) => f.path)).toEqual(['a/b/Dockerfile', 'c/Dockerfile']);
  expect(h.gh.http.count(`GET ${T}/git/trees/{sha}`)).toBe(5);
});

test('a bot-authored file change keeps the file mode and the BOM', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: '\uFEFF' + PY_312.replace(/\n/g, '\r\n') } });
  await h.run();
  const updated = h.gh.readFile(REPO, 'freshbase/all', 'Dockerfile')!;
  expect(updated.startsWith('\uFEFFFROM python:3.12@sha256:')).toBe(true);
  expect(updated.endsWith('\r\nRUN pip install flask\r\n')).toBe(true);
});
