// Forged deliveries against Probot's real server with Freshbase's webhook route: peak RSS while five
// 200 MB bodies arrive at once (declared and chunked), and log bytes written per forged delivery.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { freshbaseApp } from '../src/app/app.js';
import type { JobQueue } from '../src/app/queue.js';
import { freePort } from '../test/support/registry.js';

const MB = 1024 * 1024;

const discardingQueue: JobQueue = {
  enqueue: async () => {},
  enqueueInstallation: async () => {},
  stats: async () => ({ waiting: 0, running: 0 }),
  close: async () => {},
};

/** Sends `size` bytes of forged body in 1 MB chunks until the server answers; resolves the status. */
function forge(port: number, size: number, declare: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let written = 0;
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/github/webhooks',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': `forged-${Math.random()}`,
        'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
        ...(declare ? { 'content-length': size } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(MB, 0x20);
    // One chunk per turn of the event loop, so an answer is seen before the next write.
    const more = (): void => {
      if (answered) return;
      if (written >= size) return void req.end();
      written += MB;
      if (req.write(chunk)) setImmediate(more);
      else req.once('drain', more);
    };
    more();
  });
}

export async function benchWebhookFlood(): Promise<void> {
  let logBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logBytes += chunk.length;
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const port = await freePort();
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const server = new Server({
    host: '127.0.0.1',
    port,
    log,
    Probot: Probot.defaults({ appId: 1, privateKey, secret: 'bench-secret', log }),
  });
  await server.load((app, options) =>
    freshbaseApp(app, {
      addHandler: options.addHandler,
      queue: discardingQueue,
      identity: async () => ({ slug: 'freshbase', botLogin: 'freshbase[bot]' }),
    }),
  );
  await server.start();
  try {
    console.log('forged webhook deliveries (Probot server, Freshbase webhook route)');
    for (const declare of [true, false]) {
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const started = Date.now();
      const statuses = await Promise.all(Array.from({ length: 5 }, () => forge(port, 200 * MB, declare)));
      clearInterval(sampler);
      console.log(
        `  5 concurrent 200 MB bodies, ${declare ? 'Content-Length declared' : 'chunked'}: statuses ${[
          ...new Set(statuses),
        ].join(',')}; rss ${(before / 1e6).toFixed(0)} → peak ${(peak / 1e6).toFixed(0)} MB` +
          ` (client buffers included); ${Date.now() - started} ms`,
      );
    }
    const body = JSON.stringify({ forged: 'x'.repeat(64 * 1024) });
    const count = 200;
    logBytes = 0;
    for (let i = 0; i < count; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': `forged-${i}`,
          'x-hub-signature-256': `sha256=${createHmac('sha256', 'wrong').update(body).digest('hex')}`,
        },
        body,
      });
      await response.arrayBuffer();
    }
    console.log(
      `  ${count} forged 64 KiB deliveries with a bad signature: ${Math.round(logBytes / count)} log bytes each` +
        ' (the access line and one warning)',
    );
  } finally {
    await server.stop();
  }
}
