// The fake GitHub's process for the org-sweep benchmark (see fake-github-process.ts): builds the
// org it is sent, serves it on loopback, answers requests for its counters; exits with its parent.
import { FakeGitHub } from '../test/support/fake-github.js';
import type { FakeFigures, FromChild, ToChild } from './fake-github-process.js';
import { repositoryFiles } from './org-fixture.js';

/** What the benchmark counts as a write: content-changing requests (and GraphQL), not the app's own. */
function isWrite(endpoint: string): boolean {
  return !endpoint.startsWith('GET ') && !endpoint.includes(' /app/');
}

function figuresOf(gh: FakeGitHub, writeTimes: number[]): FakeFigures {
  let pulls = 0;
  for (const repo of gh.repos.values()) pulls += repo.pulls.length;
  const writes = gh.http.log.filter(isWrite);
  return {
    counted: gh.http.rate.counted,
    total: gh.http.log.length,
    writes: writes.length,
    labelCreations: writes.filter((entry) => entry === 'POST /repos/{owner}/{repo}/labels').length,
    pulls,
    countedBy: { ...gh.http.rate.countedBy },
    rssMb: process.memoryUsage().rss / 1e6,
    writeTimes: [...writeTimes],
  };
}

async function serve(): Promise<void> {
  let gh: FakeGitHub | undefined;
  const writeTimes: number[] = [];
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
        const server = await gh.http.listen({
          afterHandled: (endpoint) => {
            if (isWrite(endpoint)) writeTimes.push(performance.now());
          },
        });
        gh.http.latencyMs = setup.roundTripMs;
        process.send!({ type: 'ready', url: server.url } satisfies FromChild);
      } else if (gh) {
        process.send!({ type: 'figures', figures: figuresOf(gh, writeTimes) } satisfies FromChild);
      }
    })();
  });
}

await serve();
