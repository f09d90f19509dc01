// The sweep's rate-limit budget, read from the headers of the fake GitHub's answers (which counts
// as GitHub does: a 304 costs nothing).
import { ProbotOctokit } from 'probot';
import { createConditionalRequestCache } from '../../src/github/conditional-requests.js';
import { createRateBudget, readSweepShare } from '../../src/github/rate-budget.js';
import type { GitHubClient } from '../../src/github/types.js';
import { FakeGitHub } from '../support/fake-github.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
let gh: FakeGitHub;
beforeEach(() => {
  gh = new FakeGitHub('freshbase[bot]').install();
  gh.createRepo('acme/app');
  gh.http.rate.limit = 10;
});
afterEach(() => gh.uninstall());

const client = () =>
  new ProbotOctokit({
    auth: { token: 'test' },
    retry: { enabled: false },
    throttle: { enabled: false },
    log: silent,
  }) as GitHubClient;

test('the sweep may spend 80 % of the limit, then waits for the window to reset', async () => {
  const budget = createRateBudget(0.8);
  const octokit = client();
  budget.observe(octokit, 1);
  for (let i = 0; i < 8; i++) await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  expect(budget.snapshot(1)).toMatchObject({ limit: 10, remaining: 2 });
  expect(budget.waitMs(1)).toBe(0);
  await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  const wait = budget.waitMs(1);
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(gh.http.rate.resetAt * 1000 - Date.now() + 1000);
  expect(budget.waitMs(1, gh.http.rate.resetAt * 1000 + 1)).toBe(0);
  expect(budget.waitMs(2)).toBe(0); // another installation has its own limit
});

test('conditional reads that GitHub answers 304 leave the budget untouched', async () => {
  const budget = createRateBudget(0.8);
  const octokit = client();
  createConditionalRequestCache().attach(octokit, { installationId: 1 });
  budget.observe(octokit, 1);
  for (let i = 0; i < 20; i++) await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  expect(budget.snapshot(1)).toMatchObject({ remaining: 9 });
  expect(budget.waitMs(1)).toBe(0);
});

test('FRESHBASE_SWEEP_BUDGET is a fraction', () => {
  expect(readSweepShare({})).toBe(0.8);
  expect(readSweepShare({ FRESHBASE_SWEEP_BUDGET: '0.5' })).toBe(0.5);
  expect(() => readSweepShare({ FRESHBASE_SWEEP_BUDGET: '80' })).toThrow(/fraction/);
});
