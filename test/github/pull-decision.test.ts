// The pull-request rules as a table: facts in, one decision out. No GitHub, fake or real.
import { describe, expect, test } from '@jest/globals';
import { extractImages } from '../../src/dockerfile/extract.js';
import type { AppPull } from '../../src/github/app-pulls.js';
import type { BranchOwnership } from '../../src/github/branch-writer.js';
import { decidePull, type PullDecision, type PullFacts } from '../../src/github/pull-decision.js';
import type { BranchPlan, PlanMetadata } from '../../src/plan/types.js';

const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const NEWER = `sha256:${'3'.repeat(64)}`;

type MetaUpdate = PlanMetadata['updates'][number];
const python = (toDigest: string): MetaUpdate => ({
  file: 'Dockerfile',
  imageName: 'docker.io/library/python',
  fromTag: '3.12',
  fromDigest: null,
  toTag: '3.12',
  toDigest,
  kind: 'pin',
});
const node: MetaUpdate = {
  file: 'web/Dockerfile',
  imageName: 'docker.io/library/node',
  fromTag: '20',
  fromDigest: null,
  toTag: '20',
  toDigest: NEW,
  kind: 'pin',
};

const meta = (...updates: MetaUpdate[]): PlanMetadata => ({ version: 1, group: 'repository', updates });

/** The plan's updates are only counted by the applier; the rules read its metadata. */
const plan = (metadata: PlanMetadata): BranchPlan => ({
  group: 'repository',
  branch: 'freshbase/all',
  title: 'Update base images',
  body: '',
  commitMessage: 'chore(deps): update base images',
  updates: [],
  metadata,
});

const pull = (metadata: PlanMetadata | null): AppPull => ({
  number: 7,
  nodeId: 'PR_7',
  autoMerge: 'off',
  branch: 'freshbase/all',
  title: 'Update base images',
  body: '',
  metadata,
  decorations: { labels: [], assignees: [], reviewers: [], teams: [] },
});

/** The default branch as the scan saw it: python:3.12 and node:20, both unpinned. */
const extracted = [
  extractImages('Dockerfile', 'FROM python:3.12\n'),
  extractImages('web/Dockerfile', 'FROM node:20\n'),
];
/** The default branch after someone merged the python pin by hand. */
const pinnedByHand = [
  extractImages('Dockerfile', `FROM python:3.12@${OLD}\n`),
  extractImages('web/Dockerfile', 'FROM node:20\n'),
];

const base: PullFacts = {
  inWindow: true,
  openPulls: 0,
  maxOpenPulls: 5,
  defaultBranch: 'main',
  extracted,
  failedFiles: new Set(),
};

const app: BranchOwnership = { kind: 'app', head: 'abc' };
const missing: BranchOwnership = { kind: 'missing' };
const foreign: BranchOwnership = { kind: 'foreign', authors: ['octocat'] };

const planned = plan(meta(python(NEW)));
const openPull = pull(meta(python(OLD)));

describe('a branch the scan plans', () => {
  const cases: Array<[string, Partial<PullFacts>, PullDecision]> = [
    ['no PR: open', { plan: planned }, { action: 'open', plan: planned }],
    [
      'no PR, left-over branch of the app: open on it',
      { plan: planned, ownership: app },
      { action: 'open', plan: planned },
    ],
    ['no PR, branch missing: open', { plan: planned, ownership: missing }, { action: 'open', plan: planned }],
    [
      'no PR, branch has commits by others: hold',
      { plan: planned, ownership: foreign },
      { action: 'hold', plan: planned, reason: 'branch exists with commits by others' },
    ],
    [
      'no PR, the cap reached: hold',
      { plan: planned, openPulls: 5 },
      { action: 'hold', plan: planned, reason: 'maxOpenPullRequests reached' },
    ],
    ['no PR, one under the cap: open', { plan: planned, openPulls: 4 }, { action: 'open', plan: planned }],
    [
      'no PR, asked for on the dashboard, outside the window and over the cap: open',
      { plan: planned, forced: true, inWindow: false, openPulls: 5 },
      { action: 'open', plan: planned },
    ],
    [
      'no PR, asked for on the dashboard, branch has commits by others: hold all the same',
      { plan: planned, forced: true, ownership: foreign },
      { action: 'hold', plan: planned, reason: 'branch exists with commits by others' },
    ],
    [
      'no PR, outside the schedule window: hold',
      { plan: planned, inWindow: false },
      { action: 'hold', plan: planned, reason: 'outside the schedule window' },
    ],
    [
      'PR proposes the same (updates in any order): unchanged',
      { plan: plan(meta(python(NEW), node)), pull: pull(meta(node, python(NEW))) },
      { action: 'unchanged' },
    ],
    [
      'PR proposes the same, outside the window and over the cap: unchanged',
      { plan: planned, pull: pull(meta(python(NEW))), inWindow: false, openPulls: 9 },
      { action: 'unchanged' },
    ],
    [
      'PR proposes an older digest: update',
      { plan: planned, pull: openPull },
      { action: 'update', plan: planned, pull: openPull },
    ],
    [
      'PR proposes an older digest, the cap reached: update all the same (it is open already)',
      { plan: planned, pull: openPull, openPulls: 5 },
      { action: 'update', plan: planned, pull: openPull },
    ],
    [
      'PR whose metadata was edited away: update (its body is rewritten)',
      { plan: planned, pull: pull(null), ownership: app },
      { action: 'update', plan: planned, pull: pull(null) },
    ],
    [
      'PR proposes an older digest, outside the window: hold',
      { plan: planned, pull: openPull, inWindow: false },
      { action: 'hold', plan: planned, reason: 'outside the schedule window' },
    ],
    [
      'PR proposes an older digest, asked for on the dashboard outside the window: update',
      { plan: planned, pull: openPull, forced: true, inWindow: false },
      { action: 'update', plan: planned, pull: openPull },
    ],
    [
      "PR's branch has commits by others: hold, and say so on the PR",
      { plan: planned, pull: openPull, ownership: foreign },
      {
        action: 'hold',
        plan: planned,
        reason: 'branch has commits by others',
        stopped: { pull: openPull, authors: ['octocat'] },
      },
    ],
    [
      'plan lacks an update of the PR whose lookup failed this scan: unchanged',
      {
        plan: planned,
        pull: pull(meta(python(NEW), node)),
        failedFiles: new Set(['web/Dockerfile']),
      },
      { action: 'unchanged' },
    ],
    [
      'plan lacks an update of the PR, its lookup fine: update (the PR shrinks)',
      { plan: planned, pull: pull(meta(python(NEW), node)) },
      { action: 'update', plan: planned, pull: pull(meta(python(NEW), node)) },
    ],
    [
      'plan lacks an update whose file failed, but the update is on the default branch already: update',
      {
        plan: plan(meta(node)),
        pull: pull(meta(python(OLD), node)),
        failedFiles: new Set(['Dockerfile']),
        extracted: pinnedByHand,
      },
      { action: 'update', plan: plan(meta(node)), pull: pull(meta(python(OLD), node)) },
    ],
  ];

  test.each(cases)('%s', (_name, facts, expected) => {
    expect(decidePull({ ...base, ...facts })).toEqual(expected);
  });
});

describe('an open PR whose branch the scan no longer plans', () => {
  const superseded = 'The updates in this pull request are already on `main`, so it is closed as superseded.';
  const noLonger =
    'Freshbase no longer proposes these updates under the current `.github/freshbase.yml`, so it is closed.';
  const nothing = 'Freshbase has nothing to propose on `freshbase/all` any more, so it is closed.';
  const cases: Array<[string, Partial<PullFacts>, PullDecision]> = [
    [
      'its updates are on the default branch: close as superseded',
      { pull: pull(meta(python(NEWER))), extracted: pinnedByHand },
      { action: 'close', pull: pull(meta(python(NEWER))), reason: superseded },
    ],
    [
      'its updates are still pending (config changed): close',
      { pull: openPull },
      { action: 'close', pull: openPull, reason: noLonger },
    ],
    [
      'a pending update in a file whose lookup failed: unchanged (it may come back)',
      { pull: openPull, failedFiles: new Set(['Dockerfile']) },
      { action: 'unchanged' },
    ],
    [
      'a lookup failed in another file only: close',
      { pull: openPull, failedFiles: new Set(['web/Dockerfile']) },
      { action: 'close', pull: openPull, reason: noLonger },
    ],
    [
      'its metadata edited away, no lookup failed: close',
      { pull: pull(null) },
      { action: 'close', pull: pull(null), reason: nothing },
    ],
    [
      'its metadata edited away, some lookup failed: unchanged',
      { pull: pull(null), failedFiles: new Set(['web/Dockerfile']) },
      { action: 'unchanged' },
    ],
    [
      'outside the schedule window and over the cap: closing is allowed all the same',
      { pull: openPull, inWindow: false, openPulls: 9 },
      { action: 'close', pull: openPull, reason: noLonger },
    ],
  ];

  test.each(cases)('%s', (_name, facts, expected) => {
    expect(decidePull({ ...base, ...facts })).toEqual(expected);
  });
});
