// End to end through Probot's real HTTP server: signed deliveries are accepted and enqueue,
// mis-signed ones are rejected before any handler runs, and the health and readiness routes answer.
import { createHmac } from 'node:crypto';
import { examplePayload, RecordingQueue, startAppServer, WEBHOOK_SECRET } from './helpers.js';

let app: Awaited<ReturnType<typeof startAppServer>>;
let base: string;
const queue = new RecordingQueue();

beforeAll(async () => {
  app = await startAppServer({ queue });
  base = app.base;
});

afterAll(() => app.stop());

beforeEach(() => queue.jobs.splice(0));

function deliver(body: string, signature: string) {
  return fetch(`${base}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': signature,
    },
    body,
  });
}

const sign = (body: string, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function dockerfilePush(): string {
  const payload = examplePayload('push', undefined, 4);
  payload.commits[0].modified = ['Dockerfile'];
  return JSON.stringify(payload);
}

test('a signed delivery is accepted and enqueues the scan', async () => {
  const body = dockerfilePush();
  const response = await deliver(body, sign(body));
  expect(response.status).toBe(200);
  expect(queue.jobs).toEqual([
    {
      installationId: 1,
      owner: 'Codertocat',
      repo: 'Hello-World',
      reason: 'push',
      requestedAt: expect.any(Number),
    },
  ]);
});

test('a wrongly signed delivery is rejected and enqueues nothing', async () => {
  const body = dockerfilePush();
  const response = await deliver(body, sign(body, 'not-the-secret'));
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(queue.jobs).toEqual([]);
});

test.each(['/health', '/healthz'])('GET %s answers 200 without asking the queue', async (path) => {
  const response = await fetch(`${base}${path}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('GET /ready answers 200 with the queue counts', async () => {
  const response = await fetch(`${base}/ready`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ready', queue: { waiting: 0, running: 0 } });
});
