// The whole product path with real parts wherever the design allows: GitHub signs and delivers a
// webhook to Probot's real HTTP server, the app's real services (startServices: in-process queue,
// job runner, registry client with the operator's host rules from FRESHBASE_REGISTRIES) scan the
// repository against the real CNCF distribution registry on loopback, and the pull request lands
// in the stateful fake of GitHub's REST API (nock; the only fake in the path). The steps run in
// order on shared state; the fake's per-endpoint request counts of each step are printed at the end.
import { createHmac, createPublicKey, randomUUID, verify } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import nock from 'nock';
import { Probot, Server } from 'probot';
import { freshbaseApp } from '../../src/app/app.js';
import { startServices, type Services } from '../../src/app/runtime.js';
import { APP_ID, examplePayload, freePort, privateKey, WEBHOOK_SECRET } from '../app/helpers.js';
import { fail, type Request } from '../support/fake-github-http.js';
import { FakeGitHub } from '../support/fake-github.js';
import { DEFAULT_INDEX_PLATFORMS, type PushedIndex } from '../support/registry-push.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { temporaryDataDir } from '../support/state.js';

const REPO = 'acme/app';
const BRANCH = 'freshbase/all';
const INSTALLATION_ID = 4242;
const SLUG = 'freshbase';
const BOT = `${SLUG}[bot]`;
const TOKEN = 'ghs_e2e_installation_token';
const METADATA = '<!-- freshbase:metadata ';
/** Set E2E_LOG_LEVEL=info to see the app's own log lines while debugging. */
const LOG_LEVEL = (process.env.E2E_LOG_LEVEL ?? 'fatal') as 'fatal';

let registry: TestRegistry;
let scratch: string;
let gh: FakeGitHub;
let server: Server;
let services: Services | undefined;
let base: string;
let dockerfile: string;
let workerDockerfile: string;
let first: PushedIndex;
let second: PushedIndex;
/** Endpoint → requests, per step, for the printed table. */
const steps: Array<[string, Record<string, number>]> = [];

// --- GitHub's side of app authentication, added to the fake for this test -----------------------

const appPublicKey = createPublicKey(privateKey);

/** The app JWT Probot signs with its private key (RS256, `iss` = app id), checked like GitHub does. */
function requireAppJwt(req: Request): void {
  const header = String(req.headers.authorization ?? '');
  const [h, p, s] = header.replace(/^bearer /i, '').split('.');
  const valid =
    h &&
    p &&
    s &&
    verify('RSA-SHA256', Buffer.from(`${h}.${p}`), appPublicKey, Buffer.from(s, 'base64url')) &&
    String((JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: unknown }).iss) === String(APP_ID);
  if (!valid) fail(401, 'A JSON web token could not be decoded');
}

function addAppRoutes(fake: FakeGitHub): void {
  fake.http.route('GET', '/app', (req) => {
    requireAppJwt(req);
    return [
      200,
      { id: APP_ID, slug: SLUG, name: 'Freshbase', owner: { login: 'acme', type: 'Organization' } },
    ];
  });
  fake.http.route('POST', '/app/installations/{id}/access_tokens', (req) => {
    requireAppJwt(req);
    if (req.params.id !== String(INSTALLATION_ID)) fail(404, 'Not Found');
    return [
      201,
      {
        token: TOKEN,
        expires_at: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
        permissions: { contents: 'write', pull_requests: 'write', issues: 'write', checks: 'write' },
        repository_selection: 'all',
      },
    ];
  });
}

// --- Deliveries ----------------------------------------------------------------------------------

const sign = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface Delivery {
  id?: string;
  secret?: string;
}

function deliver(event: string, payload: unknown, { id = randomUUID(), secret }: Delivery = {}) {
  const body = JSON.stringify(payload);
  return fetch(`${base}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/e2e',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-installation-target-type': 'integration',
      'x-hub-signature-256': sign(body, secret),
    },
    body,
  });
}

/** The repository part of a payload, as GitHub sends it for acme/app. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function asAcmeApp(payload: any): any {
  Object.assign(payload.repository, {
    name: 'app',
    full_name: REPO,
    default_branch: 'main',
    html_url: `https://github.com/${REPO}`,
    url: `https://api.github.com/repos/${REPO}`,
  });
  if ('master_branch' in payload.repository) payload.repository.master_branch = 'main';
  Object.assign(payload.repository.owner, { login: 'acme', name: 'acme', type: 'Organization' });
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
  return payload;
}

/** @octokit/webhooks-examples' push to the default branch, for a commit that edits the Dockerfile. */
function dockerfilePush() {
  const payload = asAcmeApp(examplePayload('push', undefined, 4));
  payload.ref = 'refs/heads/main';
  const head = gh.repo(REPO).refs.get('heads/main')!;
  payload.after = head;
  payload.head_commit = { ...payload.commits[0], id: head, added: [], modified: ['Dockerfile'], removed: [] };
  payload.commits = [payload.head_commit];
  return payload;
}

/** A human closed the bot's pull request without merging it. */
function pullClosed(number: number) {
  const payload = asAcmeApp(examplePayload('pull_request', 'closed'));
  const pull = gh.pulls(REPO).find((p) => p.number === number)!;
  payload.number = number;
  Object.assign(payload.pull_request, {
    number,
    state: 'closed',
    title: pull.title,
    body: pull.body,
    merged: false,
    merged_at: null,
    merge_commit_sha: null,
    user: { ...payload.pull_request.user, login: BOT, type: 'Bot' },
  });
  payload.pull_request.head.ref = BRANCH;
  payload.pull_request.head.sha = gh.repo(REPO).refs.get(`heads/${BRANCH}`);
  payload.pull_request.base.ref = 'main';
  return payload;
}

// --- Waiting and counting ------------------------------------------------------------------------

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** No scan waiting or running: every job the deliveries enqueued has finished. */
async function queueIdle(): Promise<boolean> {
  const { waiting, running } = await services!.queue.stats();
  return waiting === 0 && running === 0;
}

async function step(name: string, act: () => Promise<void>): Promise<Record<string, number>> {
  const from = gh.http.log.length;
  await act();
  await until('the queue is idle', queueIdle);
  const counts = gh.http.counts(from);
  steps.push([name, counts]);
  return counts;
}

const writes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([endpoint]) => !endpoint.startsWith('GET '))
    .reduce((n, [, c]) => n + c, 0);

const openPullsOn = (branch: string) => gh.pulls(REPO, 'open').filter((p) => p.head === branch);

const pinned = (index: PushedIndex) => `FROM ${registry.host}/acme/python:3.12-slim@${index.digest}`;

function pushPython(seed: string): Promise<PushedIndex> {
  return registry.pushIndex('acme/python', '3.12-slim', {
    images: DEFAULT_INDEX_PLATFORMS.map((platform) => ({ platform, seed })),
  });
}

// --- Set-up --------------------------------------------------------------------------------------

beforeAll(async () => {
  registry = await startRegistry();
  first = await pushPython('first');
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-e2e-'));
  const rulesFile = path.join(scratch, 'registries.yml');
  await writeFile(
    rulesFile,
    `registries:\n  - host: ${registry.host}\n    url: ${registry.url}\n    allowPrivate: true\n`,
  );

  gh = new FakeGitHub(BOT).install();
  addAppRoutes(gh);
  // The fake answers api.github.com; only the registry and the Probot server are real sockets.
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));
  dockerfile = `# the app image\r\nFROM ${registry.host}/acme/python:3.12-slim\r\nRUN pip install flask  # keep\r\n`;
  workerDockerfile = `FROM ${registry.host}/acme/python:3.12-slim AS base\nCOPY . /srv\n\nFROM base\nCMD ["python", "-m", "worker"]\n`;
  gh.createRepo(REPO, {
    files: { Dockerfile: dockerfile, 'services/worker/Dockerfile': workerDockerfile, 'README.md': '# app\n' },
  });

  const ProbotWithApp = Probot.defaults({
    appId: APP_ID,
    privateKey,
    secret: WEBHOOK_SECRET,
    // Probot's own ProbotOctokit, as `npm start` runs it: with its retry and throttling plugins, so
    // the bot's writes go out one per second (most of this test's run time) as they would in production.
    logLevel: LOG_LEVEL,
  });
  server = new Server({
    host: '127.0.0.1',
    // Probot's Server treats port 0 as "unset" (3000), so a free port is picked first.
    port: await freePort(),
    log: (await new ProbotWithApp().ready()).log,
    Probot: ProbotWithApp,
  });
  const env = {
    FRESHBASE_REGISTRIES: rulesFile,
    FRESHBASE_SCAN_CRON: 'off',
    FRESHBASE_DATA_DIR: temporaryDataDir(),
    WEBHOOK_SECRET,
  };
  await server.load(async (app, options) => {
    services = await startServices(app, env);
    freshbaseApp(app, { addHandler: options.addHandler, queue: services.queue, identity: services.identity });
  });
  await server.start();
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  if (steps.length > 0) {
    const endpoints = [...new Set(steps.flatMap(([, c]) => Object.keys(c)))].sort();
    const rows = endpoints.map((e) =>
      [e.replace(/\/repos\/\{owner\}\/\{repo\}(?=\/)/, ''), ...steps.map(([, c]) => c[e] ?? 0)].join(' | '),
    );
    const totals = ['total', ...steps.map(([, c]) => Object.values(c).reduce((n, v) => n + v, 0))].join(
      ' | ',
    );
    console.log(
      [
        'fake GitHub requests per step',
        `endpoint | ${steps.map(([n]) => n).join(' | ')}`,
        ...rows,
        totals,
      ].join('\n'),
    );
  }
  await server?.stop();
  await services?.close();
  gh?.uninstall();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// --- The path ------------------------------------------------------------------------------------

test('1 a signed push that touches a Dockerfile → 200 at once, then one PR pinning the index digest', async () => {
  const counts = await step('1 push', async () => {
    const response = await deliver('push', dockerfilePush());
    expect(response.status).toBe(200);
    // Answered before the scan did anything: the handler only enqueued it.
    expect(gh.pulls(REPO)).toHaveLength(0);
    await until('a PR is open on freshbase/all', () => openPullsOn(BRANCH).length > 0);
  });

  expect(gh.pulls(REPO)).toHaveLength(1);
  const [pull] = openPullsOn(BRANCH);
  expect(pull).toMatchObject({ user: BOT, base: 'main', state: 'open' });
  expect(pull!.body).toContain(METADATA);
  expect(pull!.body).toContain(first.digest);
  // Both Dockerfiles are pinned to the index digest, every other byte (CRLF, comments) kept.
  expect(gh.readFile(REPO, BRANCH, 'Dockerfile')).toBe(
    dockerfile.replace(/^FROM .*(?=\r\n)/m, pinned(first)),
  );
  expect(gh.readFile(REPO, BRANCH, 'services/worker/Dockerfile')).toBe(
    workerDockerfile.replace(/^FROM \S+/, pinned(first)),
  );
  expect(gh.readFile(REPO, 'main', 'Dockerfile')).toBe(dockerfile);
  expect(gh.readFile(REPO, 'main', 'services/worker/Dockerfile')).toBe(workerDockerfile);
  expect(counts['POST /repos/{owner}/{repo}/pulls']).toBe(1);
  expect(counts['POST /app/installations/{id}/access_tokens']).toBe(1);
});

test('2 the tag is re-published: a delivery, its redelivery and a concurrent duplicate update the same PR', async () => {
  const before = gh.pulls(REPO)[0]!;
  second = await pushPython('second');
  expect(second.digest).not.toBe(first.digest);
  // No clock games: a webhook's job asks for registry answers fetched after it arrived, so the
  // re-published tag is seen although step 1 looked the same tag up moments ago.

  const counts = await step('2 re-published ×3', async () => {
    const payload = dockerfilePush();
    const id = randomUUID();
    const responses = await Promise.all([
      deliver('push', payload, { id }),
      deliver('push', payload, { id }), // GitHub's redelivery: same X-GitHub-Delivery
      deliver('push', payload), // a duplicate delivery at the same time
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await until('the branch pins the new digest', () =>
      Boolean(gh.readFile(REPO, BRANCH, 'Dockerfile')?.includes(second.digest)),
    );
  });

  expect(gh.pulls(REPO)).toHaveLength(1);
  const [pull] = openPullsOn(BRANCH);
  expect(pull!.number).toBe(before.number);
  expect(pull!.body).toContain(METADATA);
  expect(pull!.body).toContain(second.digest);
  expect(gh.readFile(REPO, BRANCH, 'Dockerfile')).toBe(
    dockerfile.replace(/^FROM .*(?=\r\n)/m, pinned(second)),
  );
  expect(gh.readFile(REPO, BRANCH, 'services/worker/Dockerfile')).toBe(
    workerDockerfile.replace(/^FROM \S+/, pinned(second)),
  );
  expect(gh.readFile(REPO, 'main', 'Dockerfile')).toBe(dockerfile);
  // One commit on top of the default branch head: the update replaced the branch, not stacked on it.
  const repo = gh.repo(REPO);
  const head = gh.git.commit(repo.refs.get(`heads/${BRANCH}`)!)!;
  expect(head.parents).toEqual([repo.refs.get('heads/main')]);
  expect(head.author).toBe(BOT);
  expect(counts['POST /repos/{owner}/{repo}/pulls'] ?? 0).toBe(0);
  // One Verified commit made by GitHub on a scratch branch (createCommitOnBranch), and the branch
  // moved once, compare-and-swap (updateRefs, which also drops the scratch), not by a REST force-push.
  expect(counts['POST /graphql']).toBe(2);
  expect(counts['POST /repos/{owner}/{repo}/git/refs']).toBe(1);
  expect(counts['PATCH /repos/{owner}/{repo}/git/refs/{*ref}'] ?? 0).toBe(0);
  // Three deliveries, at most two scans: one running, the rest merged into one queued after it.
  expect(counts['GET /repos/{owner}/{repo}']).toBeLessThanOrEqual(2);
});

test('3 a delivery with a bad signature → 4xx and no GitHub request at all', async () => {
  const counts = await step('3 bad signature', async () => {
    const response = await deliver('push', dockerfilePush(), { secret: 'not-the-webhook-secret' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything it might have started
  });
  expect(counts).toEqual({});
  expect(gh.pulls(REPO, 'open')).toHaveLength(1);
});

test('4 the PR closed unmerged by a human → it stays closed and the declined digest is not proposed again', async () => {
  const [pull] = openPullsOn(BRANCH);
  gh.closePull(REPO, pull!.number);

  const closed = await step('4 pull_request.closed', async () => {
    const response = await deliver('pull_request', pullClosed(pull!.number));
    expect(response.status).toBe(200);
  });
  expect(closed['GET /repos/{owner}/{repo}']).toBe(1); // the delivery did enqueue a scan

  // A later push scans again: the decline is read back from GitHub, not remembered in memory.
  const pushed = await step('5 push after decline', async () => {
    const response = await deliver('push', dockerfilePush());
    expect(response.status).toBe(200);
  });
  expect(pushed['GET /repos/{owner}/{repo}']).toBe(1);
  expect(writes(pushed)).toBe(0); // nothing to propose, so nothing is written

  for (const counts of [closed, pushed]) {
    expect(counts['POST /repos/{owner}/{repo}/pulls'] ?? 0).toBe(0);
    expect(counts['PATCH /repos/{owner}/{repo}/pulls/{number}'] ?? 0).toBe(0);
  }
  expect(gh.pulls(REPO)).toHaveLength(1);
  expect(gh.pulls(REPO)[0]).toMatchObject({ number: pull!.number, state: 'closed', mergedAt: null });
  expect(gh.readFile(REPO, 'main', 'Dockerfile')).toBe(dockerfile);
  expect(gh.http.unhandled).toEqual([]);
});
