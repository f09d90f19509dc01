// FRESHBASE_DRY_RUN: the job's GitHub client refuses every write; the job still plans, logs what
// it would do, and finishes. Proved against the fake GitHub: not one non-GET request.
import { temporaryStateStore } from '../support/state.js';
import type { Probot } from 'probot';
import { createJobRunner } from '../../src/app/runner.js';
import { isDryRun, refuseWrites } from '../../src/github/dry-run.js';
import { digest } from './fake-registry.js';
import { BOT, createHarness, createTestOctokit, memoryLog, PY_312, REPO, type Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.gh.uninstall());

const nonGets = (from = 0) => h.gh.http.log.slice(from).filter((r) => !r.startsWith('GET '));
const dryRun = () => h.run({ octokit: refuseWrites(createTestOctokit(), memoryLog(h.logs)) });
const messages = () => h.logs.map((l) => l.msg);

test('an update is planned and logged, and nothing is written', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const report = await dryRun();
  expect(nonGets()).toEqual([]);
  expect(h.gh.pulls(REPO)).toEqual([]);
  expect(h.gh.branches(REPO)).toEqual(['main']);
  expect(report.updates).toBe(1);
  expect(report.pullRequests).toMatchObject({ created: 0, failed: 0 });
  expect(h.logs).toContainEqual(
    expect.objectContaining({
      msg: 'planned pull request',
      branch: 'freshbase/all',
      changes: [`Dockerfile:1 python 3.12@${digest(1)} → 3.12@${digest(2)}`],
    }),
  );
  expect(h.logs).toContainEqual(
    expect.objectContaining({
      msg: 'dry run: write not sent to GitHub',
      method: 'POST',
      route: '/repos/{owner}/{repo}/git/refs',
      repository: REPO,
    }),
  );
  expect(messages()).toContain('dry run: step planned, not written');
  expect(messages()).not.toContain('pull request reconcile failed');
});

test('an open PR that a real run would update, an invalid config, a disabled repository: no writes', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run(); // a real run opens the PR
  const pull = h.gh.pulls(REPO, 'open')[0]!;
  h.registry.digests.set('python:3.12', digest(3));
  let from = h.gh.http.log.length;
  await dryRun();
  expect(nonGets(from)).toEqual([]);
  expect(h.gh.pulls(REPO, 'open')[0]!.body).toBe(pull.body);

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'updates: every\n' });
  from = h.gh.http.log.length;
  expect((await dryRun()).status).toBe('invalid-config');
  expect(nonGets(from)).toEqual([]);
  expect(h.gh.repo(REPO).checkRuns).toEqual([]);
  expect(h.gh.repo(REPO).issues).toEqual([]);

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'enabled: false\n' });
  from = h.gh.http.log.length;
  const report = await dryRun();
  expect(report).toMatchObject({ status: 'skipped', reason: 'disabled-by-config' });
  expect(report.pullRequests.closed).toBe(0);
  expect(nonGets(from)).toEqual([]);
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
});

test('the job runner hands jobs a write-refusing client when dry run is on', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const app = { auth: async () => createTestOctokit() } as unknown as Probot;
  const log = memoryLog(h.logs) as unknown as Parameters<typeof createJobRunner>[0]['log'];
  const runner = createJobRunner({
    app,
    registry: h.registry,
    state: temporaryStateStore(),
    reconcile: (deps) => h.run({ octokit: deps.octokit, log: deps.log }),
    identity: async () => ({ slug: 'freshbase', botLogin: BOT }),
    log,
    dryRun: true,
  });
  const outcome = await runner({
    installationId: 1,
    owner: 'acme',
    repo: 'app',
    reason: 'push',
    requestedAt: 0,
  });
  expect(outcome.ok).toBe(true);
  expect(nonGets()).toEqual([]);
  expect(h.gh.pulls(REPO)).toEqual([]);
});

test('FRESHBASE_DRY_RUN is true or false; anything else is refused at startup', () => {
  expect(isDryRun({})).toBe(false);
  expect(isDryRun({ FRESHBASE_DRY_RUN: 'false' })).toBe(false);
  expect(isDryRun({ FRESHBASE_DRY_RUN: 'true' })).toBe(true);
  expect(isDryRun({ FRESHBASE_DRY_RUN: 'TRUE' })).toBe(true);
  expect(() => isDryRun({ FRESHBASE_DRY_RUN: 'yes please' })).toThrow(/must be true or false/);
});
