// What a repository where nothing changed costs in a sweep, with the conditional-request cache:
// at most one request counted against the rate limit and at most four round trips.
import { ProbotOctokit } from 'probot';
import { createConditionalRequestCache } from '../../src/github/conditional-requests.js';
import type { GitHubClient } from '../../src/github/types.js';
import { createHarness, PY_312, type Harness } from './harness.js';
import { digest } from './fake-registry.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.gh.uninstall());

/** One sweep: every repository's job gets its own client, all with the sweep's start time. */
function sweeper() {
  const cache = createConditionalRequestCache();
  return async (repos: string[]) => {
    const freshAfter = Date.now();
    const before = { counted: h.gh.http.rate.counted, total: h.gh.http.log.length };
    const perRepo: Array<{ counted: number; total: number }> = [];
    for (const repo of repos) {
      const octokit = new ProbotOctokit({
        auth: { token: 'test' },
        retry: { enabled: false },
        throttle: { enabled: false },
        log: silent,
      }) as GitHubClient;
      cache.attach(octokit, { installationId: 1, freshAfter });
      const start = { counted: h.gh.http.rate.counted, total: h.gh.http.log.length };
      await h.run({ octokit, repo, freshAfter: new Date(freshAfter) });
      perRepo.push({
        counted: h.gh.http.rate.counted - start.counted,
        total: h.gh.http.log.length - start.total,
      });
    }
    return {
      perRepo,
      counted: h.gh.http.rate.counted - before.counted,
      total: h.gh.http.log.length - before.total,
    };
  };
}

test('a repository with an open PR and nothing new: ≤1 counted request, ≤4 round trips', async () => {
  h.gh.createRepo('acme/app', { files: { Dockerfile: PY_312 } });
  h.gh.createRepo('acme/api', { files: { Dockerfile: PY_312 } });
  const sweep = sweeper();
  await sweep(['app', 'api']); // opens the PRs
  await sweep(['app', 'api']); // sees its own PRs once (the lists changed)
  expect(h.gh.pulls('acme/app', 'open')).toHaveLength(1);
  const unchanged = await sweep(['app', 'api']);

  expect(unchanged.counted).toBeLessThanOrEqual(2);
  // The org's `.github` config (absent here) is asked once per sweep, by the first repository.
  expect(unchanged.perRepo[1]).toEqual({ counted: 0, total: 4 });
  expect(unchanged.perRepo[0]!.total).toBeLessThanOrEqual(5);
});

test('an up-to-date repository costs three round trips and nothing counted', async () => {
  h.registry.digests.set('python:3.12', digest(1));
  h.gh.createRepo('acme/app', { files: { Dockerfile: PY_312 } });
  h.gh.createRepo('acme/api', { files: { Dockerfile: PY_312 } });
  const sweep = sweeper();
  await sweep(['app', 'api']);
  const unchanged = await sweep(['app', 'api']);
  expect(unchanged.perRepo[1]).toEqual({ counted: 0, total: 3 });
});

test('a new commit on the default branch is seen at once', async () => {
  h.registry.digests.set('python:3.12', digest(1));
  h.gh.createRepo('acme/app', { files: { Dockerfile: PY_312 } });
  const sweep = sweeper();
  await sweep(['app']);
  h.gh.pushAs('octocat', 'acme/app', 'main', { Dockerfile: 'FROM python:3.12\n' });
  await sweep(['app']);
  expect(h.gh.readFile('acme/app', 'freshbase/all', 'Dockerfile')).toContain(digest(1));
});
