// Onboarding end to end: `freshbase sweep` against the fake GitHub for an org whose `.github`
// config says `onboarding: true`. A repository without its own config gets one onboarding pull
// request and nothing else until it is merged; closed unmerged, it is left alone for good.
import { runSweep } from '../../src/cli/sweep.js';
import { ONBOARDING_BRANCH } from '../../src/onboarding/decide.js';
import { ONBOARDING_TITLE } from '../../src/onboarding/body.js';
import { reconcileRepository } from '../../src/repository/reconcile.js';
import { createTestProbot } from '../app/helpers.js';
import { FakeGitHub } from '../support/fake-github.js';
import { digest, FakeRegistry } from './fake-registry.js';
import { BOT, PY_312 } from './harness.js';

const APP = 'acme/app';
/** A digest whose short form (the first 12 hex digits) differs from digest(n)'s. */
const SHOWN_3 = `sha256:3${'0'.repeat(63)}`;
let gh: FakeGitHub;
let registry: FakeRegistry;

beforeEach(() => {
  gh = new FakeGitHub(BOT).install();
  gh.addInstallation(1, 'acme');
  registry = new FakeRegistry();
  registry.digests.set('python:3.12', digest(2));
  gh.createRepo('acme/.github', {
    files: { '.github/freshbase.yml': 'onboarding: true\ndashboard: true\n' },
  });
  gh.createRepo(APP, { files: { Dockerfile: PY_312 } });
});
afterEach(() => {
  expect(gh.http.unhandled).toEqual([]);
  gh.uninstall();
});

async function sweep(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const from = gh.http.log.length;
  const code = await runSweep(
    env,
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    { probot: createTestProbot(), reconcile: (deps) => reconcileRepository({ ...deps, registry }) },
  );
  const writes = gh.http.log.slice(from).filter((r) => !r.startsWith('GET ') && !r.includes('access_tokens'));
  return { code, out: out.join(''), err: err.join(''), writes };
}

const pulls = (state: 'open' | 'closed' | 'all' = 'all') => gh.pulls(APP, state);
const issues = () => gh.repo(APP).issues;

test('one onboarding PR, nothing else; unchanged on the next sweep; update PRs once merged', async () => {
  const first = await sweep();
  expect(first.code).toBe(0);
  expect(pulls()).toHaveLength(1);
  const [onboarding] = pulls();
  expect(onboarding).toMatchObject({ title: ONBOARDING_TITLE, head: ONBOARDING_BRANCH, state: 'open' });
  // The body lists the plan: the update PR it would open and the image use.
  expect(onboarding!.body).toContain('## Pull requests Freshbase would open');
  expect(onboarding!.body).toContain(
    '- `chore(deps): update python:3.12 to 000000000000` on `freshbase/all`',
  );
  expect(onboarding!.body).toContain(
    '  - `Dockerfile:1` `python`: `3.12@000000000000` → `3.12@000000000000` (digest)',
  );
  expect(onboarding!.body).toContain('| `Dockerfile:1` | `python:3.12@000000000000` | digest |');
  // The config it adds: the defaults commented out, the org's config kept through `_extends`.
  const config = gh.readFile(APP, ONBOARDING_BRANCH, '.github/freshbase.yml')!;
  expect(config).toContain('_extends: .github\n');
  expect(config).toContain('# updates: [ digest, patch ]\n');
  expect(gh.branches(APP).sort()).toEqual([ONBOARDING_BRANCH, 'main']);
  expect(issues()).toEqual([]); // no dashboard while onboarding, though the org config asks for one

  const second = await sweep();
  expect(second.code).toBe(0);
  expect(second.writes).toEqual([]);
  expect(pulls()).toHaveLength(1);

  // A new digest changes the plan: the same PR's body is updated in place.
  registry.digests.set('python:3.12', SHOWN_3);
  const third = await sweep();
  expect(third.writes).toEqual([`PATCH /repos/{owner}/{repo}/pulls/{number}`]);
  expect(pulls()).toHaveLength(1);
  expect(pulls()[0]!.body).toContain('→ `3.12@300000000000` (digest)');

  gh.mergePull(APP, onboarding!.number);
  const after = await sweep();
  expect(after.code).toBe(0);
  const updates = pulls('open');
  expect(updates).toHaveLength(1);
  expect(updates[0]!.head).toBe('freshbase/all');
  expect(gh.readFile(APP, 'freshbase/all', 'Dockerfile')).toContain(SHOWN_3);
  expect(issues().map((i) => i.title)).toEqual(['Freshbase dashboard']); // the org's settings apply
});

test('closed unmerged: left alone, for good — no PR, no issue, no write', async () => {
  await sweep();
  const [onboarding] = pulls();
  gh.closePull(APP, onboarding!.number);
  for (const next of [digest(3), digest(4)]) {
    registry.digests.set('python:3.12', next);
    const run = await sweep();
    expect(run.code).toBe(0);
    expect(run.writes).toEqual([]);
  }
  expect(pulls()).toHaveLength(1);
  expect(pulls('open')).toEqual([]);
  expect(issues()).toEqual([]);
});

test('a repository with its own config, and a fork without one, are not onboarded', async () => {
  gh.createRepo('acme/configured', { files: { Dockerfile: PY_312, '.github/freshbase.yml': 'pin: true\n' } });
  gh.createRepo('acme/fork', { files: { Dockerfile: PY_312 }, fork: true });
  await sweep();
  expect(gh.pulls('acme/configured').map((p) => p.head)).toEqual(['freshbase/all']);
  expect(gh.pulls('acme/fork')).toEqual([]);
  expect(gh.branches('acme/fork')).toEqual(['main']);
});

test('config added by hand while the onboarding PR is open: that PR is closed, updates proposed', async () => {
  await sweep();
  gh.pushAs('octocat', APP, 'main', { '.github/freshbase.yml': 'group: file\n' });
  await sweep();
  const [onboarding, update] = pulls();
  expect(onboarding).toMatchObject({ head: ONBOARDING_BRANCH, state: 'closed', mergedAt: null });
  expect(gh.comments(APP, onboarding!.number)[0]!.body).toContain('is on the default branch now');
  expect(update).toMatchObject({ head: expect.stringMatching(/^freshbase\/file-dockerfile/), state: 'open' });
  // Closed by the app, not declined: removing the config again onboards anew.
  gh.pushAs('octocat', APP, 'main', { '.github/freshbase.yml': null });
  await sweep();
  expect(pulls('open').map((p) => p.head)).toContain(ONBOARDING_BRANCH);
});

test('FRESHBASE_DRY_RUN: the onboarding PR is planned and logged, nothing is written', async () => {
  const run = await sweep({ FRESHBASE_DRY_RUN: 'true' });
  expect(run.code).toBe(0);
  expect(run.writes).toEqual([]);
  expect(pulls()).toEqual([]);
  expect(gh.branches(APP)).toEqual(['main']);
  expect(run.out).toContain('(dry run: nothing was written to GitHub)');
});
