// GitHub goes down (every request answers 502/503) while the app has scans to do: the scans fail
// as transient, the queue puts them back with a growing backoff (bounded work, nothing spins),
// /health keeps answering at once, /metrics shows the failed requests, the failed runs and the
// waiting scans; when GitHub is back the scans finish and each repository gets exactly one PR.
// The real parts as in the webhook end-to-end test: Probot's server and Octokit (with its retry
// plugin), the app's services, the real registry; only GitHub is the nock-served fake.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import nock from 'nock';
import { Probot, Server } from 'probot';
import { freshbaseApp } from '../../src/app/app.js';
import { serviceOctokit } from '../../src/app/github-client.js';
import { createMetrics } from '../../src/app/metrics.js';
import type { RetryPolicy } from '../../src/app/queue.js';
import { startServices, type Services } from '../../src/app/runtime.js';
import { APP_ID, freePort, privateKey, WEBHOOK_SECRET } from '../app/helpers.js';
import { FakeGitHub } from '../support/fake-github.js';
import { DEFAULT_INDEX_PLATFORMS } from '../support/registry-push.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { temporaryDataDir } from '../support/state.js';

const INSTALLATION_ID = 5150;
const REPOSITORIES = ['acme/api', 'acme/web'];
/** The production policy's shape with test-sized delays: 150 ms, 300, 600, 1200, 1200, … */
const RETRY: RetryPolicy = { attempts: 10, baseMs: 150, maxDelayMs: 1200 };
/** Octokit's own retries per call: 3 after the first attempt, 5 ms × n² apart here. */
const OCTOKIT_RETRIES = 3;
const OUTAGE_MS = 4000;

const metrics = createMetrics();
let registry: TestRegistry;
let scratch: string;
let gh: FakeGitHub;
let server: Server;
let services: Services | undefined;
let base: string;

beforeAll(async () => {
  registry = await startRegistry();
  await registry.pushIndex('acme/python', '3.12-slim', {
    images: DEFAULT_INDEX_PLATFORMS.map((platform) => ({ platform, seed: 'outage' })),
  });
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-outage-'));
  const rulesFile = path.join(scratch, 'registries.yml');
  await writeFile(
    rulesFile,
    `registries:\n  - host: ${registry.host}\n    url: ${registry.url}\n    allowPrivate: true\n`,
  );
  gh = new FakeGitHub('freshbase[bot]').install();
  gh.addInstallation(INSTALLATION_ID, 'acme');
  for (const fullName of REPOSITORIES) {
    gh.createRepo(fullName, { files: { Dockerfile: `FROM ${registry.host}/acme/python:3.12-slim\n` } });
  }
  nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));

  const ProbotWithApp = Probot.defaults({
    appId: APP_ID,
    privateKey,
    secret: WEBHOOK_SECRET,
    // The service's GitHub client (deadline and metrics inside Probot's retry plugin); retries
    // 5 ms × n² apart instead of 1 s × n², and writes unthrottled, to keep the test short.
    Octokit: serviceOctokit({ metrics }).defaults({
      retry: { retryAfterBaseValue: 5 },
      throttle: { enabled: false },
    }),
    logLevel: 'fatal',
  });
  server = new Server({
    host: '127.0.0.1',
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
    services = await startServices(app, env, { metrics, retry: RETRY });
    freshbaseApp(app, { addHandler: options.addHandler, queue: services.queue, metrics });
  });
  await server.start();
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.stop();
  await services?.close();
  gh?.uninstall();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The value of one sample line of /metrics, 0 when absent. */
async function sample(line: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('minutes of 5xx: scans back off and are retried, none lost, /health answers, metrics show it', async () => {
  gh.http.outage = [502, { message: 'Server Error' }];
  const outageStart = gh.http.log.length;
  for (const fullName of REPOSITORIES) {
    const [owner, repo] = fullName.split('/') as [string, string];
    await services!.queue.enqueue({
      installationId: INSTALLATION_ID,
      owner,
      repo,
      reason: 'push',
      requestedAt: Date.now(),
    });
  }

  // While GitHub is down: liveness answers at once; scans fail, wait out their backoff, run again.
  const healthTimes: number[] = [];
  const outageEnds = Date.now() + OUTAGE_MS;
  while (Date.now() < outageEnds) {
    const asked = Date.now();
    const health = await fetch(`${base}/health`);
    healthTimes.push(Date.now() - asked);
    expect(health.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const failedRuns = await sample('freshbase_jobs_total{outcome="failed_transient"}');
  const waiting = await sample('freshbase_queue_jobs{state="waiting"}');
  const requestsInOutage = gh.http.log.length - outageStart;
  gh.http.outage = null;

  expect(Math.max(...healthTimes)).toBeLessThan(1000);
  // Every scan failed more than once, and none was dropped: both are still waiting or running.
  expect(failedRuns).toBeGreaterThanOrEqual(2 * REPOSITORIES.length);
  expect(waiting + (await services!.queue.stats()).running).toBeGreaterThan(0);
  // Nothing spins: the backoff (150, 300, 600, 1200 ms…) allows about 5 runs per scan in 4 s,
  // each of at most one failed call with Octokit's retries (or one token request).
  const runsAllowed = REPOSITORIES.length * 6;
  expect(failedRuns).toBeLessThanOrEqual(runsAllowed);
  expect(requestsInOutage).toBeLessThanOrEqual(runsAllowed * (1 + OCTOKIT_RETRIES));
  expect(
    (await sample('freshbase_github_requests_total{method="GET",status="502"}')) +
      (await sample('freshbase_github_requests_total{method="POST",status="502"}')),
  ).toBeGreaterThan(0);

  // GitHub is back: each repository gets its one pull request, and the queue empties.
  await until(
    'every repository has its pull request',
    () => REPOSITORIES.every((r) => gh.pulls(r, 'open').length === 1),
    20_000,
  );
  await until(
    'the queue is idle',
    async () => {
      const stats = await services!.queue.stats();
      return stats.waiting === 0 && stats.running === 0;
    },
    10_000,
  );
  for (const fullName of REPOSITORIES) expect(gh.pulls(fullName)).toHaveLength(1);
  expect(await sample('freshbase_jobs_total{outcome="done"}')).toBe(REPOSITORIES.length);
  expect(await sample('freshbase_pull_requests_total{action="opened"}')).toBe(REPOSITORIES.length);
  console.log(
    `outage: ${requestsInOutage} GitHub requests and ${failedRuns} failed scan runs in ${OUTAGE_MS} ms of 502s; ` +
      `slowest /health ${Math.max(...healthTimes)} ms`,
  );
});
