// An org-wide `freshbase sweep` through the fake GitHub (with simulated latency and GitHub's write
// spacing scaled down alike) and the real registry on loopback: what a first sweep and an unchanged
// sweep cost in GitHub requests (counted against the rate limit, and all), writes per PR, registry
// requests against their floor, wall time against the floor set by round trips and write spacing,
// and peak RSS. Two sweeps in one process share their caches, as the app's scheduled sweeps do.
import { generateKeyPairSync } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Probot, ProbotOctokit } from 'probot';
import { runSweep } from '../src/cli/sweep.js';
import { createConditionalRequestCache } from '../src/github/conditional-requests.js';
import { createRegistryClient } from '../src/registry/client.js';
import { FakeGitHub } from '../test/support/fake-github.js';
import type { TestRegistry } from '../test/support/registry.js';
import { temporaryDataDir } from '../test/support/state.js';

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

const IMAGES = 10;
const BOT = 'freshbase[bot]';

interface Catalogue {
  /** image index → digest of `:1.0` (an index) and the newest patch tag `1.0.1`. */
  floatingDigest: string[];
  patchDigest: string[];
}

async function pushCatalogue(registry: TestRegistry): Promise<Catalogue> {
  const catalogue: Catalogue = { floatingDigest: [], patchDigest: [] };
  for (let i = 0; i < IMAGES; i++) {
    const index = await registry.pushIndex(`bench/img${i}`, '1.0');
    await registry.pushImage(`bench/img${i}`, '1.0.0', { seed: `img${i}-1.0.0` });
    const patch = await registry.pushImage(`bench/img${i}`, '1.0.1', { seed: `img${i}-1.0.1` });
    catalogue.floatingDigest.push(index.digest);
    catalogue.patchDigest.push(patch.digest);
  }
  return catalogue;
}

/**
 * 70 % of repositories have one to three Dockerfiles. About a third of those (every third with
 * files) use an unpinned or outdated reference and get a PR; the rest are pinned to what the
 * registry has now and need nothing.
 */
function repositoryFiles(r: number, host: string, c: Catalogue): Record<string, string> {
  const files: Record<string, string> = {
    'README.md': `# repo ${r}\n`,
    'src/main.ts': `export const n = ${r};\n`,
  };
  if (r % 10 >= 7) return files;
  const outdated = r % 3 === 0;
  const count = 1 + (r % 3);
  for (let f = 0; f < count; f++) {
    const i = (r + f) % IMAGES;
    const image = `${host}/bench/img${i}`;
    const from =
      f % 2 === 0
        ? outdated
          ? `${image}:1.0`
          : `${image}:1.0@${c.floatingDigest[i]}`
        : outdated
          ? `${image}:1.0.0`
          : `${image}:1.0.1@${c.patchDigest[i]}`;
    files[f === 0 ? 'Dockerfile' : `svc${f}/Dockerfile`] = `FROM ${from}\nRUN echo ${r}\n`;
  }
  return files;
}

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
  counted: number;
  total: number;
  writes: number;
  pullsCreated: number;
  registryRequests: number;
  peakRssMb: number;
}

export async function benchOrgSweep(registry: TestRegistry, options: OrgSweepOptions): Promise<void> {
  const { repositories, latencyMs } = options;
  const catalogue = await pushCatalogue(registry);
  const gh = new FakeGitHub(BOT);
  const server = await gh.http.listen();
  try {
    gh.http.rate.limit = 1_000_000; // pacing is measured apart; here the budget is not the bottleneck
    gh.addInstallation(1, 'bench');
    for (let r = 0; r < repositories; r++) {
      gh.createRepo(`bench/repo${r}`, { files: repositoryFiles(r, registry.host, catalogue) });
    }
    gh.http.latencyMs = 2 * latencyMs;
    const client = createRegistryClient({ rules: [registry.hostRule()] });
    const githubCache = createConditionalRequestCache();
    const probot = testProbot(options.writeSpacingMs, server.url);
    const floor = registryFloor(registry.host, repositories, catalogue);

    const sweep = async (): Promise<SweepFigures> => {
      const before = {
        counted: gh.http.rate.counted,
        total: gh.http.log.length,
        writes: writesIn(gh.http.log),
        pulls: pullCount(gh),
        registry: client.stats().requests.total,
      };
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
      return {
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        counted: gh.http.rate.counted - before.counted,
        total: gh.http.log.length - before.total,
        writes: writesIn(gh.http.log) - before.writes,
        pullsCreated: pullCount(gh) - before.pulls,
        registryRequests: client.stats().requests.total - before.registry,
        peakRssMb: Math.max(peak, process.memoryUsage().rss) / 1e6,
      };
    };

    const first = await sweep();
    const countedBefore = { ...gh.http.rate.countedBy };
    const unchanged = await sweep();
    if (process.env.BENCH_DEBUG) {
      const diff = Object.entries(gh.http.rate.countedBy).map(([k, v]) => [k, v - (countedBefore[k] ?? 0)]);
      console.log('counted in the unchanged sweep', Object.fromEntries(diff.filter(([, v]) => v !== 0)));
    }
    client.close();
    if (options.rssOnly) {
      console.log(`org sweep, ${repositories} repositories (RSS only; the fake GitHub's state included)`);
      console.log(
        `  peak RSS: first ${first.peakRssMb.toFixed(0)} MB, unchanged ${unchanged.peakRssMb.toFixed(0)} MB`,
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
      const roundTripFloor = (f.total * 2 * latencyMs) / 1000 / options.concurrency;
      const writeFloor = (f.writes * Math.max(options.writeSpacingMs, 2 * latencyMs)) / 1000;
      const wallFloor = Math.max(roundTripFloor, writeFloor);
      console.log(`  ${name} sweep:`);
      console.log(
        `    GitHub requests per repository: ${(f.counted / repositories).toFixed(2)} counted,` +
          ` ${(f.total / repositories).toFixed(2)} total`,
      );
      console.log(
        `    writes: ${f.writes} for ${f.pullsCreated} new PRs` +
          (f.pullsCreated > 0 ? ` (${(f.writes / f.pullsCreated).toFixed(2)} per PR)` : ''),
      );
      console.log(
        `    registry requests: ${f.registryRequests}, floor ${floor}: ${(f.registryRequests / floor).toFixed(2)} × floor`,
      );
      console.log(
        `    wall time: ${f.seconds.toFixed(1)} s; floor ${wallFloor.toFixed(1)} s` +
          ` (round trips ${roundTripFloor.toFixed(1)} s, write spacing ${writeFloor.toFixed(1)} s):` +
          ` ${(f.seconds / wallFloor).toFixed(2)} × floor`,
      );
      console.log(
        `    peak RSS: ${f.peakRssMb.toFixed(0)} MB (the fake GitHub's state is in this process too)`,
      );
    }
  } finally {
    await server.close();
  }
}

function writesIn(log: string[]): number {
  return log.filter((entry) => !entry.startsWith('GET ') && !entry.includes(' /app/')).length;
}

function pullCount(gh: FakeGitHub): number {
  let n = 0;
  for (const repo of gh.repos.values()) n += repo.pulls.length;
  return n;
}
