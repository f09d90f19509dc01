// Shared test setup for the app layer: a Probot as its docs recommend for tests, real webhook
// example payloads, a recording queue, and a real redis-server.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { Probot, ProbotOctokit } from 'probot';
import type { JobQueue, QueueStats, ScanJob } from '../../src/app/queue.js';

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
  async enqueue(job: ScanJob) {
    this.jobs.push(job);
  }
  async stats(): Promise<QueueStats> {
    return { waiting: this.jobs.length, running: 0 };
  }
  async close() {}
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** A throwaway redis-server on loopback. Missing binary is a failure, never a skip. */
export async function startRedisServer(): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) {
    throw new Error(
      `${REDIS_SERVER} not found: the Redis queue tests need it (apt-get install redis-server)`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}):\n${output}`));
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
