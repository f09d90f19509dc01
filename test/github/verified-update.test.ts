// An update of an open PR is a commit GitHub makes and signs (Verified) on the current default
// head, held by a scratch branch, and one atomic compare-and-swap that moves the PR's branch and
// deletes the scratch branch; the Git Data API where GitHub cannot; never over someone's push.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { BOT, createHarness, PY_312, REPO, type Harness } from './harness.js';
import { digest } from './fake-registry.js';

const BRANCH = 'freshbase/all';
const SCRATCH = `heads/${BRANCH}.next`;
const T = '/repos/{owner}/{repo}';
let h: Harness;

beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.gh.uninstall());

const writes = (from = 0) => h.gh.http.log.slice(from).filter((e) => !e.startsWith('GET '));

/** A repository with the app's PR open on digest 2, then main moved on and digest 3 published. */
async function openPullThenNewDigest(): Promise<string> {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.pushAs('octocat', REPO, 'main', { 'README.md': 'hello' });
  h.registry.digests.set('python:3.12', digest(3));
  return h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)!;
}

test('an update is one Verified commit on the current default head, in three writes plus the retitle', async () => {
  await openPullThenNewDigest();
  const from = h.gh.http.log.length;
  const report = await h.run();

  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(writes(from)).toEqual([
    `POST ${T}/git/refs`, // the scratch branch at the default head
    'POST /graphql', // createCommitOnBranch on it
    'POST /graphql', // updateRefs: the PR's branch from the head the app checked, scratch deleted
    `PATCH ${T}/pulls/{number}`,
  ]);
  const repo = h.gh.repo(REPO);
  const head = repo.refs.get(`heads/${BRANCH}`)!;
  expect(h.gh.verifiedCommits.has(head)).toBe(true);
  expect(h.gh.git.commit(head)).toMatchObject({
    author: BOT,
    committer: 'web-flow',
    parents: [repo.refs.get('heads/main')],
  });
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toBe(PY_312.replace(digest(1), digest(3)));
  expect(repo.refs.has(SCRATCH)).toBe(false);
  expect(h.gh.pulls(REPO, 'open')).toMatchObject([{ number: 1, body: expect.stringContaining(digest(3)) }]);

  // Settled: the branch holds exactly the plan, so the next run pushes nothing.
  const again = h.gh.http.log.length;
  await h.run();
  expect(writes(again)).toEqual([]);
});

test('a branch that already holds the plan on the current head is not pushed again', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  // The metadata block edited away: the app rewrites the body; the branch is left as it is.
  h.gh.editPullBody(REPO, 1, (body) => body.replace(/<!--[\s\S]*?-->/g, ''));
  const head = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`);
  const from = h.gh.http.log.length;
  const report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(writes(from)).toEqual([`PATCH ${T}/pulls/{number}`]);
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(head);
});

test('without createCommitOnBranch (older GitHub Enterprise Server) the Git Data API commits the update', async () => {
  await openPullThenNewDigest();
  h.gh.createCommitOnBranchMutation = false;
  const report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  const repo = h.gh.repo(REPO);
  const head = repo.refs.get(`heads/${BRANCH}`)!;
  expect(h.gh.verifiedCommits.has(head)).toBe(false);
  expect(h.gh.git.commit(head)!.parents).toEqual([repo.refs.get('heads/main')]);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
  expect(repo.refs.has(SCRATCH)).toBe(false);
});

test("a scratch branch left by a run that stopped half-way is reused; someone else's is left alone", async () => {
  const before = await openPullThenNewDigest();
  const repo = h.gh.repo(REPO);
  repo.refs.set(SCRATCH, before); // the app's own old commit: moved back to the default head
  let report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(h.gh.verifiedCommits.has(repo.refs.get(`heads/${BRANCH}`)!)).toBe(true);
  expect(repo.refs.has(SCRATCH)).toBe(false);

  // Bob's work on a branch of that name is never moved: the update is made over the Git Data API.
  h.registry.digests.set('python:3.12', digest(4));
  const bob = h.gh.pushAs('bob', REPO, `${BRANCH}.next`, { 'bob.txt': 'mine' });
  report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(repo.refs.get(SCRATCH)).toBe(bob);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(4));
  expect(h.gh.verifiedCommits.has(repo.refs.get(`heads/${BRANCH}`)!)).toBe(false);
});
