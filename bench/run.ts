// Benchmarks: figures, not assertions. `npm run bench` compiles this with the sources and runs it.
//  1. extraction on the project's fixture Dockerfiles (or the folder given as argument): images and
//     skips found, files/s, memory;
//  2. an org-wide sweep against the real registry on loopback: repositories scanned concurrently
//     with one shared registry client, HTTP requests vs lookups asked for vs unique lookups;
//  3. forged webhook deliveries: peak RSS under oversized bodies, log bytes per bad signature.
// It runs under the app's V8 flags (bin/freshbase.js's, see test/support/node-flags.ts): started
// without them, it runs itself again with them (flags given to node after them win).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseConfigYaml } from '../src/config/load.js';
import { extractImages } from '../src/dockerfile/extract.js';
import type { RepoFile } from '../src/plan/types.js';
import { scanRepository } from '../src/repository/scan.js';
import { createRegistryClient } from '../src/registry/client.js';
import { benchWebhookFlood } from './webhook-flood.js';
import { readDockerfiles } from '../test/support/extraction-invariants.js';
import { launcherNodeFlags } from '../test/support/node-flags.js';
import { startRegistry } from '../test/support/registry.js';
import { temporaryStateStore } from '../test/support/state.js';
import { benchOrgSweep } from './org-sweep.js';

const appFlags = launcherNodeFlags(process.cwd());
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
if (!appFlags.every((flag) => given.includes(flag))) {
  const args = [...appFlags, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

function benchExtraction(dir: string): void {
  const { files } = readDockerfiles(dir);
  const sources: Record<string, number> = {};
  const skips: Record<string, number> = {};
  let images = 0;
  for (const { name, text } of files) {
    const result = extractImages(name, text);
    images += result.images.length;
    for (const use of result.images) sources[use.source] = (sources[use.source] ?? 0) + 1;
    for (const skip of result.skipped) skips[skip.reason] = (skips[skip.reason] ?? 0) + 1;
  }
  const rounds = Math.max(30, Math.ceil(3000 / files.length));
  const started = process.hrtime.bigint();
  for (let round = 0; round < rounds; round++) for (const { name, text } of files) extractImages(name, text);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`extraction on ${path.relative(process.cwd(), dir) || dir}`);
  console.log(`  files: ${files.length}, images: ${images}`, { sources, skips });
  console.log(
    `  speed: ${Math.round((files.length * rounds) / seconds)} files/s over ${rounds} rounds;` +
      ` rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
  );
}

/** Hostile input of about 1 MiB must not stall the event loop the webhooks share. */
function benchHostile(): void {
  const cases: Array<[string, string]> = [
    ['100k flags on one COPY', `FROM a\nCOPY ${'--from=b '.repeat(100_000)}/ /\n`],
    ['1 MiB of continuation lines', `FROM a\nRUN ${'x \\\n'.repeat(250_000)}y\n`],
    ['20k stages', Array.from({ length: 20_000 }, (_, i) => `FROM a AS s${i}\n`).join('')],
    [
      'ARG doubling chain',
      `ARG A0=x\n${Array.from({ length: 40 }, (_, i) => `ARG A${i + 1}=$A${i}$A${i}\n`).join('')}FROM alpine\nFROM img:$A40\n`,
    ],
  ];
  console.log('hostile input (worst single extraction)');
  for (const [name, text] of cases) {
    const started = process.hrtime.bigint();
    const result = extractImages('Dockerfile', text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const outcome = result.skipped[0]?.reason ?? `${result.images.length} images`;
    console.log(`  ${name} (${(text.length / 1024).toFixed(0)} KiB): ${ms.toFixed(1)} ms → ${outcome}`);
  }
}

async function benchSweep(): Promise<void> {
  const registry = await startRegistry();
  try {
    const imageCount = 10;
    const repositories = 100;
    for (let i = 0; i < imageCount; i++) {
      await registry.pushIndex(`bench/img${i}`, '1.0');
      await registry.pushImage(`bench/img${i}`, '1.0.0', { seed: `img${i}-1.0.0` });
      await registry.pushImage(`bench/img${i}`, '1.0.1', { seed: `img${i}-1.0.1` });
    }
    const config = parseConfigYaml('');
    if (!config.ok) throw new Error('default config invalid');
    const client = createRegistryClient({ rules: [registry.hostRule()] });
    // Every scan records first-seen times in the default (file) store, as the app does.
    const state = temporaryStateStore();
    const image = (i: number) => `${registry.host}/bench/img${i % imageCount}`;
    // Each repository: two Dockerfiles, four image uses drawn from the same ten images.
    const repoFiles = (r: number): RepoFile[] => [
      { path: 'Dockerfile', content: `FROM ${image(r)}:1.0 AS build\nFROM ${image(r + 1)}:1.0.0\n` },
      { path: 'worker/Dockerfile', content: `FROM ${image(r + 2)}:1.0\nCOPY --from=${image(r)}:1.0 /a /a\n` },
    ];
    const started = process.hrtime.bigint();
    const scans = await Promise.all(
      Array.from({ length: repositories }, (_, r) =>
        scanRepository({
          repoFullName: `bench/repo${r}`,
          files: repoFiles(r),
          config: config.config,
          registry: client,
          state,
          now: new Date(),
        }),
      ),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stats = client.stats();
    const sum = (f: (s: (typeof scans)[number]) => number) => scans.reduce((n, s) => n + f(s), 0);
    console.log('org sweep against the local registry (one shared client)');
    console.log(
      `  repositories: ${repositories}, image uses: ${sum((s) => s.extracted.reduce((m, e) => m + e.images.length, 0))},` +
        ` updates planned: ${sum((s) => s.updates.length)}, errors: ${sum((s) => s.errors.length)}`,
    );
    console.log(
      `  lookups asked: ${stats.lookups.total}, unique: ${stats.lookups.unique},` +
        ` cached: ${stats.lookups.cached}, coalesced: ${stats.lookups.coalesced}`,
    );
    console.log(`  HTTP requests: ${stats.requests.total}`, stats.requests.byKind);
    console.log(
      `  wall time: ${(seconds * 1000).toFixed(0)} ms; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
    client.close();
  } finally {
    await registry.stop();
  }
}

/**
 * GitHub's round trip is ~50 ms and its write spacing 1 s; here both are scaled by 1/25: a 2 ms
 * round trip and 40 ms spacing. Writes go one at a time (GitHub asks for that), so each costs at
 * least its round trip plus the client's own overhead (Probot's throttling adds ~10 ms of timer
 * hops per request); keeping GitHub's 1:20 ratio of round trip to spacing keeps that cost as
 * small a part of the spacing as it is on GitHub. (With 10 ms and 20 ms a serial write took
 * 20–30 ms, and the bench measured its own scaling, not the sweep.) BENCH_ORG_REPOS=n runs only
 * the org sweep, at n repositories; BENCH_ORG_10K=1 adds the RSS-only run at 10,000 (many minutes
 * on a shared 2-core machine), BENCH_ORG_10K=only runs nothing else.
 */
async function benchOrgSweeps(): Promise<void> {
  const only = process.env.BENCH_ORG_REPOS ? Number(process.env.BENCH_ORG_REPOS) : undefined;
  const registry = await startRegistry();
  console.log(`org sweeps run under: node ${process.execArgv.join(' ')}`);
  try {
    const run = { latencyMs: 1, writeSpacingMs: 40, concurrency: 8 };
    const only10k = process.env.BENCH_ORG_10K === 'only';
    if (!only10k) await benchOrgSweep(registry, { ...run, repositories: only ?? 1000 });
    if (process.env.BENCH_ORG_10K) {
      const rssRun = { repositories: 10_000, latencyMs: 0, writeSpacingMs: 0, rssOnly: true };
      await benchOrgSweep(registry, { ...run, ...rssRun });
    }
  } finally {
    await registry.stop();
  }
}

if (process.env.BENCH_ORG_REPOS || process.env.BENCH_ORG_10K === 'only') {
  await benchOrgSweeps();
  process.exit(0);
}

benchExtraction(path.resolve(process.argv[2] ?? 'fixtures/dockerfile/shapes'));
benchHostile();
await benchSweep();
await benchOrgSweeps();
await benchWebhookFlood();
