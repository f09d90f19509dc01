// GitHub's auto-merge on the app's PRs (config `automerge`), against the stateful fake GitHub,
// whose GraphQL answers enablePullRequestAutoMerge as a repository with and without "Allow auto-merge".
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { AUTOMERGE_REFUSED_MARKER } from '../../src/github/automerge.js';
import { createHarness, REPO, type Harness } from './harness.js';

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

test('a repository that allows auto-merge: turned on when the PR opens, off when the config drops it', async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': CONFIG },
    allowAutoMerge: true,
  });
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge).toEqual({ mergeMethod: 'SQUASH' });
  expect(h.gh.comments(REPO, pull!.number)).toEqual([]);

  // Unchanged plan, auto-merge already on: nothing sent.
  const from = h.gh.http.log.length;
  await h.run();
  expect(h.gh.http.counts(from)['POST /graphql'] ?? 0).toBe(0);

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'automerge: []\n' });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toBeNull();
});

test('a repository that does not allow auto-merge: one note on the PR, not an error, however many runs', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': CONFIG } });
  const first = await h.run();
  expect(first.pullRequests).toMatchObject({ created: 1, failed: 0 });
  await h.run();
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.autoMerge ?? null).toBeNull();
  const notes = h.gh.comments(REPO, pull!.number).map((c) => c.body);
  expect(notes).toEqual([expect.stringContaining(AUTOMERGE_REFUSED_MARKER)]);
  expect(notes[0]).toContain('Pull request Auto merge is not allowed for this repository');
});

test('a digest update without an SBOM comparison is not auto-merged (the SBOM gate)', async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_UNPINNED, '.github/freshbase.yml': 'automerge: [pin, digest]\n' },
    allowAutoMerge: true,
  });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')[0]!.autoMerge).toEqual({ mergeMethod: 'MERGE' });
  // The pin is merged by hand; the next digest is a `digest` update this harness cannot explain.
  h.gh.mergePull(REPO, h.gh.pulls(REPO, 'open')[0]!.number);
  h.registry.digests.set('python:3.12', 'sha256:' + '9'.repeat(64));
  await h.run();
  const [next] = h.gh.pulls(REPO, 'open');
  expect(next!.title).toMatch(/python/);
  expect(next!.autoMerge ?? null).toBeNull();
  expect(h.gh.comments(REPO, next!.number)).toEqual([]);
});
