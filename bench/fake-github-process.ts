// The fake GitHub for the org-sweep benchmark, in a process of its own so the benchmark's peak RSS
// is the app's alone: this side forks fake-github-child.js, sends it the org to build, and gets the
// URL to give Octokit; later it asks over the same IPC channel for what the fake counted. Nothing
// of the fake (nor nock, which it loads) is imported into the benchmark's process.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Catalogue } from './org-fixture.js';

export interface FakeOrgSetup {
  botLogin: string;
  repositories: number;
  registryHost: string;
  catalogue: Catalogue;
  /** Round trip added to every request. */
  roundTripMs: number;
}

/** What the fake GitHub counted since it started. */
export interface FakeFigures {
  /** REST requests that counted against the rate limit. */
  counted: number;
  /** Every request, 304s and GraphQL included. */
  total: number;
  /** Requests that create or change content (not GET, not the app's own endpoints). */
  writes: number;
  /** Writes that create a label (once per repository). */
  labelCreations: number;
  pulls: number;
  countedBy: Record<string, number>;
  rssMb: number;
  /** When each write was handled (ms, the fake's clock): gaps show the write pipeline idle. */
  writeTimes: number[];
}

export type ToChild = { type: 'setup'; setup: FakeOrgSetup } | { type: 'figures' };
export type FromChild = { type: 'ready'; url: string } | { type: 'figures'; figures: FakeFigures };

export interface FakeGitHubProcess {
  url: string;
  figures(): Promise<FakeFigures>;
  stop(): Promise<void>;
}

/** Forks the fake, builds the org in it and waits until it listens. */
export async function startFakeGitHubProcess(setup: FakeOrgSetup): Promise<FakeGitHubProcess> {
  const child = fork(fileURLToPath(new URL('./fake-github-child.js', import.meta.url)), [], {
    serialization: 'advanced',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Without a listener the child's 'error' (a failed spawn, a send on a closed channel) would throw
  // from nowhere: it fails the answer being waited for.
  const failed = new Promise<never>((_, reject) => child.on('error', reject));
  failed.catch(() => {});
  const next = async <T extends FromChild['type']>(type: T) => {
    const [message] = (await Promise.race([
      once(child, 'message'),
      exited.then((code) => {
        throw new Error(`fake GitHub process exited (${code}) before answering ${type}`);
      }),
      failed.catch((error: Error) => {
        throw new Error(`fake GitHub process failed before answering ${type}: ${error.message}`);
      }),
    ])) as [FromChild];
    if (message.type !== type) throw new Error(`fake GitHub process answered ${message.type}, not ${type}`);
    return message as Extract<FromChild, { type: T }>;
  };
  const send = (message: ToChild) => {
    if (!child.connected)
      throw new Error(
        `fake GitHub process exited (${child.exitCode ?? child.signalCode}) before ${message.type} was sent`,
      );
    child.send(message);
  };
  send({ type: 'setup', setup });
  const { url } = await next('ready');
  return {
    url,
    async figures() {
      send({ type: 'figures' });
      return (await next('figures')).figures;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
