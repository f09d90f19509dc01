// Two replicas as operators run them (`node dist/app/main.js`, what `npm start` runs after its
// build) against one real redis-server, the real registry, and the fake GitHub served over HTTP
// as a GitHub Enterprise Server (GHE_HOST, GHE_PROTOCOL=http). A sweep of an installation's
// repositories is split between them; replica A is killed with SIGKILL at the worst moment — right
// after GitHub created a pull request for it, before A hears back — and its other jobs are left
// mid-scan. Replica B must take them over within the documented bound and finish the sweep: every
// repository gets exactly one pull request, none is lost, none is duplicated. Then B drains on
// SIGTERM and exits 0.
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { LOCK_DURATION_MS, STALLED_INTERVAL_MS } from '../../src/app/redis-queue.js';
import { APP_ID, examplePayload, freePort, privateKey, WEBHOOK_SECRET } from '../app/helpers.js';
import type { ServedFake } from '../support/fake-github-http.js';
import { FakeGitHub } from '../support/fake-github.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { DEFAULT_INDEX_PLATFORMS } from '../support/registry-push.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import {
  buildOnce,
  startService,
  waitUntilServing,
  type ServiceProcess,
} from '../support/service-process.js';

const INSTALLATION_ID = 31337;
const SLUG = 'freshbase';
const REPOSITORIES = ['api', 'web', 'worker', 'billing', 'search'].map((name) => `acme/${name}`);
/** Documented handover bound (redis-queue.ts), plus slack for a loaded test machine. */
const HANDOVER_BOUND_MS = LOCK_DURATION_MS + STALLED_INTERVAL_MS + 10_000;

let redis: RedisServer;
let registry: TestRegistry;
let scratch: string;
let gh: FakeGitHub;
let served: ServedFake;
const replicas: ServiceProcess[] = [];
/** Fake GitHub requests in order: which replica (by the port it uses), what, when. */
const requests: Array<{ replica: string; endpoint: string; repository: string | null; at: number }> = [];

jest.setTimeout(150_000);

beforeAll(async () => {
  [redis, registry] = await Promise.all([startRedisServer(), startRegistry(), buildOnce()]);
  await registry.pushIndex('acme/python', '3.12-slim', {
    images: DEFAULT_INDEX_PLATFORMS.map((platform) => ({ platform, seed: 'replicas' })),
  });
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-replicas-'));
  gh = new FakeGitHub(`${SLUG}[bot]`);
  gh.addInstallation(INSTALLATION_ID, 'acme');
  for (const fullName of REPOSITORIES) {
    gh.createRepo(fullName, { files: { Dockerfile: `FROM ${registry.host}/acme/python:3.12-slim\n` } });
  }
});

afterAll(async () => {
  for (const replica of replicas) {
    if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
  }
  await served?.close();
  await Promise.all([redis?.stop(), registry?.stop()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function startReplica(
  name: string,
  githubPort: number,
): Promise<{ service: ServiceProcess; url: string }> {
  const rules = path.join(scratch, 'registries.yml');
  await writeFile(
    rules,
    `registries:\n  - host: ${registry.host}\n    url: ${registry.url}\n    allowPrivate: true\n`,
  );
  const port = await freePort();
  const service = startService(name, {
    NODE_ENV: 'production',
    APP_ID: String(APP_ID),
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET,
    GHE_HOST: `127.0.0.1:${githubPort}`,
    GHE_PROTOCOL: 'http',
    REDIS_URL: redis.url,
    FRESHBASE_REGISTRIES: rules,
    FRESHBASE_SCAN_CRON: 'off',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  });
  replicas.push(service);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(service, `${url}/ready`);
  return { service, url };
}

/** GitHub's installation.created delivery without a repository list: the app lists them itself. */
function deliverInstallationCreated(url: string) {
  const payload = examplePayload('installation', 'created');
  payload.installation.id = INSTALLATION_ID;
  payload.installation.account.login = 'acme';
  delete payload.repositories;
  const body = JSON.stringify(payload);
  return fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'installation',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
}

async function until(what: string, condition: () => boolean, timeoutMs: number, log = '') {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const repositoryOf = (url: string) => /\/repos\/([^/]+\/[^/?]+)/.exec(url)?.[1] ?? null;

test('kill -9 of one replica mid-sweep: the other takes its jobs over, one PR per repository, none lost', async () => {
  const started = Date.now();
  let killedAt = 0;
  let killedFor: string | null = null;
  const names = new Map<number, string>();
  served = await gh.http.listen({
    afterHandled: (endpoint, port, url) => {
      const replica = names.get(port) ?? 'test';
      requests.push({ replica, endpoint, repository: repositoryOf(url), at: Date.now() });
      // A's first pull request now exists on GitHub; A dies before it hears so, its other scans mid-way.
      if (replica === 'A' && endpoint === 'POST /repos/{owner}/{repo}/pulls' && !killedAt) {
        killedAt = Date.now();
        killedFor = repositoryOf(url);
        replicas.find((r) => r.name === 'A')!.child.kill('SIGKILL');
      }
    },
  });
  const portB = await served.addPort();
  names.set(served.port, 'A');
  names.set(portB, 'B');
  const a = await startReplica('A', served.port);
  const b = await startReplica('B', portB);
  const logs = () =>
    `--- A ---\n${a.service.output().slice(-6000)}\n--- B ---\n${b.service.output().slice(-6000)}`;

  const swept = Date.now();
  expect((await deliverInstallationCreated(a.url)).status).toBe(200);
  await until('replica A is killed mid-sweep', () => killedAt > 0, 60_000, logs());
  expect(await a.service.exited).toBeNull(); // killed by the signal, not exited

  // The job A provably held when it died: the repository whose pull request GitHub created for A,
  // an answer A never heard. (Its other repositories it may have finished before the kill.) B must
  // take that job over: wait for B to work on it, not for the pull requests — the one A created
  // already counts as open before B has taken anything over.
  const startedByA = new Set<string | null>([killedFor]);
  const takenOverByB = () =>
    requests.some((r) => r.replica === 'B' && r.at > killedAt && r.repository === killedFor);
  await until('B took over the job A was killed in', takenOverByB, 90_000, logs());
  const openPulls = () => REPOSITORIES.filter((r) => gh.pulls(r, 'open').length > 0).length;
  await until(
    'every repository has its pull request',
    () => openPulls() === REPOSITORIES.length,
    90_000,
    logs(),
  );

  // The first request of B for each of A's repositories after the kill is its handover.
  const takenOver = [
    ...new Map(
      requests
        .filter((r) => r.replica === 'B' && r.at > killedAt && startedByA.has(r.repository))
        .map((r) => [r.repository, r] as const)
        .reverse(),
    ).values(),
  ];
  const handoverMs = Math.max(...takenOver.map((r) => r.at - killedAt));
  console.log(
    `replicas: both serving ${((swept - started) / 1000).toFixed(1)} s after start; ` +
      `A killed ${((killedAt - swept) / 1000).toFixed(1)} s into the sweep; ` +
      `A's job for ${killedFor} taken over by B (${takenOver.length} of ${startedByA.size}), ` +
      `the last ${(handoverMs / 1000).toFixed(1)} s after the kill (bound ${LOCK_DURATION_MS + STALLED_INTERVAL_MS} ms); ` +
      `all ${REPOSITORIES.length} PRs open ${((Date.now() - swept) / 1000).toFixed(1)} s into the sweep`,
  );
  expect(takenOver.length).toBeGreaterThan(0);
  expect(handoverMs).toBeLessThan(HANDOVER_BOUND_MS);

  // Settle: nothing left in the queue, then exactly one PR per repository, each pinning the digest.
  const idle = async () => {
    const ready = (await (await fetch(`${b.url}/ready`)).json()) as {
      queue: { waiting: number; running: number };
    };
    return ready.queue.waiting === 0 && ready.queue.running === 0;
  };
  const idleDeadline = Date.now() + 30_000;
  while (!(await idle())) {
    if (Date.now() > idleDeadline) throw new Error(`queue never idle\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const fullName of REPOSITORIES) {
    const pulls = gh.pulls(fullName);
    expect({ fullName, pulls: pulls.length }).toEqual({ fullName, pulls: 1 });
    expect(gh.readFile(fullName, pulls[0]!.head, 'Dockerfile')).toMatch(
      new RegExp(`^FROM ${registry.host}/acme/python:3\\.12-slim@sha256:[0-9a-f]{64}\\n$`),
    );
  }

  // B's metrics saw the sweep: jobs done and pull requests opened by B.
  const metrics = await (await fetch(`${b.url}/metrics`)).text();
  expect(metrics).toMatch(/^freshbase_jobs_total\{outcome="done"\} [1-9]/m);
  expect(metrics).toMatch(/^freshbase_pull_requests_total\{action="opened"\} [1-9]/m);
  expect(metrics).toMatch(/^freshbase_github_requests_total\{method="POST",status="201"\} [1-9]/m);

  // SIGTERM drains: B finishes (nothing is running now) and exits 0.
  expect(await b.service.stop()).toBe(0);
});
