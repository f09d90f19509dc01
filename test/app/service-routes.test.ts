// The routes an orchestrator and Prometheus call, through Probot's real HTTP server: /health
// answers at once while the queue (Redis) does not answer at all, /ready then says unavailable
// within its bound, and /metrics serves the Prometheus text format with the app's own metrics.
import { createMetrics } from '../../src/app/metrics.js';
import type { QueueStats } from '../../src/app/queue.js';
import { QUEUE_ANSWER_TIMEOUT_MS } from '../../src/app/service-routes.js';
import { RecordingQueue, startAppServer } from './helpers.js';

/** A queue whose Redis is gone: stats() never settles. */
class UnansweringQueue extends RecordingQueue {
  override stats(): Promise<QueueStats> {
    return new Promise(() => undefined);
  }
}

const metrics = createMetrics();
let app: Awaited<ReturnType<typeof startAppServer>>;
let base: string;

beforeAll(async () => {
  app = await startAppServer({ queue: new UnansweringQueue(), metrics });
  base = app.base;
});

afterAll(() => app.stop());

test('/health answers at once although the queue does not answer', async () => {
  const started = Date.now();
  const response = await fetch(`${base}/health`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
  expect(Date.now() - started).toBeLessThan(QUEUE_ANSWER_TIMEOUT_MS);
});

test('/ready says unavailable (503) when the queue does not answer in time', async () => {
  const started = Date.now();
  const response = await fetch(`${base}/ready`);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: 'unavailable' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(QUEUE_ANSWER_TIMEOUT_MS - 50);
});

test('/metrics serves the app metrics in Prometheus text format', async () => {
  metrics.recordGitHubRequest({ method: 'GET', status: 502, installation: '7' });
  metrics.recordGitHubRateLimit('7', 4321);
  const response = await fetch(`${base}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  expect(text).toContain('freshbase_github_requests_total{method="GET",status="502"} 1');
  expect(text).toContain('freshbase_github_rate_limit_remaining{installation="7"} 4321');
  expect(text).toContain('# TYPE freshbase_job_duration_seconds histogram');
  expect(text).toContain('process_cpu_user_seconds_total');
});

test('other paths and methods are left to Probot', async () => {
  expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
});
