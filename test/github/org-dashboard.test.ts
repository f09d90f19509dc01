// The org dashboard: scanning the org's `.github` repository with `orgDashboard: true` reads every
// repository the installation reaches and keeps one fleet issue there, edited only on change.
import { ORG_DASHBOARD_TITLE } from '../../src/dashboard/org-body.js';
import { digest } from './fake-registry.js';
import { createHarness, PY_312, type Harness } from './harness.js';

let h: Harness;
const REPOS = ['.github', 'api', 'web'];

beforeEach(() => {
  h = createHarness();
  h.gh.http.route('GET', '/installation/repositories', () => [
    200,
    {
      total_count: REPOS.length,
      repositories: REPOS.map((name) => ({
        name,
        full_name: `acme/${name}`,
        owner: { login: 'acme' },
        archived: false,
        disabled: false,
      })),
    },
  ]);
  h.gh.createRepo('acme/.github', { files: { '.github/freshbase.yml': 'orgDashboard: true\n' } });
  h.gh.createRepo('acme/api', { files: { Dockerfile: PY_312 } });
  h.gh.createRepo('acme/web', { files: { 'app/Dockerfile': `FROM python:3.12@${digest(2)}\n` } });
});
afterEach(() => {
  expect(h.gh.http.unhandled).toEqual([]);
  h.gh.uninstall();
});

const fleetIssues = (repo: string) => h.gh.repo(repo).issues.filter((i) => i.title === ORG_DASHBOARD_TITLE);

test('one fleet issue in .github: images, repositories using them, pinned, behind; edited only on change', async () => {
  await h.run({ repo: '.github' });
  const [issue] = fleetIssues('acme/.github');
  expect(issue).toBeDefined();
  expect(issue!.body).toContain('| `python` | `3.12` | 2 | 2 | 1 |');
  expect(issue!.body).toContain('reach (3 scanned)');

  const from = h.gh.http.log.length;
  await h.run({ repo: '.github' });
  expect(h.gh.http.log.slice(from).filter((r) => r.includes('/issues') && !r.startsWith('GET'))).toEqual([]);

  // acme/api's PR is merged: both repositories are now up to date.
  await h.run({ repo: 'api' });
  h.gh.mergePull('acme/api', h.gh.pulls('acme/api', 'open')[0]!.number);
  await h.run({ repo: '.github' });
  expect(fleetIssues('acme/.github')).toHaveLength(1);
  expect(fleetIssues('acme/.github')[0]!.body).toContain('| `python` | `3.12` | 2 | 2 | 0 |');
});

test('other repositories inherit the key from the org config but keep no fleet issue', async () => {
  await h.run({ repo: 'api' });
  expect(fleetIssues('acme/api')).toEqual([]);
  expect(h.gh.http.log).not.toContain('GET /installation/repositories');
});
