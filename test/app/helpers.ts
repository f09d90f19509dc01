// Shared test setup for the app layer: a Probot as its docs recommend for tests, real webhook
// example payloads, a recording queue, and a real redis-server.
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import nock from 'nock';
import { Probot, ProbotOctokit, Server } from 'probot';
import { freshbaseApp } from '../../src/app/app.js';
import type { Metrics } from '../../src/app/metrics.js';
import type {
  InstallationJob,
  JobQueue,
  QueueStats,
  RepositoryLister,
  ScanJob,
} from '../../src/app/queue.js';
import type { RateBudget } from '../../src/github/rate-budget.js';

import { freePort } from '../support/registry.js';

export { freePort };

export const APP_ID = 123;
export const WEBHOOK_SECRET = 'test-secret';

export const privateKey = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

export const TestOctokit = ProbotOctokit.defaults({
  retry: { enabled: false },
  throttle: { enabled: false },
});

export function createTestProbot(): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey,
    secret: WEBHOOK_SECRET,
    Octokit: TestOctokit,
    logLevel: 'fatal',
  });
}

/** Probot's logger at level fatal, for a Server in tests. */
export async function quietLog() {
  return (await createTestProbot().ready()).log;
}

interface ExampleDefinition {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleDefinition[];

/** A deep copy of a real example payload (@octokit/webhooks-examples). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function examplePayload(event: string, action?: string, index = 0): any {
  const definition = examples.find((d) => d.name === event);
  const matching = definition?.examples.filter((e) => action === undefined || e.action === action) ?? [];
  const found = matching[index];
  if (!found) throw new Error(`no ${event}.${action ?? ''} example #${index}`);
  return structuredClone(found);
}

export class RecordingQueue implements JobQueue {
  readonly jobs: ScanJob[] = [];
  readonly installations: InstallationJob[] = [];
  async enqueue(job: ScanJob) {
    this.jobs.push(job);
  }
  async enqueueInstallation(job: InstallationJob) {
    this.installations.push(job);
  }
  async stats(): Promise<QueueStats> {
    return { waiting: this.jobs.length, running: 0 };
  }
  async close() {}
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A scan job for acme/<repo>, as the queue tests enqueue it. */
export const job = (repo: string, reason = 'push'): ScanJob => ({
  installationId: 1,
  owner: 'acme',
  repo,
  reason,
  requestedAt: 0,
});

/**
 * The app on Probot's real HTTP server on loopback (nock lets only loopback through), with `queue`
 * and optional metrics; a fixed identity spares GitHub lookups.
 */
export async function startAppServer(options: { queue: JobQueue; metrics?: Metrics }) {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  const port = await freePort();
  const server = new Server({
    host: '127.0.0.1',
    port,
    log: await quietLog(),
    Probot: Probot.defaults({
      appId: APP_ID,
      privateKey,
      secret: WEBHOOK_SECRET,
      Octokit: TestOctokit,
      logLevel: 'fatal',
    }),
  });
  await server.load((app, { addHandler }) =>
    freshbaseApp(app, {
      addHandler,
      ...options,
      identity: async () => ({ slug: 'freshbase', botLogin: 'freshbase[bot]' }),
    }),
  );
  await server.start();
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      await server.stop();
      nock.enableNetConnect();
    },
  };
}

/**
 * An installation's sweep budget over `seen`, the rate limit its last GitHub answer reported (the
 * test changes it): spent below a fifth of the limit (a share of 0.8) until the window resets.
 */
export function budgetOver(seen: { limit: number; remaining: number; resetAt: number }): RateBudget {
  return {
    observe: () => undefined,
    snapshot: () => seen,
    waitMs: (_id, now = Date.now()) =>
      seen.resetAt > now && seen.remaining < seen.limit * 0.2 ? seen.resetAt - now : 0,
  };
}

/** Lists `count` repositories, acme/r0 … acme/r<count − 1>, for an installation job. */
export const listingOf =
  (count: number): RepositoryLister =>
  async ({ installationId, reason, requestedAt }) =>
    Array.from({ length: count }, (_, i) => ({
      installationId,
      owner: 'acme',
      repo: `r${i}`,
      reason,
      requestedAt,
    }));
