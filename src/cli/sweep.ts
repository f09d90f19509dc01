// `freshbase sweep`: one pass over every repository of every installation, for operators who drive
// Freshbase from an external cron. Without REDIS_URL it scans them in this process (no server, no
// queue); with REDIS_URL it puts their jobs on the queue the app's replicas share and waits for
// the replicas' results (see sweep-queue.ts). Either way it prints the same summary.
//
// Exit code: 0 when every repository was scanned, even if some image lookups failed (those are
// in the reports and retried next time); 1 when the sweep could not complete (GitHub auth or
// listing failed, a repository's job crashed, or no result came in time); 2 when the app's
// environment is incomplete or a Freshbase variable is invalid.
import type { Logger, Probot } from 'probot';
import { repositoryKey, type ScanJob, type ScanResult } from '../app/queue.js';
import type { Reconcile } from '../app/runner.js';
import { createScanJobs } from '../app/scan-jobs.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { ConditionalRequestCache } from '../github/conditional-requests.js';
import { createRateBudget, readSweepShare } from '../github/rate-budget.js';
import type { RegistryClient } from '../registry/client.js';
import { connectApp, listFleet, type AppEnvironment } from './app-environment.js';
import { processIo, type CliIo } from './io.js';
import { errorMessage } from '../errors.js';
import { createSweepPacer, readSweepSpread, waitForTurn } from '../app/sweep-pacer.js';

export interface SweepOverrides {
  reconcile?: Reconcile;
  /** A ready Probot (tests); by default one is built from env like Probot's own `run`. */
  probot?: Probot;
  concurrency?: number;
  /** Shared with earlier sweeps in this process (benchmarks); by default built from env. */
  registry?: RegistryClient;
  githubCache?: ConditionalRequestCache;
  /** The shared queue's name with REDIS_URL (tests give each run its own). */
  queueName?: string;
}

const DEFAULT_CONCURRENCY = 4;
/** Default of FRESHBASE_SWEEP_TIMEOUT, in seconds. */
const DEFAULT_SWEEP_TIMEOUT_S = 60;

/**
 * FRESHBASE_SWEEP_TIMEOUT: how long (seconds) a sweep on the shared queue waits without a new
 * result while no job runs, before it says so and gives up. Throws, naming the variable, when invalid.
 */
function readSweepTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = env.FRESHBASE_SWEEP_TIMEOUT?.trim();
  if (!value) return DEFAULT_SWEEP_TIMEOUT_S * 1000;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || !/^\d+(\.\d+)?$/.test(value))
    throw new Error(`FRESHBASE_SWEEP_TIMEOUT must be a number of seconds above 0, got "${value}"`);
  return seconds * 1000;
}

/** What the sweep's variables say, read before anything connects. */
interface SweepSettings {
  share: number;
  spreadMs: number;
  timeoutMs: number;
  concurrency: number;
}

/** Zero or NaN workers would scan nothing and still report success. */
function readConcurrency(concurrency = DEFAULT_CONCURRENCY): number {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a whole number of at least 1, not ${concurrency}`);
  return concurrency;
}

/**
 * What the summary prints, added up as results come in: a sweep keeps no result per repository
 * (10,000 of them, for a large org). Failures keep the listing's order.
 */
interface Tally {
  repositories: number;
  /** Each count of a repository's result, summed. */
  totals: Omit<ScanResult, 'ok' | 'error'>;
  failed: Array<{ index: number; line: string }>;
}

function newTally(): Tally {
  const totals = { updates: 0, lookupErrors: 0, deferred: 0, created: 0, updated: 0, closed: 0 };
  return { repositories: 0, totals, failed: [] };
}

/** Adds the result of the listing's `index`-th repository; null when none came (the shared queue timed out). */
function tallyResult(tally: Tally, index: number, job: ScanJob, result: ScanResult | null): void {
  tally.repositories++;
  if (!result?.ok) {
    const why = result ? result.error : 'no result (its job is still queued)';
    tally.failed.push({ index, line: `${job.owner}/${job.repo}: ${why}` });
    return;
  }
  const { totals } = tally;
  totals.updates += result.updates;
  totals.lookupErrors += result.lookupErrors;
  totals.deferred += result.deferred;
  totals.created += result.created;
  totals.updated += result.updated;
  totals.closed += result.closed;
}

export async function runSweep(
  env: NodeJS.ProcessEnv,
  io: CliIo = processIo,
  overrides: SweepOverrides = {},
): Promise<number> {
  let settings: SweepSettings;
  try {
    settings = {
      share: readSweepShare(env),
      // Run from an external cron, the sweep knows no interval: spread only when asked to.
      spreadMs: readSweepSpread(env) ?? 0,
      timeoutMs: readSweepTimeoutMs(env),
      concurrency: readConcurrency(overrides.concurrency),
    };
  } catch (error) {
    io.stderr(`freshbase sweep: ${errorMessage(error)}\n`);
    return 2;
  }
  const connected = await connectApp('sweep', env, io, overrides.probot);
  if (!connected) return 2;
  try {
    return await sweep(env, io, connected, settings, overrides);
  } finally {
    await connected.state.close();
  }
}

async function sweep(
  env: NodeJS.ProcessEnv,
  io: CliIo,
  connected: AppEnvironment,
  settings: SweepSettings,
  overrides: SweepOverrides,
): Promise<number> {
  const { app, dryRun } = connected;
  const log = app.log.child({ name: 'sweep' });
  const started = Date.now();
  const redisUrl = env.REDIS_URL || undefined;
  // The replicas write as their own environment says: a dry run is only sure in this process.
  if (redisUrl && dryRun) log.info('dry run: sweeping in this process, not on the shared queue');

  let tally: Tally;
  let timedOut: string | null = null;
  let installationCount: number;
  let incomplete: number;
  if (redisUrl && !dryRun) {
    const listing = await listFleet('sweep', app, io, started);
    if (!listing) return 1;
    ({ installations: installationCount, incomplete } = listing);
    const { jobs } = listing;
    const options = { url: redisUrl, jobs, requestedAt: started, log, name: overrides.queueName };
    const { timeoutMs, spreadMs } = settings;
    // BullMQ and ioredis are loaded only here: a sweep in this process does without them (~25 MB).
    const { sweepOnQueue } = await import('./sweep-queue.js');
    const onQueue = await sweepOnQueue({ ...options, timeoutMs, spreadMs });
    tally = newTally();
    jobs.forEach((job, index) =>
      tallyResult(tally, index, job, onQueue.results.get(repositoryKey(job)) ?? null),
    );
    timedOut = onQueue.timedOut;
  } else {
    const inProcess = await sweepInProcess(env, io, connected, { log, started, settings, overrides });
    if (!inProcess) return 1;
    ({ tally, installations: installationCount, incomplete } = inProcess);
  }

  const { totals } = tally;
  const failed = tally.failed.sort((a, b) => a.index - b.index).map(({ line }) => line);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.stdout(
    `swept ${tally.repositories} repositories in ${installationCount} installations in ${seconds}s: ` +
      `${tally.repositories - failed.length} scanned, ${failed.length} failed; ` +
      `${totals.updates} updates, ${totals.created} PRs created, ${totals.updated} updated, ` +
      `${totals.closed} closed; ${totals.lookupErrors} image lookups failed` +
      (totals.deferred > 0 ? `, ${totals.deferred} deferred to the next sweep (registry pull budget)` : '') +
      `${dryRun ? ' (dry run: nothing was written to GitHub)' : ''}\n`,
  );
  if (timedOut) io.stderr(`freshbase sweep: ${timedOut}\n`);
  for (const line of failed) io.stderr(`freshbase sweep: ${line}\n`);
  if (incomplete > 0) io.stderr(`freshbase sweep: ${incomplete} installations could not be listed\n`);
  return failed.length > 0 || incomplete > 0 ? 1 : 0;
}

interface InProcessSweep {
  tally: Tally;
  installations: number;
  incomplete: number;
}

/**
 * Scans every repository here, a few at a time, paced by the installations' rate-limit budgets
 * (and spread when asked to). Null when the fleet could not be listed (already said on io).
 */
async function sweepInProcess(
  env: NodeJS.ProcessEnv,
  io: CliIo,
  connected: AppEnvironment,
  context: { log: Logger; started: number; settings: SweepSettings; overrides: SweepOverrides },
): Promise<InProcessSweep | null> {
  const { log, started, settings, overrides } = context;
  const { app, dryRun, state } = connected;
  const budget = createRateBudget(settings.share);
  // With REDIS_URL the GitHub cache's ETags outlive this process, so the next sweep's reads can be 304s.
  const scans = await createScanJobs({
    app,
    env,
    log,
    registry: overrides.registry ?? connected.registry,
    dryRun,
    reconcile: overrides.reconcile,
    githubCache: overrides.githubCache,
    rateBudget: budget,
  });
  try {
    const run = scans.runner(state);
    const listing = await listFleet('sweep', app, io, started);
    if (!listing) return null;
    const { jobs } = listing;
    const { share, spreadMs } = settings;
    const pacer = createSweepPacer({ budget, share, spreadMs, startedAt: started, log });
    // A few workers take the repositories in order: what waits is an index into the listing, not a
    // pending promise and closure per repository (10,000 of them, for a large org).
    const tally = newTally();
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (let index = next++; index < jobs.length; index = next++) {
        const job = jobs[index]!;
        const slot = pacer.slotAt(index, jobs.length);
        await waitForTurn(pacer, job.installationId, slot, () => jobs.length - done, delay);
        const outcome = await run(job);
        done++;
        tallyResult(tally, index, job, outcome.result ?? null);
      }
    };
    const workers = Math.min(settings.concurrency, jobs.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return { tally, installations: listing.installations, incomplete: listing.incomplete };
  } finally {
    await scans.close();
  }
}
