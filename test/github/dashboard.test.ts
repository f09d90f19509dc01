// The dashboard issue against the fake GitHub: created once, edited in place only when its state
// changes, never a comment; ticking "Update now" opens a held update at once, "Retry" looks again.
import { DASHBOARD_TITLE } from '../../src/dashboard/body.js';
import { digest } from './fake-registry.js';
import { BOT, createHarness, PY_312, REPO, type Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

/** Once a year: on 2025-06-02 the window is closed, so updates are held. */
const CLOSED_WINDOW = "dashboard: true\nschedule: { cron: '0 0 1 1 *' }\n";
const ISSUE_WRITES = ['POST /repos/{owner}/{repo}/issues', 'PATCH /repos/{owner}/{repo}/issues/{number}'];

const dashboards = () => h.gh.repo(REPO).issues.filter((i) => i.title === DASHBOARD_TITLE);
const issueWrites = (from: number) => h.gh.http.log.slice(from).filter((r) => ISSUE_WRITES.includes(r));
/** A maintainer ticks the first box that starts with `label`. */
function tick(label: string): void {
  const issue = dashboards()[0]!;
  issue.body = issue.body.replace(`- [ ] ${label}`, `- [x] ${label}`);
}

test('held by the schedule: listed with a box; ticking it opens the PR now; the issue is edited in place', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': CLOSED_WINDOW } });
  await h.run();
  expect(h.gh.pulls(REPO)).toEqual([]);
  expect(dashboards()).toHaveLength(1);
  const issue = dashboards()[0]!;
  expect(issue.user).toBe(BOT);
  expect(issue.body).toMatch(
    /- \[ \] Update now: `Dockerfile:1` `python:3\.12@0{12}` → `@0{12}` — held: outside the schedule window/,
  );

  // Nothing changed: not one issue write.
  let from = h.gh.http.log.length;
  await h.run();
  expect(issueWrites(from)).toEqual([]);
  // The open dashboard is found in the listing of the bot's open issues the scan makes anyway.
  expect(h.gh.http.log.slice(from).filter((r) => r === 'GET /repos/{owner}/{repo}/issues')).toHaveLength(1);

  tick('Update now');
  from = h.gh.http.log.length;
  await h.run();
  const [pull] = h.gh.pulls(REPO, 'open');
  expect(pull).toBeDefined();
  expect(h.gh.readFile(REPO, pull!.head, 'Dockerfile')).toContain(`python:3.12@${digest(2)}`);
  // The new PR's labels (one issue update sets them), then the dashboard edited in place.
  expect(issueWrites(from)).toEqual([
    'PATCH /repos/{owner}/{repo}/issues/{number}',
    'PATCH /repos/{owner}/{repo}/issues/{number}',
  ]);
  expect(dashboards()).toHaveLength(1);
  expect(dashboards()[0]!.number).toBe(issue.number);
  expect(dashboards()[0]!.body).toContain(`## Open pull requests\n\n- #${pull!.number} `);
  expect(dashboards()[0]!.body).not.toContain('[x]');
  expect(dashboards()[0]!.body).toContain('## Held updates\n\n_None._');
  expect(h.gh.comments(REPO, issue.number)).toEqual([]);
});

test('a lookup error gets a Retry box; ticked, the next scan looks again and clears it', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': 'dashboard: true\n' } });
  h.registry.failing.add('python');
  await h.run();
  expect(dashboards()[0]!.body).toMatch(
    /- \[ \] Retry: `Dockerfile:1` `python:3\.12@0{12}`: `sha256:0{63}1: lookup failed: python`/,
  );

  h.registry.failing.delete('python');
  tick('Retry');
  await h.run();
  expect(h.gh.pulls(REPO, 'open')).toHaveLength(1);
  expect(dashboards()[0]!.body).toContain('## Lookup errors\n\n_None: every image was looked up._');
});

test('a closed dashboard is kept up to date where it is, never opened twice', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312, '.github/freshbase.yml': CLOSED_WINDOW } });
  await h.run();
  const issue = dashboards()[0]!;
  issue.state = 'closed';
  h.registry.digests.set('python:3.12', `sha256:${'3'.repeat(64)}`);
  await h.run();
  expect(dashboards()).toHaveLength(1);
  expect(issue.state).toBe('closed');
  expect(issue.body).toContain('→ `@333333333333`');
});

test('without `dashboard: true` there is no dashboard and no extra request', async () => {
  h.gh.createRepo(REPO, { files: { Dockerfile: PY_312 } });
  await h.run();
  expect(dashboards()).toEqual([]);
  expect(h.gh.http.log.filter((r) => r === 'GET /repos/{owner}/{repo}/issues')).toHaveLength(1); // config issue only
});
