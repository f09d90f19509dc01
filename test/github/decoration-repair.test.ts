// A PR whose decoration failed or was cut short when it was opened is repaired on the next run, by
// additions only; a decorated PR costs no request, and what a human changes afterwards stays.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { DECORATED_MARKER, DECORATING_MARKER } from '../../src/github/decorations.js';
import { createHarness, PY_312, REPO, type Harness } from './harness.js';

const T = '/repos/{owner}/{repo}';
const CONFIG = 'labels: [deps, docker]\nreviewers: [alice, acme/platform]\nassignees: [bob]\n';
let h: Harness;

beforeEach(() => {
  h = createHarness();
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': CONFIG } });
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

const writesOf = async (run: () => Promise<unknown>) => {
  const from = h.gh.http.log.length;
  await run();
  return h.gh.http.log.slice(from).filter((e) => !e.startsWith('GET '));
};

test('labels and assignees that failed at creation are added on the next run, then the PR costs nothing', async () => {
  h.gh.http.failNext(`PATCH ${T}/issues/{number}`, [502, { message: 'Bad Gateway' }]);
  expect((await h.run()).pullRequests.created).toBe(1);
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ labels: [], assignees: [], reviewers: ['alice'] });
  expect(h.gh.pulls(REPO)[0]!.body).not.toContain(DECORATED_MARKER);
  expect(h.gh.pulls(REPO)[0]!.body).toContain(DECORATING_MARKER); // opened with it

  const repair = await writesOf(() => h.run());
  expect(repair).toEqual([
    `POST ${T}/issues/{number}/labels`,
    `POST ${T}/issues/{number}/assignees`,
    `PATCH ${T}/pulls/{number}`,
  ]);
  const pull = h.gh.pulls(REPO)[0]!;
  expect(pull).toMatchObject({ labels: ['deps', 'docker'], assignees: ['bob'], reviewers: ['alice'] });
  expect(pull.body).toContain(DECORATED_MARKER);
  expect(pull.body).not.toContain(DECORATING_MARKER);

  expect(await writesOf(() => h.run())).toEqual([]);
});

test('a review request that failed at creation is made on the next run, and only it', async () => {
  h.gh.http.failNext(`POST ${T}/pulls/{number}/requested_reviewers`, [500, { message: 'Server Error' }]);
  await h.run();
  expect(h.gh.pulls(REPO)[0]).toMatchObject({
    labels: ['deps', 'docker'],
    assignees: ['bob'],
    reviewers: [],
  });

  const repair = await writesOf(() => h.run());
  expect(repair).toEqual([`POST ${T}/pulls/{number}/requested_reviewers`, `PATCH ${T}/pulls/{number}`]);
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ reviewers: ['alice'], teams: ['platform'] });
});

test('a PR left bare (the run stopped between opening and decorating) is decorated, a human’s label kept', async () => {
  await h.run();
  // The state a crash right after opening leaves: no labels, assignees or reviewers, and the body
  // the PR was opened with (marked as being decorated).
  const pull = h.gh.pulls(REPO)[0]!;
  Object.assign(pull, { labels: ['needs-triage'], assignees: [], reviewers: [], teams: [] });
  pull.body = pull.body.replace(DECORATED_MARKER, DECORATING_MARKER);

  await h.run();
  expect(h.gh.pulls(REPO)[0]).toMatchObject({
    labels: ['needs-triage', 'deps', 'docker'],
    assignees: ['bob'],
    reviewers: ['alice'],
    teams: ['platform'],
  });
});

test('once decorated, what a human removes is not added back, and a reviewer who reviewed is not asked again', async () => {
  await h.run();
  const pull = h.gh.pulls(REPO)[0]!;
  expect(pull.body).toContain(DECORATED_MARKER);
  // alice reviewed (GitHub drops her from the requested reviewers); a human removed a label.
  Object.assign(pull, { labels: ['deps'], reviewers: [] });
  expect(await writesOf(() => h.run())).toEqual([]);
});

test('a PR updated to a new proposal keeps its decorated mark', async () => {
  await h.run();
  h.registry.digests.set('python:3.12', 'sha256:' + '3'.repeat(64));
  const report = await h.run();
  expect(report.pullRequests.updated).toBe(1);
  expect(h.gh.pulls(REPO)[0]!.body).toContain(DECORATED_MARKER);
});

test('a refusal for good (422: not a collaborator) is not retried on every run', async () => {
  h.gh.http.failNext(`POST ${T}/pulls/{number}/requested_reviewers`, [
    422,
    { message: 'Reviews may only be requested from collaborators.' },
  ]);
  await h.run();
  expect(h.gh.pulls(REPO)[0]!.body).toContain(DECORATED_MARKER);
  expect(await writesOf(() => h.run())).toEqual([]);
});

test('a PR opened before the app marked PRs is not re-decorated: a removed label and a reviewer who reviewed stay so', async () => {
  await h.run();
  // An older version's PR: decorated, but no mark in its body. Since then alice reviewed (GitHub
  // lists only pending requests), a human removed a label and unassigned bob.
  const pull = h.gh.pulls(REPO)[0]!;
  pull.body = pull.body.replace(`\n${DECORATED_MARKER}`, '');
  Object.assign(pull, { labels: ['deps'], assignees: [], reviewers: [], teams: ['platform'] });
  expect(await writesOf(() => h.run())).toEqual([]);
  expect(await writesOf(() => h.run())).toEqual([]);
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ labels: ['deps'], assignees: [], reviewers: [] });
  expect(h.gh.pulls(REPO)[0]!.body).not.toContain(DECORATED_MARKER);
});

test('a PR being decorated that has everything is only marked, with one write', async () => {
  await h.run();
  const pull = h.gh.pulls(REPO)[0]!;
  pull.body = pull.body.replace(DECORATED_MARKER, DECORATING_MARKER);
  expect(await writesOf(() => h.run())).toEqual([`PATCH ${T}/pulls/{number}`]);
  expect(h.gh.pulls(REPO)[0]!.body).toContain(DECORATED_MARKER);
  expect(h.gh.pulls(REPO)[0]!.body).not.toContain(DECORATING_MARKER);
  expect(await writesOf(() => h.run())).toEqual([]);
});

test('a repair waits for the schedule window, like every other write to the PR', async () => {
  h.gh.http.failNext(`PATCH ${T}/issues/{number}`, [502, { message: 'Bad Gateway' }]);
  await h.run();
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ labels: [], assignees: [] });
  const closed = `${CONFIG}schedule: { cron: '0 0 1 1 *' }\n`; // opens on 1 January only
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': closed });
  const outside = await writesOf(() => h.run());
  expect(outside.filter((w) => /\/(issues|pulls)\//.test(w))).toEqual([]);
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ labels: [], assignees: [] });

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': CONFIG });
  await h.run();
  expect(h.gh.pulls(REPO)[0]).toMatchObject({ labels: ['deps', 'docker'], assignees: ['bob'] });
  expect(h.gh.pulls(REPO)[0]!.body).toContain(DECORATED_MARKER);
});
