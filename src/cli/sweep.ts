// `freshbase sweep`: one pass over every repository of every installation, run directly (no
// server, no queue), for operators who drive Freshbase from an external cron.
//
// Exit code: 0 when every repository was scanned, even if some image lookups failed (those are
// in the reports and retried next time); 1 when the sweep could not complete (GitHub auth or
// listing failed, or a repository's job crashed); 2 when the app's environment is incomplete.
import pLimit from 'p-limit';
import type { Probot } from 'probot';
import type { Reconcile } from '../app/runner.js';
import { createScanJobs } from '../app/scan-jobs.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { ConditionalRequestCache } from '../github/conditional-requests.js';
import { createRateBudget, readSweepShare } from '../github/rate-budget.js';
import type { RegistryClient } from '../registry/client.js';
import { connectApp, listFleet } from './app-environment.js';
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
}

const DEFAULT_CONCURRENCY = 4;

export async function runSweep(
  env: NodeJS.ProcessEnv,
  io: CliIo = processIo,
  overrides: SweepOverrides = {},
): Promise<number> {
  let share: number;
  let spreadMs: number;
  try {
    share = readSweepShare(env);
    // Run from an external cron, the sweep knows no interval: spread only when asked to.
    spreadMs = readSweepSpread(env) ?? 0;
  } catch (error) {
    io.stderr(`freshbase sweep: ${errorMessage(error)}\n`);
    return 2;
  }
  const connected = await connectApp('sweep', env, io, overrides.probot);
  if (!connected) return 2;
  const { app, dryRun, state } = connected;
  const registry = overrides.registry ?? connected.registry;
  const log = app.log.child({ name: 'sweep' });
  const started = Date.now();
  const budget = createRateBudget(share);
  // With REDIS_URL the GitHub cache's ETags outlive this process, so the next sweep's reads can be 304s.
  const scans = await createScanJobs({
    app,
    env,
    log,
    registry,
    dryRun,
    reconcile: overrides.reconcile,
    githubCache: overrides.githubCache,
    rateBudget: budget,
  });

  const run = scans.runner(state);

  const listing = await listFleet('sweep', app, io, started);
  if (!listing) {
    await scans.close();
    await state.close();
    return 1;
  }
  const { jobs, installations: installationCount, incomplete } = listing;

  const pacer = createSweepPacer({ budget, share, spreadMs, startedAt: started, log });
  const limit = pLimit(overrides.concurrency ?? DEFAULT_CONCURRENCY);
  let done = 0;
  const outcomes = await Promise.all(
    jobs.map((job, index) =>
      limit(async () => {
        const slot = pacer.slotAt(index, jobs.length);
        await waitForTurn(pacer, job.installationId, slot, () => jobs.length - done, delay);
        const outcome = await run(job);
        done++;
        return { job, outcome };
      }),
    ),
  );

  const totals = { updates: 0, lookupErrors: 0, deferred: 0, created: 0, updated: 0, closed: 0 };
  const crashed: string[] = [];
  for (const { job, outcome } of outcomes) {
    if (!outcome.ok) {
      crashed.push(`${job.owner}/${job.repo}: ${outcome.error}`);
      continue;
    }
    totals.updates += outcome.report.updates;
    totals.lookupErrors += outcome.report.errors;
    totals.deferred += outcome.report.deferred;
    totals.created += outcome.report.pullRequests.created;
    totals.updated += outcome.report.pullRequests.updated;
    totals.closed += outcome.report.pullRequests.closed;
  }
  await scans.close();
  await state.close();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  io.stdout(
    `swept ${outcomes.length} repositories in ${installationCount} installations in ${seconds}s: ` +
      `${outcomes.length - crashed.length} scanned, ${crashed.length} failed; ` +
      `${totals.updates} updates, ${totals.created} PRs created, ${totals.updated} updated, ` +
      `${totals.closed} closed; ${totals.lookupErrors} image lookups failed` +
      (totals.deferred > 0 ? `, ${totals.deferred} deferred to the next sweep (registry pull budget)` : '') +
      `${dryRun ? ' (dry run: nothing was written to GitHub)' : ''}\n`,
  );
  for (const line of crashed) io.stderr(`freshbase sweep: ${line}\n`);
  if (incomplete > 0) io.stderr(`freshbase sweep: ${incomplete} installations could not be listed\n`);
  return crashed.length > 0 || incomplete > 0 ? 1 : 0;
}
