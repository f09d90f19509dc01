// GitHub's auto-merge on the app's PRs (config `automerge`), against the stateful fake GitHub,
// whose GraphQL answers enablePullRequestAutoMerge as a repository with and without "Allow auto-merge"
// and whose pulls answer says who turned auto-merge on (`auto_merge.enabled_by`).
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { asAppPull } from '../../src/github/app-pulls.js';
import { AUTOMERGE_REFUSED_MARKER, automergeRefusedMark } from '../../src/github/automerge.js';
import { digest } from './fake-registry.js';
import { BOT, createHarness, IDENTITY, REPO, type Harness } from './harness.js';

/** Unpinned: the first PR is a `pin`, which changes nothing that is built (passes the SBOM gate). */
const PY_UNPINNED = 'FROM python:3.12\nRUN pip install flask\n';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

const CONFIG = 'automerge: [pin]\nautomergeMethod: squash\n';
const T = '/repos/{owner}/{repo}';

/** The requests one run sent, counted per endpoint. */
const requestsOf = async (run: () => Promise<unknown>) => {
  const from = h.gh.http.log.length;
  await run();
  return h.gh.http.counts(from);
};

test('a repository that allows auto-merge: turned on when the PR opens, off when the config drops it', async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': CONFIG },
    allowAutoMerge: true,
  });
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge).toEqual({ mergeMethod: 'SQUASH', enabledBy: BOT });
  expect(h.gh.comments(REPO, pull!.number)).toEqual([]);

  // Unchanged plan, auto-merge already on: nothing sent.
  const from = h.gh.http.log.length;
  await h.run();
  expect(h.gh.http.counts(from)['POST /graphql'] ?? 0).toBe(0);

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'automerge: []\n' });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toBeNull();
});

test('a repository that does not allow auto-merge: one note and one try per proposal, not one per scan', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': CONFIG } });
  const first = await h.run();
  expect(first.pullRequests).toMatchObject({ created: 1, failed: 0 });
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge ?? null).toBeNull();
  expect(pull!.body).toContain(automergeRefusedMark('SQUASH'));
  const notes = h.gh.comments(REPO, pull!.number).map((c) => c.body);
  expect(notes).toEqual([expect.stringContaining(AUTOMERGE_REFUSED_MARKER)]);
  expect(notes[0]).toContain('Pull request Auto merge is not allowed for this repository');

  // Later scans of the same proposal neither ask GitHub again nor read the PR's comments.
  for (let i = 0; i < 2; i++) {
    const sent = await requestsOf(() => h.run());
    expect(sent['POST /graphql'] ?? 0).toBe(0);
    expect(sent[`GET ${T}/issues/{number}/comments`] ?? 0).toBe(0);
    expect(sent[`PATCH ${T}/pulls/{number}`] ?? 0).toBe(0);
  }
  expect(h.gh.comments(REPO, pull!.number)).toHaveLength(1);
});

test('a refused auto-merge is asked for again once the config changes the merge method, not commented twice', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': CONFIG } });
  await h.run();
  const number = h.gh.pulls(REPO, 'open')[0]!.number;
  h.gh.pushAs('octocat', REPO, 'main', {
    '.github/freshbase.yml': 'automerge: [pin]\nautomergeMethod: rebase\n',
  });
  const sent = await requestsOf(() => h.run());
  expect(sent['POST /graphql']).toBe(1); // enablePullRequestAutoMerge with REBASE, refused again
  expect(sent[`GET ${T}/issues/{number}/comments`]).toBe(1); // one page: the note is there
  expect(sent[`POST ${T}/issues/{number}/comments`] ?? 0).toBe(0);
  const pull = h.gh.pulls(REPO, 'open')[0]!;
  expect(pull.body).toContain(automergeRefusedMark('REBASE'));
  expect(h.gh.comments(REPO, number)).toHaveLength(1);

  // The maintainer allows auto-merge: the app asks again when it next updates the PR.
  h.gh.repo(REPO).allowAutoMerge = true;
  expect((await requestsOf(() => h.run()))['POST /graphql'] ?? 0).toBe(0);
  h.registry.digests.set('python:3.12', digest(7)); // a new proposal: the pin's target moved
  const report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, failed: 0 });
  const updated = h.gh.pulls(REPO, 'open')[0]!;
  expect(updated.number).toBe(number);
  expect(updated.autoMerge).toEqual({ mergeMethod: 'REBASE', enabledBy: BOT });
  expect(updated.body).not.toContain('automerge-refused-for');
  expect(h.gh.comments(REPO, number)).toHaveLength(1);
});

test("a maintainer's auto-merge in a repository without `automerge` config stays on", async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_UNPINNED }, allowAutoMerge: true });
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge ?? null).toBeNull();
  h.gh.enableAutoMerge(REPO, pull!.number, 'octocat', 'SQUASH');
  for (let i = 0; i < 2; i++) {
    expect((await requestsOf(() => h.run()))['POST /graphql'] ?? 0).toBe(0);
    expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toEqual({ mergeMethod: 'SQUASH', enabledBy: 'octocat' });
  }
});

test("who turned auto-merge on is read from the pulls answer's auto_merge.enabled_by", () => {
  const ctx = { owner: 'acme', repo: 'app', identity: IDENTITY };
  const pr = (autoMerge: unknown) =>
    asAppPull(ctx, {
      number: 1,
      title: 't',
      node_id: 'n',
      user: { login: BOT },
      head: { ref: 'freshbase/x', repo: { full_name: REPO } },
      auto_merge: autoMerge as never,
    })!.autoMerge;
  const byWhom = (login: string) => ({ enabled_by: { login }, merge_method: 'squash' });
  expect(pr(null)).toBe('off');
  expect(pr(byWhom(BOT))).toBe('by-app');
  expect(pr(byWhom('octocat'))).toBe('by-others');
  // Unknown (GitHub's schema allows a null user): never taken for the app's own.
  expect(pr({ enabled_by: null, merge_method: 'merge' })).toBe('by-others');
});

test("a maintainer's auto-merge stays on when the config stops asking for auto-merge", async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': 'automerge: [pin]\n' },
    allowAutoMerge: true,
  });
  await h.run();
  const number = h.gh.pulls(REPO, 'open')[0]!.number;
  // The app turned it on; the maintainer turns it off and on again with squash: now it is theirs.
  h.gh.enableAutoMerge(REPO, number, 'octocat', 'SQUASH');
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'automerge: []\n' });
  const sent = await requestsOf(() => h.run());
  expect(sent['POST /graphql'] ?? 0).toBe(0);
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toEqual({ mergeMethod: 'SQUASH', enabledBy: 'octocat' });
});

/** A pin (python, passes) and a digest without an SBOM comparison (node, fails the gate) in one PR. */
function pinAndDigest(config: string): void {
  h.gh.createRepo(REPO, {
    files: {
      Dockerfile: 'FROM python:3.12\n',
      'web/Dockerfile': `FROM node:20@${digest(5)}\n`,
      '.github/freshbase.yml': config,
    },
    allowAutoMerge: true,
  });
  h.registry.digests.set('node:20', digest(6));
}

test('a failed lookup does not let the gate judge only the rest of the PR (auto-merge stays off)', async () => {
  pinAndDigest('automerge: [pin]\n');
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(JSON.stringify(pull!.body)).toContain('node');
  expect(pull!.autoMerge ?? null).toBeNull(); // the node digest update fails the gate

  h.registry.failing.add('node'); // a registry blip, or Docker Hub's pull budget deferring the lookup
  const from = h.gh.http.log.length;
  const blip = await h.run();
  expect(blip.pullRequests).toMatchObject({ unchanged: 1, updated: 0, failed: 0 });
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge ?? null).toBeNull();
  expect(h.gh.http.counts(from)['POST /graphql'] ?? 0).toBe(0);

  h.registry.failing.delete('node');
  await h.run();
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge ?? null).toBeNull();
});

test("during a failed lookup the app's auto-merge is left on, unless the config no longer lists the PR's kinds", async () => {
  pinAndDigest('automerge: [pin, digest]\n');
  // Both updates are pins here: node's digest is what the file already pins, python gets pinned.
  h.registry.digests.set('node:20', digest(5));
  h.gh.pushAs('octocat', REPO, 'main', { 'web/Dockerfile': 'FROM node:20\n' });
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge).toEqual({ mergeMethod: 'MERGE', enabledBy: BOT });

  h.registry.failing.add('node');
  const from = h.gh.http.log.length;
  expect((await h.run()).pullRequests).toMatchObject({ unchanged: 1, failed: 0 });
  expect(h.gh.http.counts(from)['POST /graphql'] ?? 0).toBe(0);
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toEqual({ mergeMethod: 'MERGE', enabledBy: BOT });

  // Still failing, and the config drops pins: what the PR holds is no longer listed, so it goes off.
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'automerge: [digest]\n' });
  expect((await h.run()).pullRequests).toMatchObject({ unchanged: 1, failed: 0 });
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toBeNull();
});

test('a digest update without an SBOM comparison is not auto-merged (the SBOM gate)', async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': 'automerge: [pin, digest]\n' },
    allowAutoMerge: true,
  });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toEqual({ mergeMethod: 'MERGE', enabledBy: BOT });
  // The pin is merged by hand; the next digest is a `digest` update this harness cannot explain.
  h.gh.mergePull(REPO, h.gh.pulls(REPO, 'open')[0]!.number);
  h.registry.digests.set('python:3.12', 'sha256:' + '9'.repeat(64));
  await h.run();
  const [next] = h.gh.pulls(REPO, 'open');
  expect(next!.title).toMatch(/python/);
  expect(next!.autoMerge ?? null).toBeNull();
  expect(h.gh.comments(REPO, next!.number)).toEqual([]);
});
