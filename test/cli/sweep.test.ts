// `freshbase sweep`: every repository of every installation scanned once, directly; the exit code
// says whether the sweep completed.
import nock from 'nock';
import type { Reconcile } from '../../src/app/runner.js';
import { runSweep } from '../../src/cli/sweep.js';
import type { RepositoryReport } from '../../src/repository/types.js';
import { createTestProbot } from '../app/helpers.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRegistry } from '../support/registry.js';

const token = { token: 'ghs_test', expires_at: '2999-01-01T00:00:00Z', permissions: {} };

function report(repository: string): RepositoryReport {
  return {
    repository,
    status: 'done',
    files: 2,
    skippedFiles: 0,
    images: 3,
    updates: 1,
    lookups: 4,
    errors: 1,
    deferred: 0,
    pullRequests: { created: 1, updated: 0, unchanged: 0, closed: 0, commented: 0, heldBack: 0, failed: 0 },
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
    out,
    err,
  };
}

function mockGitHub() {
  return nock('https://api.github.com')
    .get('/app')
    .reply(200, { id: 123, slug: 'freshbase' })
    .get('/app/installations')
    .query(true)
    .reply(200, [{ id: 1, account: { login: 'acme' }, suspended_at: null }])
    .post('/app/installations/1/access_tokens')
    .reply(201, token)
    .get('/installation/repositories')
    .query(true)
    .reply(200, {
      total_count: 3,
      repositories: ['api', 'web', 'worker'].map((name) => ({
        name,
        owner: { login: 'acme' },
        archived: false,
      })),
    });
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('scans at most `concurrency` repositories at once, each once', async () => {
  const scope = mockGitHub();
  let inFlight = 0;
  let most = 0;
  const seen: string[] = [];
  let release!: () => void;
  const twoStarted = new Promise<void>((resolve) => (release = resolve));
  const reconcile: Reconcile = async (deps) => {
    most = Math.max(most, ++inFlight);
    seen.push(deps.repo);
    // The first scan is held until a second one runs beside it: one worker alone would hang here.
    if (inFlight === 2) release();
    await twoStarted;
    inFlight--;
    return report(`${deps.owner}/${deps.repo}`);
  };
  const { io } = capture();
  const code = await runSweep({}, io, { probot: createTestProbot(), reconcile, concurrency: 2 });
  expect(code).toBe(0);
  expect(most).toBe(2);
  expect(seen.sort()).toEqual(['api', 'web', 'worker']);
  scope.done();
});

test.each([0, NaN, 1.5])('a concurrency of %p is refused before anything is scanned', async (concurrency) => {
  let scanned = 0;
  const reconcile: Reconcile = async (deps) => {
    scanned++;
    return report(`${deps.owner}/${deps.repo}`);
  };
  const { io, err } = capture();
  const code = await runSweep({}, io, { probot: createTestProbot(), reconcile, concurrency });
  expect(code).toBe(2);
  expect(err.join('')).toContain(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  expect(scanned).toBe(0);
});

test('scans every repository once and exits 0, lookup errors included', async () => {
  const scope = mockGitHub();
  const seen: string[] = [];
  const reconcile: Reconcile = async (deps) => {
    seen.push(`${deps.owner}/${deps.repo} as ${deps.identity.slug} for ${deps.installationId}`);
    return report(`${deps.owner}/${deps.repo}`);
  };
  const { io, out, err } = capture();
  const code = await runSweep({}, io, { probot: createTestProbot(), reconcile });
  expect(code).toBe(0);
  expect(seen.sort()).toEqual([
    'acme/api as freshbase for 1',
    'acme/web as freshbase for 1',
    'acme/worker as freshbase for 1',
  ]);
  expect(out.join('')).toMatch(
    /swept 3 repositories in 1 installations .*3 scanned, 0 failed; 3 updates, 3 PRs created/,
  );
  expect(err).toEqual([]);
  scope.done();
});

test('a crashed repository job fails the sweep (exit 1) but the others still run', async () => {
  mockGitHub();
  const seen: string[] = [];
  const reconcile: Reconcile = async (deps) => {
    seen.push(deps.repo);
    if (deps.repo === 'web') throw new Error('tree too large');
    return report(deps.repo);
  };
  const { io, err } = capture();
  expect(await runSweep({}, io, { probot: createTestProbot(), reconcile })).toBe(1);
  expect(seen.sort()).toEqual(['api', 'web', 'worker']);
  expect(err.join('')).toContain('acme/web: tree too large');
});

test("failures are listed in the listing's order, whatever order they finish in", async () => {
  mockGitHub();
  const finished: string[] = [];
  // api's scan fails last: it waits until both others have failed.
  let othersDone!: () => void;
  const others = new Promise<void>((resolve) => (othersDone = resolve));
  const reconcile: Reconcile = async (deps) => {
    if (deps.repo === 'api') await others;
    finished.push(deps.repo);
    if (finished.length === 2) othersDone();
    throw new Error(`${deps.repo} broke`);
  };
  const { io, out, err } = capture();
  expect(await runSweep({}, io, { probot: createTestProbot(), reconcile, concurrency: 3 })).toBe(1);
  expect(finished).toEqual(['web', 'worker', 'api']);
  expect(out.join('')).toMatch(/swept 3 repositories in 1 installations .*0 scanned, 3 failed; 0 updates/);
  expect(err).toEqual([
    'freshbase sweep: acme/api: api broke\n',
    'freshbase sweep: acme/web: web broke\n',
    'freshbase sweep: acme/worker: worker broke\n',
  ]);
});

test('an authentication failure fails the sweep (exit 1)', async () => {
  nock('https://api.github.com')
    .get('/app/installations')
    .query(true)
    .reply(401, { message: 'Bad credentials' });
  const { io, err } = capture();
  const code = await runSweep({}, io, { probot: createTestProbot(), reconcile: async () => report('x') });
  expect(code).toBe(1);
  expect(err.join('')).toContain('cannot list installations: Bad credentials');
});

test('without the app credentials it exits 2 and says which variables', async () => {
  const { io, err } = capture();
  expect(await runSweep({}, io)).toBe(2);
  expect(err.join('')).toContain('APP_ID');
});

test("an installation's registry rule serves its own repositories only", async () => {
  nock.enableNetConnect('127.0.0.1');
  const registry = await startRegistry({ auth: { username: 'acme-bot', password: 'acme-secret' } });
  const dir = await mkdtemp(path.join(tmpdir(), 'freshbase-sweep-'));
  try {
    const pushed = await registry.pushImage('acme/base', '1');
    const rules = path.join(dir, 'registries.yml');
    await writeFile(
      rules,
      [
        'registries:',
        `  - host: ${registry.host}`,
        `    url: ${registry.url}`,
        '    allowPrivate: true',
        '    installations: [acme]',
        '    username: acme-bot',
        '    password: acme-secret',
        `  - host: ${registry.host}`,
        `    url: ${registry.url}`,
        '    allowPrivate: true',
        '',
      ].join('\n'),
    );
    const github = nock('https://api.github.com')
      .get('/app')
      .reply(200, { id: 123, slug: 'freshbase' })
      .get('/app/installations')
      .query(true)
      .reply(200, [
        { id: 1, account: { login: 'acme' }, suspended_at: null },
        { id: 2, account: { login: 'globex' }, suspended_at: null },
      ])
      .post('/app/installations/1/access_tokens')
      .reply(201, { ...token, token: 'ghs_acme' })
      .post('/app/installations/2/access_tokens')
      .reply(201, { ...token, token: 'ghs_globex' });
    for (const [login, repo] of [
      ['acme', 'api'],
      ['globex', 'web'],
    ] as const) {
      github
        .get('/installation/repositories')
        .query(true)
        .matchHeader('authorization', `token ghs_${login}`)
        .reply(200, { total_count: 1, repositories: [{ name: repo, owner: { login }, archived: false }] });
    }
    const answers: Record<string, string> = {};
    const reconcile: Reconcile = async (deps) => {
      const target = { registry: registry.host, repository: 'acme/base', reference: '1' };
      answers[deps.owner] = await deps.registry.resolve(target).then(
        (info) => info.digest,
        (error: Error) => error.message,
      );
      return report(`${deps.owner}/${deps.repo}`);
    };
    const { io } = capture();
    const env = { FRESHBASE_REGISTRIES: rules };
    expect(await runSweep(env, io, { probot: createTestProbot(), reconcile })).toBe(0);
    expect(answers.acme).toBe(pushed.digest);
    expect(answers.globex).toMatch(/requires credentials; add a host rule for it/);
    github.done();
  } finally {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('an invalid FRESHBASE_SWEEP_TIMEOUT exits 2 before anything runs, naming the variable', async () => {
  for (const value of ['soon', '0', '-5', '1e3']) {
    const { io, err } = capture();
    expect(await runSweep({ FRESHBASE_SWEEP_TIMEOUT: value }, io, { probot: createTestProbot() })).toBe(2);
    expect(err.join('')).toContain(
      `FRESHBASE_SWEEP_TIMEOUT must be a number of seconds above 0, got "${value}"`,
    );
  }
});
