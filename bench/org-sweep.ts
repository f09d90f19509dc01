// An org-wide `freshbase sweep` through the fake GitHub (with simulated latency and GitHub's write
// spacing scaled down alike) and the real registry on loopback: what a first sweep and an unchanged
// sweep cost in GitHub requests (counted against the rate limit, and all), writes per PR, registry
// requests against their floor, wall time against the floor set by round trips and write spacing,
// and peak RSS. Two sweeps in one process share their caches, as the app's scheduled sweeps do.
// The fake GitHub runs in a child process, so the peak RSS is the app's alone.
import { generateKeyPairSync } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Probot, ProbotOctokit } from 'probot';
import { runSweep } from '../src/cli/sweep.js';
import { createConditionalRequestCache } from '../src/github/conditional-requests.js';
import { createRegistryClient } from '../src/registry/client.js';
import type { TestRegistry } from '../test/support/registry.js';
import { temporaryDataDir } from '../test/support/state.js';
import { startFakeGitHubProcess, type FakeFigures } from './fake-github-process.js';
import { pushCatalogue, repositoryFiles, type Catalogue } from './org-fixture.js';

export interface OrgSweepOptions {
  repositories: number;
  /** One way; a round trip is twice this. */
  latencyMs: number;
  /** Spacing of content-creating requests (GitHub asks for one second; scaled like latency). */
  writeSpacingMs: number;
  concurrency: number;
  /** Print only RSS (the 10,000-repository run). */
  rssOnly?: boolean;
}

const BOT = 'freshbase[bot]';

/** Unique image:tags and image repositories that need a tag list (versioned tags): the floor. */
function registryFloor(host: string, repositories: number, c: Catalogue): number {
  const tags = new Set<string>();
  const listed = new Set<string>();
  for (let r = 0; r < repositories; r++) {
    for (const text of Object.values(repositoryFiles(r, host, c))) {
      const match = /^FROM ([^@\s]+):([\w.]+)(?:@\S+)?$/m.exec(text);
      if (!match) continue;
      tags.add(`${match[1]}:${match[2]}`);
      if (/^\d+\.\d+\.\d+$/.test(match[2]!)) listed.add(match[1]!);
    }
  }
  return tags.size + listed.size;
}

function testProbot(writeSpacingMs: number, baseUrl: string): Probot {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  // Probot's own throttling spaces writes as on GitHub (1 s; 3 s for those that notify people),
  // scaled like the latency. A function, because Probot replaces a plain `throttle` default whole.
  const write = new Bottleneck.Group({ maxConcurrent: 1, minTime: writeSpacingMs });
  const notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * writeSpacingMs });
  const Octokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    retry: { enabled: false },
    throttle: { ...(options.throttle as object), write, notifications },
  }));
  return new Probot({ appId: 1, privateKey, secret: 'bench', Octokit, baseUrl, logLevel: 'fatal' });
}

interface SweepFigures {
  seconds: number;
  github: FakeFigures;
  registryRequests: number;
  peakRssMb: number;
  fakeRssMb: number;
}

export async function benchOrgSweep(registry: TestRegistry, options: OrgSweepOptions): Promise<void> {
  const { repositories, latencyMs } = options;
  const catalogue = await pushCatalogue(registry);
  const gh = await startFakeGitHubProcess({
    botLogin: BOT,
    repositories,
    registryHost: registry.host,
    catalogue,
    roundTripMs: 2 * latencyMs,
  });
  try {
    const client = createRegistryClient({ rules: [registry.hostRule()] });
    const githubCache = createConditionalRequestCache();
    const probot = testProbot(options.writeSpacingMs, gh.url);
    const floor = registryFloor(registry.host, repositories, catalogue);

    const sweep = async (): Promise<SweepFigures> => {
      const before = await gh.figures();
      const registryBefore = client.stats().requests.total;
      let peak = process.memoryUsage().rss;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
      const started = process.hrtime.bigint();
      const io = { stdout: () => {}, stderr: (text: string) => process.stderr.write(`  ${text}`) };
      await runSweep({ FRESHBASE_DATA_DIR: temporaryDataDir() }, io, {
        probot,
        concurrency: options.concurrency,
        registry: client,
        githubCache,
      });
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      peak = Math.max(peak, process.memoryUsage().rss);
      const after = await gh.figures();
      return {
        seconds,
        github: since(before, after),
        registryRequests: client.stats().requests.total - registryBefore,
        peakRssMb: peak / 1e6,
        fakeRssMb: after.rssMb,
      };
    };

    const first = await sweep();
    const unchanged = await sweep();
    if (process.env.BENCH_DEBUG) console.log('counted in the unchanged sweep', unchanged.github.countedBy);
    client.close();
    if (options.rssOnly) {
      console.log(`org sweep, ${repositories} repositories (RSS only; the app's process alone)`);
      console.log(
        `  peak RSS: first ${first.peakRssMb.toFixed(0)} MB, unchanged ${unchanged.peakRssMb.toFixed(0)} MB` +
          ` (the fake GitHub's process: ${unchanged.fakeRssMb.toFixed(0)} MB, not counted)`,
      );
      return;
    }
    console.log(
      `org sweep through the fake GitHub: ${repositories} repositories, ${latencyMs} ms each way,` +
        ` writes spaced ${options.writeSpacingMs} ms, concurrency ${options.concurrency}`,
    );
    for (const [name, f] of [
      ['first', first],
      ['unchanged', unchanged],
    ] as const) {
      const { github } = f;
      const roundTripFloor = (github.total * 2 * latencyMs) / 1000 / options.concurrency;
      const writeFloor = (github.writes * Math.max(options.writeSpacingMs, 2 * latencyMs)) / 1000;
      const wallFloor = Math.max(roundTripFloor, writeFloor);
      console.log(`  ${name} sweep:`);
      console.log(
        `    GitHub requests per repository: ${(github.counted / repositories).toFixed(2)} counted,` +
          ` ${(github.total / repositories).toFixed(2)} total`,
      );
      console.log(`    writes: ${describeWrites(github)}`);
      console.log(
        `    registry requests: ${f.registryRequests}, floor ${floor}: ${(f.registryRequests / floor).toFixed(2)} × floor`,
      );
      console.log(
        `    wall time: ${f.seconds.toFixed(1)} s; floor ${wallFloor.toFixed(1)} s` +
          ` (round trips ${roundTripFloor.toFixed(1)} s, write spacing ${writeFloor.toFixed(1)} s):` +
          ` ${(f.seconds / wallFloor).toFixed(2)} × floor`,
      );
      console.log(
        `    peak RSS: ${f.peakRssMb.toFixed(0)} MB (the app's process alone; the fake GitHub's:` +
          ` ${f.fakeRssMb.toFixed(0)} MB)`,
      );
    }
  } finally {
    await gh.stop();
  }
}

/** The fake's counters over one sweep. */
function since(before: FakeFigures, after: FakeFigures): FakeFigures {
  const countedBy: Record<string, number> = {};
  for (const [key, n] of Object.entries(after.countedBy)) {
    const d = n - (before.countedBy[key] ?? 0);
    if (d !== 0) countedBy[key] = d;
  }
  return {
    counted: after.counted - before.counted,
    total: after.total - before.total,
    writes: after.writes - before.writes,
    labelCreations: after.labelCreations - before.labelCreations,
    pulls: after.pulls - before.pulls,
    countedBy,
    rssMb: after.rssMb,
  };
}

/** Writes per new PR with the label creations (once per repository, as the issue allows) apart. */
function describeWrites(github: FakeFigures): string {
  const { writes, labelCreations, pulls } = github;
  if (pulls === 0) return `${writes} (no new PRs)`;
  const perPull = (writes - labelCreations) / pulls;
  return (
    `${writes} for ${pulls} new PRs: ${perPull.toFixed(2)} per PR + ${labelCreations} label creations` +
    ` (once per repository)`
  );
}
