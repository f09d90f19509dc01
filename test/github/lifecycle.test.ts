// Pull-request lifecycle across several runs against the stateful fake GitHub.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { CLOSED_BY_APP_MARKER, UPDATES_STOPPED_MARKER } from '../../src/github/app-pulls.js';
import { BOT, createHarness, PY_312, REPO, type Harness } from './harness.js';
import { digest } from './fake-registry.js';

const BRANCH = 'freshbase/all';
const T = '/repos/{owner}/{repo}';
let h: Harness;

beforeEach(() => {
  h = createHarness();
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

const writes = (from: number) =>
  Object.entries(h.gh.http.counts(from))
    .filter(([k]) => !k.startsWith('GET'))
    .reduce((n, [, c]) => n + c, 0);

test('full walk: open, identical, newer digest, merged by hand — with per-endpoint counts', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const steps: Array<[string, Record<string, number>]> = [];
  const step = async (name: string, act: () => Promise<unknown> | void) => {
    const from = h.gh.http.log.length;
    await act();
    steps.push([name, h.gh.http.counts(from)]);
    return from;
  };

  await step('1 install: PR opened', () => h.run());
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toBe(
    `FROM python:3.12@${digest(2)}\nRUN pip install flask\n`,
  );
  expect(h.gh.pulls(REPO)[0]!.labels).toEqual(['dependencies', 'docker']);

  const identical = await step('2 identical plan: nothing pushed', () => h.run());
  expect(writes(identical)).toBe(0);

  h.registry.digests.set('python:3.12', digest(3));
  await step('3 newer digest: same PR updated', () => h.run());
  expect(h.gh.pulls(REPO)).toHaveLength(1);
  expect(h.gh.branches(REPO).filter((b) => b.startsWith('freshbase/'))).toEqual([BRANCH]);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
  expect(h.gh.pulls(REPO)[0]!.body).toContain(digest(3));

  h.gh.pushAs('octocat', REPO, 'main', {
    Dockerfile: `FROM python:3.12@${digest(3)}\nRUN pip install flask\n`,
  });
  await step('4 merged by hand: PR closed, branch deleted', () => h.run());
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
  expect(h.gh.branches(REPO)).toEqual(['main']);
  expect(h.gh.comments(REPO, 1).map((c) => c.body)).toEqual([expect.stringContaining('superseded')]);

  const quiet = await step('5 steady state: nothing to do', () => h.run());
  expect(writes(quiet)).toBe(0);

  const endpoints = [...new Set(steps.flatMap(([, c]) => Object.keys(c)))].sort();
  const label = (e: string) => (e.endsWith(T) ? e : e.replace(T, ''));
  const table = endpoints.map((e) => [label(e), ...steps.map(([, c]) => c[e] ?? 0)].join(' | '));
  console.log(['endpoint | ' + steps.map(([n]) => n).join(' | '), ...table].join('\n'));
});

test('a human commit on the branch stops force-pushes and is announced exactly once', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.pushAs('alice', REPO, BRANCH, { 'notes.txt': 'mine' });
  const aliceHead = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`);

  h.registry.digests.set('python:3.12', digest(3));
  const from = h.gh.http.log.length;
  const report = await h.run();
  await h.run();
  h.registry.digests.set('python:3.12', digest(4));
  await h.run();

  expect(h.gh.http.counts(from)[`PATCH ${T}/git/refs/{*ref}`]).toBeUndefined();
  expect(h.gh.http.counts(from)['POST /graphql']).toBeUndefined();
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(aliceHead);
  const comments = h.gh.comments(REPO, 1);
  expect(comments).toHaveLength(1);
  expect(comments[0]!.body).toContain(UPDATES_STOPPED_MARKER);
  expect(comments[0]!.body).toContain('@alice');
  expect(report.pullRequests).toMatchObject({ commented: 1, heldBack: 1, updated: 0 });
});

test('a PR closed unmerged declines exactly its update; a later digest opens a new PR', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.closePull(REPO, 1);

  const again = await h.run();
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
  expect(again.updates).toBe(0);

  h.registry.digests.set('python:3.12', digest(3));
  await h.run();
  const open = h.gh.pulls(REPO, 'open');
  expect(open).toHaveLength(1);
  expect(open[0]!.number).not.toBe(1);
  expect(open[0]!.head).toBe(BRANCH);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
});

test('a reopened PR is managed again', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.closePull(REPO, 1);
  h.gh.reopenPull(REPO, 1);
  h.registry.digests.set('python:3.12', digest(3));
  const report = await h.run();
  expect(report.pullRequests.updated).toBe(1);
  expect(h.gh.pulls(REPO)).toHaveLength(1);
});

test('two concurrent runs make one PR', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  const reports = await Promise.all([h.run(), h.run()]);
  expect(h.gh.pulls(REPO)).toHaveLength(1);
  expect(reports.reduce((n, r) => n + r.pullRequests.created, 0)).toBe(1);
  expect(reports.every((r) => r.pullRequests.failed === 0)).toBe(true);
  // Both runs tried to create: one met "Reference already exists" and "A pull request already exists".
  expect(h.gh.http.count(`POST ${T}/git/refs`)).toBe(2);
  expect(h.gh.http.count(`POST ${T}/pulls`)).toBe(2);
});

test('a crash between branch and PR: the next run opens one PR on the same branch', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  h.gh.http.failNext(`POST ${T}/pulls`, [502, { message: 'Server Error' }]);
  const crashed = await h.run();
  expect(crashed.pullRequests.failed).toBe(1);
  expect(h.gh.branches(REPO)).toContain(BRANCH);
  expect(h.gh.pulls(REPO)).toHaveLength(0);

  const from = h.gh.http.log.length;
  const left = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`);
  await h.run();
  expect(h.gh.pulls(REPO)).toHaveLength(1);
  expect(h.gh.pulls(REPO)[0]!.head).toBe(BRANCH);
  // The left-over branch already holds exactly the plan: reused as it is, nothing pushed.
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(left);
  expect(h.gh.http.counts(from)[`POST ${T}/git/refs`]).toBeUndefined();
  expect(h.gh.http.counts(from)['POST /graphql']).toBeUndefined();
  expect(h.gh.http.counts(from)[`POST ${T}/git/commits`]).toBeUndefined();
});

test('a redelivered create that finds the PR already there updates it instead', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  // Simulate a run that did not see the open PR (listed before another run opened it).
  h.gh.http.failNext(`GET ${T}/pulls`, [200, []]);
  const report = await h.run();
  expect(report.pullRequests.updated).toBe(1);
  expect(h.gh.pulls(REPO)).toHaveLength(1);
});

test('enabled: false closes the app PRs with a comment, and they are not declines', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'enabled: false\n' });
  const report = await h.run();
  expect(report).toMatchObject({ status: 'skipped', reason: 'disabled-by-config' });
  expect(report.pullRequests.closed).toBe(1);
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
  expect(h.gh.comments(REPO, 1)[0]!.body).toContain('enabled: false');

  h.gh.pushAs('octocat', REPO, 'main', { '.github/freshbase.yml': 'enabled: true\n' });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
});

test('maxOpenPullRequests caps new PRs; existing ones are still updated', async () => {
  h.gh.createRepo(REPO, {
    files: {
      '.github/freshbase.yml': 'group: file\nmaxOpenPullRequests: 2\n',
      'a/Dockerfile': PY_312,
      'b/Dockerfile': PY_312,
      'c/Dockerfile': PY_312,
    },
  });
  const first = await h.run();
  expect(first.pullRequests).toMatchObject({ created: 2, heldBack: 1 });
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(2);
  expect(
    h.logs.some((l) => l.msg === 'updates held back' && l.reason === 'maxOpenPullRequests reached'),
  ).toBe(true);

  h.registry.digests.set('python:3.12', digest(3));
  const second = await h.run();
  expect(second.pullRequests).toMatchObject({ created: 0, updated: 2, heldBack: 1 });
});

test('outside the schedule window nothing is opened or updated', async () => {
  h.gh.createRepo(REPO, {
    files: {
      '.github/freshbase.yml': 'schedule: { cron: "0 3 * * 6", timezone: UTC }\n',
      Dockerfile: PY_312,
    },
  });
  const report = await h.run();
  expect(report.pullRequests).toMatchObject({ created: 0, heldBack: 1 });
  expect(h.gh.pulls(REPO)).toHaveLength(0);
  // The harness runs on Monday 2025-06-02: the window next opens on Saturday at 03:00 UTC, and the
  // queue scans the repository again then.
  expect(report.rescanAt).toEqual(new Date('2025-06-07T03:00:00Z'));
  const inWindow = await h.run({ now: new Date('2025-06-07T03:00:20Z') });
  expect(inWindow.pullRequests.created).toBe(1);
  expect(inWindow.rescanAt).toBeUndefined();
});

test('labels, reviewers and assignees are applied on creation; missing labels are created', async () => {
  h.gh.createRepo(REPO, {
    files: {
      '.github/freshbase.yml':
        'labels: [deps, docker]\nreviewers: [alice, acme/platform]\nassignees: [bob]\n',
      Dockerfile: PY_312,
    },
  });
  h.gh.repo(REPO).labels.set('docker', { name: 'docker', color: '000000' });
  await h.run();
  const pull = h.gh.pulls(REPO)[0]!;
  expect(pull).toMatchObject({
    labels: ['deps', 'docker'],
    reviewers: ['alice'],
    teams: ['platform'],
    assignees: ['bob'],
  });
  expect(h.gh.http.count(`POST ${T}/labels`)).toBe(1);
});

describe('repository metadata', () => {
  test.each([
    ['archived', { archived: true }],
    ['fork', { fork: true }],
    ['empty', { empty: true }],
  ] as const)('%s repositories are skipped', async (reason, setup) => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 }, ...setup });
    const report = await h.run();
    expect(report).toMatchObject({ status: 'skipped', reason });
    expect(h.gh.pulls(REPO)).toHaveLength(0);
  });

  test('a fork without its own config file is skipped, even when a config would be inherited', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 }, fork: true });
    // An org-wide `.github` repository config does not opt the fork in.
    h.gh.createRepo('acme/.github', { files: { '.github/freshbase.yml': 'group: file\n' } });
    const report = await h.run();
    expect(report).toMatchObject({ status: 'skipped', reason: 'fork' });
    expect(h.gh.pulls(REPO)).toHaveLength(0);
  });

  test('a fork with its own .github/freshbase.yml is scanned', async () => {
    h.gh.createRepo(REPO, {
      files: { Dockerfile: PY_312, '.github/freshbase.yml': 'labels: [deps]\n' },
      fork: true,
    });
    const report = await h.run();
    expect(report).toMatchObject({ status: 'done', pullRequests: { created: 1 } });
    expect(h.gh.pulls(REPO, 'open')).toMatchObject([{ head: BRANCH, labels: ['deps'] }]);
  });
});

test('a rate-limited write is retried after retry-after, once the queue slot frees', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  h.gh.http.failNext(`POST ${T}/git/refs`, [
    403,
    { message: 'You have exceeded a secondary rate limit.' },
    { 'retry-after': '0' },
  ]);
  const report = await h.run();
  expect(report.pullRequests.created).toBe(1);
  expect(h.gh.http.count(`POST ${T}/git/refs`)).toBe(2);
});

test('commits are made as the bot on top of the default head', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  const repo = h.gh.repo(REPO);
  const commit = h.gh.git.commit(repo.refs.get(`heads/${BRANCH}`)!)!;
  expect(commit.author).toBe(BOT);
  expect(commit.parents).toEqual([repo.refs.get('heads/main')]);
});

test('a decline is remembered behind 600 other closed pull requests', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.closePull(REPO, 1);
  // A busy repository: all of these closed after the decline, so they sort before it by update.
  for (let i = 0; i < 600; i++) h.gh.addPull(REPO, { head: `feature-${i}`, state: 'closed' });

  const from = h.gh.http.log.length;
  const report = await h.run();
  expect(report.updates).toBe(0);
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
  // No open PR of the bot's (its open issues and PRs are one listing), so only the closed PRs of
  // the one planned branch are listed.
  expect(h.gh.http.counts(from)[`GET ${T}/pulls`]).toBe(1);
  expect(writes(from)).toBe(0);
});

test('declines are per update: the declined file stays declined, a PR the app closed is not a decline', async () => {
  h.gh.createRepo(REPO, {
    files: { '.github/freshbase.yml': 'group: file\n', 'a/Dockerfile': PY_312, 'b/Dockerfile': PY_312 },
  });
  await h.run();
  const [a, b] = h.gh.pulls(REPO, 'open');
  h.gh.closePull(REPO, a!.number);
  const report = await h.run();
  expect(report.updates).toBe(1);
  expect(h.gh.pulls(REPO, 'open').map((p) => p.number)).toEqual([b!.number]);

  // b's update lands by hand: the app closes b's PR as superseded (marked, so not a decline).
  h.gh.pushAs('octocat', REPO, 'main', { 'b/Dockerfile': `FROM python:3.12@${digest(2)}\n` });
  await h.run();
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
  expect(h.gh.pulls(REPO).find((p) => p.number === b!.number)!.body).toContain(CLOSED_BY_APP_MARKER);

  // A later digest is proposed again for both files.
  h.registry.digests.set('python:3.12', digest(3));
  await h.run();
  expect(h.gh.pulls(REPO, 'open').map((p) => p.head)).toEqual([a!.head, b!.head]);
});

const METADATA_BLOCK = /<!-- freshbase:metadata .*? -->/g;

test("an app PR whose metadata block was edited away is still its group's PR and settles", async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.editPullBody(REPO, 1, (body) => `${body.replace(METADATA_BLOCK, '')}\n\nLGTM once CI passes.`);
  const head = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`);

  // The branch already holds the plan: the body gets its metadata back, nothing is pushed.
  let from = h.gh.http.log.length;
  let report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, created: 0, failed: 0 });
  expect(h.gh.pulls(REPO)).toHaveLength(1);
  expect(h.gh.pulls(REPO)[0]!.body).toMatch(METADATA_BLOCK);
  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(head);
  expect(h.gh.http.counts(from)[`POST ${T}/git/commits`]).toBeUndefined();
  from = h.gh.http.log.length;
  await h.run();
  expect(writes(from)).toBe(0);

  // Edited away again while a newer digest arrives: one push to the same PR, then quiet.
  h.gh.editPullBody(REPO, 1, (body) => body.replace(METADATA_BLOCK, ''));
  h.registry.digests.set('python:3.12', digest(3));
  from = h.gh.http.log.length;
  report = await h.run();
  expect(report.pullRequests).toMatchObject({ updated: 1, created: 0, failed: 0 });
  expect(h.gh.http.counts(from)['POST /graphql']).toBe(2); // GitHub's commit, then the move
  expect(h.gh.http.counts(from)[`POST ${T}/pulls`]).toBeUndefined();
  expect(h.gh.pulls(REPO)).toHaveLength(1);
  expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
  expect(h.gh.pulls(REPO)[0]!.body).toContain(digest(3));
  from = h.gh.http.log.length;
  await h.run();
  expect(writes(from)).toBe(0);
});

test('an app PR without metadata whose branch is no longer planned is closed, not left behind', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.gh.editPullBody(REPO, 1, (body) => body.replace(METADATA_BLOCK, ''));
  h.gh.pushAs('octocat', REPO, 'main', { Dockerfile: `FROM python:3.12@${digest(2)}\n` });
  const report = await h.run();
  expect(report.pullRequests.closed).toBe(1);
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(0);
});

/** Alice pushes to the app's branch after its ownership check, while GitHub makes the app's new commit. */
function humanPushDuringCommit(): { head: () => string } {
  let head = '';
  h.gh.http.beforeNext('POST /graphql', () => {
    head = h.gh.pushAs('alice', REPO, BRANCH, { 'notes.txt': 'mine' });
  });
  return { head: () => head };
}

test('a human push between the ownership check and the branch move survives and is announced', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  h.registry.digests.set('python:3.12', digest(3));
  const alice = humanPushDuringCommit();
  const report = await h.run();
  const aliceHead = alice.head();

  expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(aliceHead);
  expect(report.pullRequests).toMatchObject({ updated: 0, commented: 1, heldBack: 1, failed: 0 });
  expect(h.gh.comments(REPO, 1)).toMatchObject([{ body: expect.stringContaining('@alice') }]);
  // The PR's first commit, the update's commit, then the rejected move.
  expect(h.gh.http.count('POST /graphql')).toBe(3);
  expect(h.gh.http.count(`PATCH ${T}/git/refs/{*ref}`)).toBe(0);
  expect(h.gh.repo(REPO).refs.has(`heads/${BRANCH}.next`)).toBe(false); // the scratch branch is gone
});

describe('without GraphQL updateRefs (older GitHub Enterprise Server)', () => {
  beforeEach(() => {
    h.gh.updateRefsMutation = false;
  });

  test('the branch is moved over REST after re-reading its head', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    await h.run();
    h.registry.digests.set('python:3.12', digest(3));
    const from = h.gh.http.log.length;
    const report = await h.run();
    expect(report.pullRequests.updated).toBe(1);
    expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
    expect(h.gh.http.counts(from)).toMatchObject({
      'POST /graphql': 2, // GitHub's commit on the scratch branch, then the missing updateRefs
      [`DELETE ${T}/git/refs/{*ref}`]: 1, // the scratch branch
      [`GET ${T}/commits/{ref}`]: 1, // the default head
      [`GET ${T}/git/ref/{*ref}`]: 1, // the branch head, re-read just before the move
      [`PATCH ${T}/git/refs/{*ref}`]: 1,
    });
  });

  test('a human push seen by the re-read stops the move', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    await h.run();
    h.registry.digests.set('python:3.12', digest(3));
    const alice = humanPushDuringCommit();
    const report = await h.run();
    const aliceHead = alice.head();
    expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(aliceHead);
    expect(report.pullRequests).toMatchObject({ updated: 0, commented: 1, failed: 0 });
    expect(h.gh.http.count(`PATCH ${T}/git/refs/{*ref}`)).toBe(0);
  });
});

describe('a workflow change on the default branch (the app has no `workflows` permission)', () => {
  const CI = { '.github/workflows/ci.yml': 'on: push\njobs: {}\n' };

  const expectReplaced = async () => {
    const open = h.gh.pulls(REPO, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]!.number).not.toBe(1);
    expect(open[0]!.head).toBe(BRANCH);
    expect(open[0]!.body).toContain(digest(3));
    expect(open[0]!.labels).toEqual(['dependencies', 'docker']);
    expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
    const branchHead = h.gh.git.commit(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)!)!;
    expect(branchHead.parents).toEqual([h.gh.repo(REPO).refs.get('heads/main')]);

    const old = h.gh.pulls(REPO).find((p) => p.number === 1)!;
    expect(old.state).toBe('closed');
    expect(old.body).toContain(CLOSED_BY_APP_MARKER);
    expect(h.gh.comments(REPO, 1)).toMatchObject([
      { user: BOT, body: expect.stringContaining('Superseded by a fresh pull request') },
    ]);

    // Not a decline, and settled: the next run writes nothing.
    const from = h.gh.http.log.length;
    const next = await h.run();
    expect(next.updates).toBe(1);
    expect(next.pullRequests).toMatchObject({ unchanged: 1, created: 0, closed: 0, failed: 0 });
    expect(writes(from)).toBe(0);
  };

  test('a refused branch move replaces the PR within the run (GraphQL updateRefs)', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    await h.run();
    h.gh.pushAs('octocat', REPO, 'main', CI);
    h.registry.digests.set('python:3.12', digest(3));

    const report = await h.run();
    expect(report.pullRequests).toMatchObject({ closed: 1, created: 1, updated: 0, failed: 0 });
    // The first PR's commit, the update's commit, then one refused updateRefs and no retry of the
    // move; the fresh branch is created over REST (as were the first branch and the scratch one).
    expect(h.gh.http.count('POST /graphql')).toBe(3);
    expect(h.gh.http.count(`POST ${T}/git/refs`)).toBe(3);
    expect(h.logs.some((l) => l.msg === 'pull request reconcile failed')).toBe(false);
    await expectReplaced();
  });

  test('with the `workflows` permission the same PR is simply moved', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    await h.run();
    const oldHead = h.gh.repo(REPO).refs.get(`heads/${BRANCH}`);
    h.gh.pushAs('octocat', REPO, 'main', CI);
    h.gh.workflowsPermission = true;
    h.registry.digests.set('python:3.12', digest(3));
    const report = await h.run();
    expect(report.pullRequests).toMatchObject({ updated: 1, closed: 0, created: 0 });
    expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).not.toBe(oldHead);
    expect(h.gh.pulls(REPO)).toHaveLength(1);
  });

  test('over REST (no updateRefs) the 422 refusal is recognised the same way', async () => {
    h.gh.updateRefsMutation = false;
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    await h.run();
    h.gh.pushAs('octocat', REPO, 'main', CI);
    h.registry.digests.set('python:3.12', digest(3));

    const report = await h.run();
    expect(report.pullRequests).toMatchObject({ closed: 1, created: 1, failed: 0 });
    expect(h.gh.http.count(`PATCH ${T}/git/refs/{*ref}`)).toBe(1);
    await expectReplaced();
  });

  test('a left-over branch without a PR is made afresh instead of moved', async () => {
    h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
    h.gh.http.failNext(`POST ${T}/pulls`, [502, { message: 'Server Error' }]);
    await h.run();
    expect(h.gh.pulls(REPO)).toHaveLength(0);
    h.gh.pushAs('octocat', REPO, 'main', CI);
    h.registry.digests.set('python:3.12', digest(3));

    const report = await h.run();
    expect(report.pullRequests).toMatchObject({ created: 1, failed: 0 });
    expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
    expect(h.gh.readFile(REPO, BRANCH, 'Dockerfile')).toContain(digest(3));
    const from = h.gh.http.log.length;
    await h.run();
    expect(writes(from)).toBe(0);
  });

  test.each([
    ['GraphQL: the compare-and-swap fails first', true, 'POST /graphql'],
    ['REST: pushed between the re-read and the refused update', false, `PATCH ${T}/git/refs/{*ref}`],
  ])(
    'a human commit is never closed or deleted to get around the refusal (%s)',
    async (_how, graphql, move) => {
      h.gh.updateRefsMutation = graphql;
      h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
      await h.run();
      h.gh.pushAs('octocat', REPO, 'main', CI);
      h.registry.digests.set('python:3.12', digest(3));
      let aliceHead = '';
      h.gh.http.beforeNext(move, () => {
        aliceHead = h.gh.pushAs('alice', REPO, BRANCH, { 'notes.txt': 'mine' });
      });
      const report = await h.run();
      expect(h.gh.repo(REPO).refs.get(`heads/${BRANCH}`)).toBe(aliceHead);
      expect(h.gh.pulls(REPO)).toMatchObject([{ number: 1, state: 'open' }]);
      expect(h.gh.comments(REPO, 1)).toMatchObject([{ body: expect.stringContaining('@alice') }]);
      expect(report.pullRequests).toMatchObject({
        created: 0,
        closed: 0,
        commented: 1,
        heldBack: 1,
        failed: 0,
      });
    },
  );
});

test('minimumReleaseAge: no PR while the digest soaks; once due it opens, its body showing the first-seen age', async () => {
  h.gh.createRepo(REPO, {
    files: { Dockerfile: PY_312, '.github/freshbase.yml': 'minimumReleaseAge: 2 days\n' },
  });
  const seen = new Date('2025-06-02T10:00:00Z');
  const soaking = await h.run({ now: seen });
  expect(soaking.updates).toBe(0);
  expect(h.gh.pulls(REPO)).toHaveLength(0);

  // A day later it still soaks: the first sighting is what counts, not the latest.
  await h.run({ now: new Date('2025-06-03T10:00:00Z') });
  expect(h.gh.pulls(REPO)).toHaveLength(0);

  const due = await h.run({ now: new Date('2025-06-04T10:00:00Z') });
  expect(due.updates).toBe(1);
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull!.body).toContain('| First seen |');
  expect(pull!.body).toContain('| 2025-06-02 (2 days ago) |');
});
