// The fake GitHub for the org-sweep benchmark, in a process of its own so the benchmark's peak RSS
// is the app's alone. The parent forks this file, sends the org to build, and gets the URL to give
// Octokit; later it asks over the same IPC channel for what the fake counted. Exits with its parent.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { FakeGitHub } from '../test/support/fake-github.js';
import { repositoryFiles, type Catalogue } from './org-fixture.js';

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
}

type ToChild = { type: 'setup'; setup: FakeOrgSetup } | { type: 'figures' };
type FromChild = { type: 'ready'; url: string } | { type: 'figures'; figures: FakeFigures };

export interface FakeGitHubProcess {
  url: string;
  figures(): Promise<FakeFigures>;
  stop(): Promise<void>;
}

/** Forks the fake, builds the org in it and waits until it listens. */
export async function startFakeGitHubProcess(setup: FakeOrgSetup): Promise<FakeGitHubProcess> {
  const child = fork(new URL(import.meta.url).pathname, [], { serialization: 'advanced' });
  const exited = once(child, 'exit');
  const next = async <T extends FromChild['type']>(type: T) => {
    const [message] = (await Promise.race([
      once(child, 'message'),
      exited.then(([code]) => {
        throw new Error(`fake GitHub process exited (${code}) before answering ${type}`);
      }),
    ])) as [FromChild];
    if (message.type !== type) throw new Error(`fake GitHub process answered ${message.type}, not ${type}`);
    return message as Extract<FromChild, { type: T }>;
  };
  const send = (message: ToChild) => child.send(message);
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

function figuresOf(gh: FakeGitHub): FakeFigures {
  let pulls = 0;
  for (const repo of gh.repos.values()) pulls += repo.pulls.length;
  const writes = gh.http.log.filter((entry) => !entry.startsWith('GET ') && !entry.includes(' /app/'));
  return {
    counted: gh.http.rate.counted,
    total: gh.http.log.length,
    writes: writes.length,
    labelCreations: writes.filter((entry) => entry === 'POST /repos/{owner}/{repo}/labels').length,
    pulls,
    countedBy: { ...gh.http.rate.countedBy },
    rssMb: process.memoryUsage().rss / 1e6,
  };
}

async function serve(): Promise<void> {
  let gh: FakeGitHub | undefined;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToChild) => {
    void (async () => {
      if (message.type === 'setup') {
        const { setup } = message;
        gh = new FakeGitHub(setup.botLogin);
        gh.http.rate.limit = 1_000_000; // pacing is measured apart; here the budget is not the bottleneck
        gh.addInstallation(1, 'bench');
        for (let r = 0; r < setup.repositories; r++) {
          gh.createRepo(`bench/repo${r}`, {
            files: repositoryFiles(r, setup.registryHost, setup.catalogue),
          });
        }
        const server = await gh.http.listen();
        gh.http.latencyMs = setup.roundTripMs;
        process.send!({ type: 'ready', url: server.url } satisfies FromChild);
      } else if (gh) {
        process.send!({ type: 'figures', figures: figuresOf(gh) } satisfies FromChild);
      }
    })();
  });
}

if (process.send && process.argv[1] === new URL(import.meta.url).pathname) await serve();
