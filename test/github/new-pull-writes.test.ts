// A new update PR in at most four writes — the branch, a commit GitHub makes and signs, the PR, and
// one issue update with labels and assignees — and the Git Data fallback where GitHub has no
// `createCommitOnBranch`, both without ever committing over someone else's push.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { BOT, createHarness, PY_312, REPO, type Harness } from './harness.js';
import { GHE_API } from '../support/fake-github-http.js';
import { digest } from './fake-registry.js';
import { createServerFeatures } from '../../src/github/server-features.js';

const BRANCH = 'freshbase/all';
const T = '/repos/{owner}/{repo}';
const CONFIG = 'labels: [deps, docker]\nassignees: [octocat]\n';
let h: Harness;

beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.gh.uninstall());

const writes = (from = 0) => h.gh.http.log.slice(from).filter((e) => !e.startsWith('GET '));

test('a new PR: four writes, and its commit is Verified (made by GitHub for the bot)', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': CONFIG } });
  h.gh.repo(REPO).labels.set('deps', { name: 'deps', color: '0366d6' });
  h.gh.repo(REPO).labels.set('docker', { name: 'docker', color: '0366d6' });
  const report = await h.run();

  expect(report.pullRequests.created).toBe(1);
  expect(writes()).toEqual([
    `POST ${T}/git/refs`,
    'POST /graphql',
    `POST ${T}/pulls`,
    `PATCH ${T}/issues/{number}`,
  ]);
  const repo = h.gh.repo(REPO);
  const head = repo.refs.get(`heads/${BRANCH}`)!;
  const commit = h.gh.git.commit(head)!;
  expect(h.gh.verifiedCommits.has(head)).toBe(true);
  expect(commit).toMatchObject({
    author: BOT,
    committer: 'web-flow',
    parents: [repo.refs.get('heads/main')],
  });
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toBe(PY_312.replace(digest(1), digest(2)));
  expect(h.gh.pulls(REPO, 'open')).toMatchObject([{ labels: ['deps', 'docker'], assignees: ['octocat'] }]);
});

test('labels are created once per repository, then only applied', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': CONFIG } });
  await h.run();
  expect(h.gh.http.count(`POST ${T}/labels`)).toBe(2);
  h.gh.closePull(REPO, 1); // declines this digest; a newer one is a new PR
  h.gh.repo(REPO).refs.delete(`heads/${BRANCH}`); // and "Delete branch"
  h.gh.http.log.length = 0;
  h.registry.digests.set('python:3.12', digest(3));
  const report = await h.run();
  expect(report.pullRequests.created).toBe(1);
  expect(writes()).toHaveLength(4);
  expect(h.gh.http.count(`POST ${T}/labels`)).toBe(0);
});

test('without createCommitOnBranch (older GitHub Enterprise Server) the Git Data API commits', async () => {
  h.gh.createCommitOnBranchMutation = false;
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const report = await h.run();
  expect(report.pullRequests).toMatchObject({ created: 1, failed: 0 });
  const head = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)!;
  expect(h.gh.verifiedCommits.has(head)).toBe(false);
  expect(h.gh.git.commit(head)).toMatchObject({
    author: BOT,
    parents: [h.gh.repo(REPO).refs.get('heads/main')],
  });
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(2));
});

test('once the server is known to lack createCommitOnBranch, a new PR goes straight to the Git Data API', async () => {
  h.gh.uninstall();
  h = createHarness(GHE_API); // a GitHub Enterprise Server: github.com is never taken to lack it
  const serverFeatures = createServerFeatures();
  h.gh.createCommitOnBranchMutation = false;
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run({ serverFeatures });
  expect(writes()).toEqual([
    `POST ${T}/git/refs`, // the branch at the default head
    'POST /graphql', // createCommitOnBranch: refused, and remembered
    `POST ${T}/git/trees`,
    `POST ${T}/git/commits`,
    'POST /graphql', // updateRefs: the branch moved from the default head to the commit
    `POST ${T}/pulls`,
    `POST ${T}/labels`, // the app's two labels, made once per repository
    `POST ${T}/labels`,
    `PATCH ${T}/issues/{number}`,
  ]);
  // Declined and its branch deleted: a newer digest is a new PR, with no mutation tried.
  h.gh.closePull(REPO, 1);
  h.gh.repo(REPO).refs.delete(`heads/${BRANCH}`);
  h.registry.digests.set('python:3.12', digest(3));
  const from = h.gh.http.log.length;
  const report = await h.run({ serverFeatures });
  expect(report.pullRequests).toMatchObject({ created: 1, failed: 0 });
  expect(writes(from)).toEqual([
    `POST ${T}/git/trees`,
    `POST ${T}/git/commits`,
    `POST ${T}/git/refs`, // the branch, created at the commit (it must not exist yet)
    `POST ${T}/pulls`,
    `PATCH ${T}/issues/{number}`,
  ]);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
});

test('a human push onto the new branch before the commit survives: the app holds back', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  let alice = '';
  h.gh.http.beforeNext('POST /graphql', () => {
    alice = h.gh.pushAs('alice', REPO, BRANCH, { 'notes.txt': 'mine' });
  });
  const report = await h.run();
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(alice);
  expect(report.pullRequests).toMatchObject({ created: 0, heldBack: 1, failed: 0 });
  expect(h.gh.pulls(REPO)).toEqual([]);
});

test('an executable Dockerfile keeps its mode: committed over the Git Data API', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const repo = h.gh.repo(REPO);
  // Make the file executable on the default branch, as `git update-index --chmod=+x` would.
  const flat = h.gh.git.flatten(h.gh.git.commit(repo.refs.get('heads/main')!)!.tree);
  flat.set('Dockerfile', { ...flat.get('Dockerfile')!, mode: '100755' });
  const main = h.gh.git.writeCommit({
    tree: h.gh.git.writeTree(flat),
    parents: [repo.refs.get('heads/main')!],
    message: 'chmod',
    author: 'octocat',
    committer: 'octocat',
  });
  repo.refs.set('heads/main', main);
  const report = await h.run();
  expect(report.pullRequests.created).toBe(1);
  expect(h.gh.http.count('POST /graphql')).toBe(0);
  const head = repo.refs.get(`heads/${BRANCH}`)!;
  expect(h.gh.git.flatten(h.gh.git.commit(head)!.tree).get('Dockerfile')!.mode).toBe('100755');
});
