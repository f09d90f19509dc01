// An update of an open PR is a commit GitHub makes and signs (Verified) on the current default
// head, held by a scratch branch, and one atomic compare-and-swap that moves the PR's branch and
// deletes the scratch branch; the Git Data API where GitHub cannot; never over someone's push.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { BOT, createHarness, createTestOctokit, PY_312, REPO, type Harness } from './harness.js';
import { GHE_API } from '../support/fake-github-http.js';
import { digest } from './fake-registry.js';
import { createServerFeatures } from '../../src/github/server-features.js';

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

test('a server found without createCommitOnBranch is remembered: later updates go straight to the Git Data API', async () => {
  h.gh.uninstall();
  h = createHarness(GHE_API); // a GitHub Enterprise Server
  const serverFeatures = createServerFeatures();
  await openPullThenNewDigest();
  h.gh.createCommitOnBranchMutation = false;
  let from = h.gh.http.log.length;
  let report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  // The first update finds out: a scratch ref and a refused mutation, then the Git Data API.
  expect(writes(from)).toEqual([
    `POST ${T}/git/refs`, // the scratch branch
    'POST /graphql', // createCommitOnBranch: refused
    `DELETE ${T}/git/refs/{*ref}`, // the scratch branch again
    `POST ${T}/git/trees`,
    `POST ${T}/git/commits`,
    'POST /graphql', // updateRefs: the compare-and-swap move of the PR's branch
    `PATCH ${T}/pulls/{number}`,
  ]);
  expect(await serverFeatures.lacksCommitMutation(createTestOctokit(GHE_API))).toBe(true);

  // The next update (main moved on, a newer digest): no scratch ref, no mutation tried.
  h.gh.pushAs('octocat', REPO, 'main', { 'CHANGELOG.md': 'v2' });
  h.registry.digests.set('python:3.12', digest(4));
  from = h.gh.http.log.length;
  report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(writes(from)).toEqual([
    `POST ${T}/git/trees`,
    `POST ${T}/git/commits`,
    'POST /graphql', // updateRefs, still compare-and-swap
    `PATCH ${T}/pulls/{number}`,
  ]);
  const repo = h.gh.repo(REPO);
  const head = repo.refs.get(`heads/${BRANCH}`)!;
  expect(h.gh.git.commit(head)!.parents).toEqual([repo.refs.get('heads/main')]);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(4));
  expect(repo.refs.has(SCRATCH)).toBe(false);
  expect(h.logs.filter((l) => /no GraphQL createCommitOnBranch/.test(String(l.msg)))).toHaveLength(1);
});

test('github.com is never taken to lack createCommitOnBranch: each update tries it again', async () => {
  const serverFeatures = createServerFeatures();
  await openPullThenNewDigest();
  h.gh.createCommitOnBranchMutation = false; // however it answers
  await h.run({ serverFeatures });
  expect(await serverFeatures.lacksCommitMutation(createTestOctokit())).toBe(false);
  h.gh.createCommitOnBranchMutation = true;
  h.registry.digests.set('python:3.12', digest(4));
  const report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(h.gh.verifiedCommits.has(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)!)).toBe(true);
});

test('a refused input (naming CreateCommitOnBranchInput) is not taken for a missing mutation', async () => {
  h.gh.uninstall();
  h = createHarness(GHE_API);
  const serverFeatures = createServerFeatures();
  await openPullThenNewDigest();
  const message =
    'Variable $input of type CreateCommitOnBranchInput! was provided invalid value for fileChanges.additions.0.contents (Could not coerce value to Base64String)';
  h.gh.http.failNext('POST /graphql', [200, { errors: [{ message, extensions: { problems: [] } }] }]);
  let report = await h.run({ serverFeatures });
  // This commit goes over the Git Data API; the server is not remembered as lacking the mutation.
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(await serverFeatures.lacksCommitMutation(createTestOctokit(GHE_API))).toBe(false);
  h.registry.digests.set('python:3.12', digest(4));
  report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  expect(h.gh.verifiedCommits.has(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)!)).toBe(true);
});

test('a human push during a remembered Git Data update is never forced over', async () => {
  h.gh.uninstall();
  h = createHarness(GHE_API);
  const serverFeatures = createServerFeatures();
  await openPullThenNewDigest();
  h.gh.createCommitOnBranchMutation = false;
  await h.run({ serverFeatures });
  h.registry.digests.set('python:3.12', digest(4));
  // Bob pushes to the PR's branch just before the app's compare-and-swap move (updateRefs).
  let bob = '';
  h.gh.http.beforeNext('POST /graphql', () => {
    bob = h.gh.pushAs('bob', REPO, BRANCH, { 'bob.txt': 'mine' });
  });
  const report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ updated: 0, commented: 1, failed: 0 });
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(bob);
  expect(h.gh.comments(REPO, 1)).toMatchObject([{ body: expect.stringContaining('@bob') }]);
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
