// Hostile deliveries through Probot's real HTTP server with Freshbase's webhook route: bodies over
// GitHub's 25 MB cap are refused while they stream (never buffered whole), a bad signature is one
// warning line with the delivery id and no payload, and a signed `null` is a client error.
// No nock here: its interceptor would buffer a request body whole before sending any of it, and
// nothing in these tests talks to GitHub (handlers only enqueue).
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { freshbaseApp } from '../../src/app/app.js';
import { MAX_WEBHOOK_BYTES } from '../../src/app/webhook-receiver.js';
import { APP_ID, freePort, privateKey, RecordingQueue, TestOctokit, WEBHOOK_SECRET } from './helpers.js';

// The helpers load nock, which hooks node's http; these tests stream real bodies over real sockets.
beforeAll(async () => {
  const { default: nock } = await import('nock');
  nock.restore();
});

const DELIVERY = '5f2e1c7a-0000-4000-8000-000000000008';
const MB = 1024 * 1024;

let server: Server;
let port: number;
const queue = new RecordingQueue();
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  port = await freePort();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  server = new Server({
    host: '127.0.0.1',
    port,
    log,
    Probot: Probot.defaults({ appId: APP_ID, privateKey, secret: WEBHOOK_SECRET, Octokit: TestOctokit, log }),
  });
  await server.load((app, options) =>
    freshbaseApp(app, {
      addHandler: options.addHandler,
      queue,
      identity: async () => ({ slug: 'freshbase', botLogin: 'freshbase[bot]' }),
    }),
  );
  await server.start();
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  queue.jobs.splice(0);
  logLines.splice(0);
});

const sign = (body: string | Buffer, secret = WEBHOOK_SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface Sent {
  status: number;
  body: string;
  /** Body bytes written before the answer came. */
  written: number;
}

/**
 * POSTs a delivery whose body is `size` bytes, written in 1 MB chunks until the server answers (or all
 * is sent). With `declare`, Content-Length announces the size; without it the body is chunked.
 */
function sendLarge(size: number, declare: boolean): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/github/webhooks',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': DELIVERY,
        'x-hub-signature-256': sign('forged'),
        ...(declare ? { 'content-length': size } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, written }));
    });
    // The server closes the connection after refusing; a write racing that close may fail.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(MB, 0x20);
    // One chunk per turn of the event loop, so an answer is seen before the next write.
    const writeMore = (): void => {
      if (answered) return;
      if (written >= size) return void req.end();
      const piece = chunk.subarray(0, Math.min(MB, size - written));
      written += piece.length;
      if (req.write(piece)) setImmediate(writeMore);
      else req.once('drain', writeMore);
    };
    writeMore();
  });
}

function deliver(body: string, signature: string, event = 'push') {
  return fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': DELIVERY,
      'x-hub-signature-256': signature,
    },
    body,
  });
}

test('a body declared larger than 25 MB is refused with 413 before it is read', async () => {
  const sent = await sendLarge(200 * MB, true);
  expect(sent.status).toBe(413);
  expect(JSON.parse(sent.body)).toEqual({ error: `payload larger than ${MAX_WEBHOOK_BYTES} bytes` });
  // The answer came long before the 200 MB were written.
  expect(sent.written).toBeLessThan(200 * MB);
  expect(queue.jobs).toEqual([]);
});

test('a chunked body is refused with 413 as soon as it streams past 25 MB', async () => {
  const sent = await sendLarge(60 * MB, false);
  expect(sent.status).toBe(413);
  expect(sent.written).toBeLessThan(60 * MB);
  expect(queue.jobs).toEqual([]);
});

test('a bad signature is one warning line with the delivery id, and no payload', async () => {
  const secretish = 'forged-payload-marker-'.repeat(1000);
  const body = JSON.stringify({ marker: secretish });
  const response = await deliver(body, sign(body, 'not-the-secret'));
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: 'signature does not match' });
  // Besides Probot's access line for the request (method, path, status, headers), only the warning.
  const about = logLines.filter((line) => line.name !== 'http');
  expect(about).toEqual([
    expect.objectContaining({
      level: 40,
      deliveryId: DELIVERY,
      msg: 'webhook delivery refused: signature does not match',
    }),
  ]);
  expect(JSON.stringify(logLines)).not.toContain('forged-payload-marker');
  expect(queue.jobs).toEqual([]);
});

test.each(['null', '[]', '"text"', '42', 'not json'])('a signed %s body is answered 400', async (body) => {
  const response = await deliver(body, sign(body));
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: 'payload is not a JSON object' });
  expect(queue.jobs).toEqual([]);
});

test('a body just under the cap is read whole and its signature checked', async () => {
  const body = JSON.stringify({ pad: ' '.repeat(MAX_WEBHOOK_BYTES - 20) });
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES);
  const response = await deliver(body, sign(body, 'not-the-secret'));
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ error: 'signature does not match' });
});
