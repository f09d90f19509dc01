// `freshbase report` against the fake GitHub: the inventory of a small org, in each format, and
// proof that reading it writes nothing — every request is a GET except the installation token.
import { temporaryDataDir, temporaryStateStore } from '../support/state.js';
import { runReport } from '../../src/cli/report.js';
import { reconcileRepository } from '../../src/repository/reconcile.js';
import { createTestProbot } from '../app/helpers.js';
import { digest, FakeRegistry } from '../github/fake-registry.js';
import { BOT, createTestOctokit, IDENTITY, memoryLog } from '../github/harness.js';
import { FakeGitHub } from '../support/fake-github.js';

const REPOS = ['api', 'web', 'broken', 'old'];

function addAppRoutes(gh: FakeGitHub): void {
  gh.http.route('GET', '/app', () => [200, { id: 123, slug: 'freshbase' }]);
  gh.http.route('GET', '/app/installations', () => [
    200,
    [{ id: 1, account: { login: 'acme' }, suspended_at: null }],
  ]);
  gh.http.route('POST', '/app/installations/{id}/access_tokens', () => [
    201,
    { token: 'ghs_test', expires_at: '2999-01-01T00:00:00Z', permissions: {} },
  ]);
  gh.http.route('GET', '/installation/repositories', () => [
    200,
    {
      total_count: REPOS.length,
      repositories: REPOS.map((name) => ({
        name,
        owner: { login: 'acme' },
        archived: gh.repo(`acme/${name}`).archived,
        disabled: false,
      })),
    },
  ]);
}

let gh: FakeGitHub;
let registry: FakeRegistry;

beforeEach(async () => {
  gh = new FakeGitHub(BOT).install();
  addAppRoutes(gh);
  registry = new FakeRegistry();
  registry.digests.set('python:3.12.1', digest(2));
  registry.digests.set('python:3.12.4', digest(4));
  registry.digests.set('python:3.13.0', digest(5));
  registry.tags.set('python', ['3.12.1', '3.12.4', '3.13.0']);
  registry.digests.set('node:22', digest(7));
  gh.createRepo('acme/api', { files: { Dockerfile: `FROM python:3.12.1@${digest(1)}\nFROM node:22\n` } });
  gh.createRepo('acme/web', {
    files: { 'app/Dockerfile': 'FROM ghcr.io/acme/missing:1\n', '.github/freshbase.yml': 'group: file\n' },
  });
  gh.createRepo('acme/broken', {
    files: { Dockerfile: 'FROM node:22\n', '.github/freshbase.yml': 'updates: every\n' },
  });
  gh.createRepo('acme/old', { files: { Dockerfile: 'FROM node:22\n' }, archived: true });
  // The app already opened a PR for acme/api (writes happen here, before the report).
  await reconcileRepository({
    octokit: createTestOctokit(),
    owner: 'acme',
    repo: 'api',
    log: memoryLog(),
    registry,
    state: temporaryStateStore(),
    now: new Date('2025-06-02T10:00:00Z'),
    identity: IDENTITY,
  });
});
afterEach(() => gh.uninstall());

async function report(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const from = gh.http.log.length;
  const code = await runReport(
    args,
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    { FRESHBASE_DATA_DIR: temporaryDataDir() },
    { probot: createTestProbot(), registry, now: () => new Date('2025-06-02T11:00:00Z') },
  );
  return { code, out: out.join(''), err: err.join(''), requests: gh.http.log.slice(from) };
}

test('--json: the inventory of every repository, and not one write to GitHub', async () => {
  const pull = gh.pulls('acme/api', 'open')[0]!;
  const issuesBefore = gh.repo('acme/broken').issues.length;
  const { code, out, err, requests } = await report(['--json']);
  expect(err).toBe('');
  expect(code).toBe(0);
  // The only non-GET is exchanging the app's JWT for an installation token: no repository is touched.
  expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([
    'POST /app/installations/{id}/access_tokens',
  ]);
  expect(requests.filter((r) => r.startsWith('GET /repos/')).length).toBeGreaterThan(10);
  expect(gh.repo('acme/broken').issues.length).toBe(issuesBefore);
  expect(gh.repo('acme/broken').checkRuns).toEqual([]);

  const json = JSON.parse(out);
  expect(json.generatedAt).toBe('2025-06-02T11:00:00.000Z');
  expect(json.repositories).toEqual([
    {
      repository: 'acme/api',
      files: [
        {
          path: 'Dockerfile',
          images: [
            {
              line: 1,
              image: 'python',
              tag: '3.12.1',
              digest: digest(1),
              behind: 'minor',
              // First seen by this very sweep: the state store recorded it at the sweep's time.
              latest: { tag: '3.13.0', digest: digest(5), firstSeen: '2025-06-02T11:00:00.000Z' },
              pullRequest: pull.number,
              error: null,
            },
            {
              line: 2,
              image: 'node',
              tag: '22',
              digest: null,
              behind: null,
              latest: { tag: '22', digest: digest(7), firstSeen: '2025-06-02T11:00:00.000Z' },
              pullRequest: pull.number,
              error: null,
            },
          ],
        },
      ],
    },
    { repository: 'acme/broken', files: [] },
    {
      repository: 'acme/web',
      files: [
        {
          path: 'app/Dockerfile',
          images: [
            {
              line: 1,
              image: 'ghcr.io/acme/missing',
              tag: '1',
              digest: null,
              behind: null,
              latest: null,
              pullRequest: null,
              error: 'no such tag: acme/missing:1',
            },
          ],
        },
      ],
    },
  ]);
  expect(json.images).toEqual([
    { image: 'ghcr.io/acme/missing', tag: '1', repositories: 1, pinned: 0, behind: 0 },
    { image: 'node', tag: '22', repositories: 1, pinned: 0, behind: 0 },
    { image: 'python', tag: '3.12.1', repositories: 1, pinned: 1, behind: 1 },
  ]);
});

test('the table (default) and --markdown say what Freshbase does, and what it could not read', async () => {
  const pull = gh.pulls('acme/api', 'open')[0]!;
  const table = await report([]);
  expect(table.code).toBe(0);
  expect(table.out).toMatch(
    new RegExp(
      `acme/api\\s+Dockerfile:1\\s+python:3\\.12\\.1@0{12}\\s+minor\\s+3\\.13\\.0@0{12}\\s+2025-06-02 \\(today\\)\\s+PR #${pull.number}`,
    ),
  );
  expect(table.out).toContain('acme/broken: invalid-config (`updates`: expected a list');
  expect(table.out).not.toContain('acme/old');
  expect(table.requests.filter((r) => !r.startsWith('GET ') && !r.includes('access_tokens'))).toEqual([]);

  const md = await report(['--markdown']);
  expect(md.out).toContain('## `acme/web`');
  expect(md.out).toContain('lookup failed: `no such tag: acme/missing:1`');
});

test('a declined update is shown as declined', async () => {
  const pull = gh.pulls('acme/api', 'open')[0]!;
  gh.closePull('acme/api', pull.number);
  const { out } = await report([]);
  expect(out).toMatch(/acme\/api\s+Dockerfile:1\s+\S+\s+minor\s+\S+\s+2025-06-02 \(today\)\s+declined/);
});

test('usage errors exit 2 before anything is read', async () => {
  expect((await report(['--json', '--markdown'])).code).toBe(2);
  const unknown = await report(['--yaml']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('unknown argument --yaml');
  expect(unknown.requests).toEqual([]);
});
