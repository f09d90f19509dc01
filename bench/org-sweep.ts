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

/**
 * The registry's floor for the org: one HEAD per image:tag the Dockerfiles name and one tag list
 * per image repository that needs tags (versioned tags) — all an unchanged sweep, or a pinned
 * digest its tag still names, must ask. A first sweep also reads each digest a PR writes: a
 * verified lookup GETs it once (its bytes are hashed against the digest that gets pinned) and reads
 * what the PR body explains (for an image its config: platform, labels; for an index its
 * representative child manifest and that child's config). An update from one tag to another also
 * reads the manifest it replaces (its platforms, what changed). Nothing else needs a GET.
 */
interface RegistryFloor {
  heads: number;
  tagLists: number;
  /** The GETs of the digests PRs write (and replace): 3 per index, 2 per image. */
  digestFetches: number;
  indexes: number;
  images: number;
}

function registryFloor(host: string, repositories: number, c: Catalogue): RegistryFloor {
  const tags = new Set<string>();
  const listed = new Set<string>();
  // Digests read for PRs, by image:tag: the bench's `:1.0` tags are indexes, versioned ones images.
  const read = new Set<string>();
  for (let r = 0; r < repositories; r++) {
    for (const text of Object.values(repositoryFiles(r, host, c))) {
      const match = /^FROM ([^@\s]+):([\w.]+)(@\S+)?$/m.exec(text);
      if (!match) continue;
      const [, image, tag, pinned] = match as unknown as [string, string, string, string | undefined];
      tags.add(`${image}:${tag}`);
      if (/^\d+\.\d+\.\d+$/.test(tag)) listed.add(image);
      if (pinned) continue; // pinned to what the registry has now: no PR (see org-fixture.ts)
      if (tag === '1.0') read.add(`${image}:1.0`);
      else read.add(`${image}:1.0.1`).add(`${image}:${tag}`);
    }
  }
  const indexes = [...read].filter((t) => t.endsWith(':1.0')).length;
  const images = read.size - indexes;
  return {
    heads: tags.size,
    tagLists: listed.size,
    digestFetches: 3 * indexes + 2 * images,
    indexes,
    images,
  };
}

/** The registry requests of one sweep by what they were, and how many asked for the same URL again. */
interface RegistryRequests {
  total: number;
  heads: number;
  tagLists: number;
  manifests: number;
  blobs: number;
  tokens: number;
  repeated: number;
}

function classify(exchanges: Array<{ method: string; url: URL }>): RegistryRequests {
  const seen = new Set<string>();
  const counts: RegistryRequests = {
    total: exchanges.length,
    heads: 0,
    tagLists: 0,
    manifests: 0,
    blobs: 0,
    tokens: 0,
    repeated: 0,
  };
  for (const { method, url } of exchanges) {
    const key = `${method} ${url.href}`;
    if (seen.has(key)) counts.repeated++;
    seen.add(key);
    if (method === 'HEAD') counts.heads++;
    else if (url.pathname.endsWith('/tags/list')) counts.tagLists++;
    else if (url.pathname.includes('/manifests/')) counts.manifests++;
    else if (url.pathname.includes('/blobs/')) counts.blobs++;
    else counts.tokens++;
  }
  return counts;
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
  registry: RegistryRequests;
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
    let exchanges: Array<{ method: string; url: URL }> = [];
    const client = createRegistryClient({
      rules: [registry.hostRule()],
      onExchange: ({ method, url }) => exchanges.push({ method, url }),
    });
    const githubCache = createConditionalRequestCache();
    const probot = testProbot(options.writeSpacingMs, gh.url);
    const floor = registryFloor(registry.host, repositories, catalogue);

    const sweep = async (): Promise<SweepFigures> => {
      const before = await gh.figures();
      exchanges = [];
      // memoryUsage.rss() reads only the RSS (memoryUsage() also walks the heap: CPU in the sweep).
      let peak = process.memoryUsage.rss();
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
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
      peak = Math.max(peak, process.memoryUsage.rss());
      const after = await gh.figures();
      return {
        seconds,
        github: since(before, after),
        registry: classify(exchanges),
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
      if (github.writes > 1) {
        const idle = idleBetweenWrites(github.writeTimes, options.writeSpacingMs);
        console.log(
          `    write spacing unused: ${(idle.total / 1000).toFixed(1)} s between consecutive writes` +
            ` (longest ${(idle.longest / 1000).toFixed(2)} s)`,
        );
      }
      console.log(`    registry requests: ${describeRegistry(f.registry, floor, name === 'first')}`);
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

/**
 * Registry requests by kind against the strict floor and, for a first sweep, against the floor
 * plus the one-time verified fetches of the digests its PRs write.
 */
function describeRegistry(r: RegistryRequests, floor: RegistryFloor, first: boolean): string {
  const strict = floor.heads + floor.tagLists;
  const kinds =
    `${r.heads} HEAD, ${r.tagLists} tag lists, ${r.manifests} manifest GETs, ${r.blobs} config GETs` +
    (r.tokens > 0 ? `, ${r.tokens} other` : '') +
    `; ${r.repeated} asked twice`;
  const lines = [
    `${r.total} (${kinds})`,
    `      strict floor ${strict} (${floor.heads} HEAD per image:tag + ${floor.tagLists} tag lists):` +
      ` ${(r.total / strict).toFixed(2)} × floor`,
  ];
  if (first) {
    const withDigests = strict + floor.digestFetches;
    lines.push(
      `      floor + the verified fetches of digests written into PRs ${withDigests}` +
        ` (+${floor.digestFetches}: ${floor.indexes} indexes × 3 [index, representative child` +
        ` manifest, its config], ${floor.images} images × 2 [manifest, config]):` +
        ` ${(r.total / withDigests).toFixed(2)} × that`,
    );
  }
  return lines.join('\n');
}

/** Time between consecutive writes beyond the spacing: the write pipeline waiting for work. */
function idleBetweenWrites(times: number[], spacingMs: number): { total: number; longest: number } {
  let total = 0;
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    const idle = Math.max(0, times[i]! - times[i - 1]! - spacingMs);
    total += idle;
    longest = Math.max(longest, idle);
  }
  return { total, longest };
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
    writeTimes: after.writeTimes.slice(before.writeTimes.length),
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
