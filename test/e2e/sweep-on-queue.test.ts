// `freshbase sweep` with REDIS_URL, end to end: a real redis-server, the real registry, the fake
// GitHub, and a replica running the app's real services (startServices: BullMQ worker, job runner,
// registry client from FRESHBASE_REGISTRIES). The sweep only lists and enqueues (a paced wake-up per
// repository): the replica scans, each repository once even when a webhook's job for it was already
// waiting, and the sweep prints the replica's results in the same summary as an in-process sweep.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import nock from 'nock';
import { connect, createScanProducer } from '../../src/app/redis-queue.js';
import { startServices, type Services } from '../../src/app/runtime.js';
import { runSweep } from '../../src/cli/sweep.js';
import { createTestProbot, WEBHOOK_SECRET, waitFor } from '../app/helpers.js';
import { BOT } from '../github/harness.js';
import { FakeGitHub } from '../support/fake-github.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const REPOS = ['api', 'web', 'worker'];
const QUEUE = 'freshbase-scans';

let redis: RedisServer;
let registry: TestRegistry;
let scratch: string;
let gh: FakeGitHub;
let env: NodeJS.ProcessEnv;
let replica: Services | undefined;

beforeAll(async () => {
  [redis, registry] = await Promise.all([startRedisServer(), startRegistry()]);
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-sweep-queue-'));
  const rules = path.join(scratch, 'registries.yml');
  await writeFile(
    rules,
    `registries:\n  - host: ${registry.host}\n    url: ${registry.url}\n    allowPrivate: true\n`,
  );
  env = {
    REDIS_URL: redis.url,
    WEBHOOK_SECRET,
    FRESHBASE_REGISTRIES: rules,
    FRESHBASE_SCAN_CRON: 'off',
  };
  await registry.pushImage('acme/base', '1');
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), registry?.stop()]);
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  gh = new FakeGitHub(BOT).install();
  // GitHub is the fake (nock); Redis and the registry are real servers on loopback.
  nock.enableNetConnect((host) => /^127\.0\.0\.1(:\d+)?$/.test(host));
  gh.addInstallation(1, 'acme');
  for (const repo of REPOS)
    gh.createRepo(`acme/${repo}`, { files: { Dockerfile: `FROM ${registry.host}/acme/base:1\n` } });
  const connection = connect(redis.url);
  await connection.flushall();
  connection.disconnect();
});
afterEach(async () => {
  await replica?.close();
  replica = undefined;
  gh.uninstall();
});

async function sweep(extra: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSweep(
    { ...env, ...extra },
    { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) },
    {
      probot: createTestProbot(),
      reconcile: () => Promise.reject(new Error('the sweep scanned in its own process')),
    },
  );
  return { code, out: out.join(''), err: err.join('') };
}

async function waitingJobs(): Promise<number> {
  const connection = connect(redis.url);
  const queue = new Queue(QUEUE, { connection });
  try {
    const counts = await queue.getJobCounts('waiting', 'prioritized');
    return (counts.waiting ?? 0) + (counts.prioritized ?? 0);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

test('the replica runs the jobs, once each; the sweep prints its results; one PR per repository', async () => {
  // A push webhook's job for acme/api is already waiting when the sweep starts.
  const connection = connect(redis.url);
  const queue = new Queue(QUEUE, { connection });
  const webhook = {
    installationId: 1,
    owner: 'acme',
    repo: 'api',
    reason: 'push',
    requestedAt: Date.now() - 1,
  };
  await createScanProducer(connection, queue).enqueue(webhook);
  await queue.close();
  connection.disconnect();

  const sweeping = sweep();
  // The webhook's scan and the sweep's three wake-ups (due now: no spread) wait for a replica.
  await waitFor(async () => (await waitingJobs()) === 4, 30_000);
  const app = await createTestProbot().ready();
  replica = await startServices(app, env);
  const { code, out, err } = await sweeping;

  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toMatch(
    /^swept 3 repositories in 1 installations in [\d.]+s: 3 scanned, 0 failed; 3 updates, 3 PRs created, 0 updated, 0 closed; 0 image lookups failed\n$/,
  );
  for (const repo of REPOS) {
    const pulls = gh.pulls(`acme/${repo}`);
    expect(pulls).toHaveLength(1);
    expect(gh.readFile(`acme/${repo}`, pulls[0]!.head, 'Dockerfile')).toMatch(
      new RegExp(`^FROM ${registry.host.replace('.', '\\.')}/acme/base:1@sha256:[0-9a-f]{64}\\n$`),
    );
  }
  // Three scans on the replica: acme/api ran once for the webhook and the sweep together (its
  // wake-up was merged into the waiting scan, or found it had answered the sweep).
  const jobs = await replica.metrics.registry.getSingleMetricAsString('freshbase_jobs_total');
  expect(jobs.split('\n').filter((line) => line.startsWith('freshbase_jobs_total'))).toEqual([
    'freshbase_jobs_total{outcome="done"} 3',
  ]);

  // A second sweep while the replica runs: the same updates, already proposed; nothing new opened.
  const again = await sweep();
  expect(again.code).toBe(0);
  expect(again.out).toContain('3 scanned, 0 failed; 3 updates, 0 PRs created, 0 updated, 0 closed');
  for (const repo of REPOS) expect(gh.pulls(`acme/${repo}`)).toHaveLength(1);
}, 120_000);

test('no replica running: the sweep says so after FRESHBASE_SWEEP_TIMEOUT and exits 1', async () => {
  const { code, out, err } = await sweep({ FRESHBASE_SWEEP_TIMEOUT: '1' });
  expect(code).toBe(1);
  expect(out).toContain('swept 3 repositories in 1 installations');
  expect(out).toContain('0 scanned, 3 failed');
  expect(err).toContain(
    'freshbase sweep: no replica consumed the jobs within 1 s; is the app running with the same REDIS_URL?\n',
  );
  expect(err).toContain('freshbase sweep: acme/web: no result (its job is still queued)\n');
  for (const repo of REPOS) expect(gh.pulls(`acme/${repo}`)).toEqual([]);
}, 60_000);

test('without REDIS_URL the sweep scans in its own process, as before', async () => {
  const { REDIS_URL: _unused, ...local } = env;
  const out: string[] = [];
  const code = await runSweep(
    local,
    { stdout: (t) => void out.push(t), stderr: () => {} },
    {
      probot: createTestProbot(),
    },
  );
  expect(code).toBe(0);
  expect(out.join('')).toContain('3 scanned, 0 failed; 3 updates, 3 PRs created');
  expect(await waitingJobs()).toBe(0);
}, 60_000);
