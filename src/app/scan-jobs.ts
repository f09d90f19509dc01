// The scan job as the server (runtime.ts) and `freshbase sweep` both run it: one wiring of the
// attestation reader, the GitHub read cache (in Redis when REDIS_URL is set), the app's identity
// and the repository reconcile around the job runner.
import type { Logger, Probot } from 'probot';
import { AttestationReader } from '../attestations/read.js';
import type { ConditionalRequestCache } from '../github/conditional-requests.js';
import type { RateBudget } from '../github/rate-budget.js';
import { createServerFeatures } from '../github/server-features.js';
import type { RegistryClient } from '../registry/client.js';
import type { StateStore } from '../state/types.js';
import { reconcileRepository } from '../repository/reconcile.js';
import { createGitHubCache } from './github-cache.js';
import { createAppIdentity, type AppIdentity } from './installations.js';
import type { ScanJob } from './queue.js';
import { createJobRunner, type JobOutcome, type Reconcile } from './runner.js';

export interface ScanJobOptions {
  app: Probot;
  env: NodeJS.ProcessEnv;
  log: Logger;
  registry: RegistryClient;
  /** FRESHBASE_DRY_RUN: jobs plan and log, and write nothing to GitHub. */
  dryRun: boolean;
  /** The repository reconcile; tests replace it. */
  reconcile?: Reconcile;
  /** A GitHub read cache shared with earlier runs (benchmarks); by default one built from env. */
  githubCache?: ConditionalRequestCache;
  /** Records each installation's rate limit (a sweep paces on it). */
  rateBudget?: RateBudget;
}

export interface ScanJobs {
  /**
   * The job runner (never throws: see createJobRunner), once the state store exists: in Redis
   * mode it uses the queue's connection, so the server makes it after the queue.
   */
  runner(state: StateStore): (job: ScanJob) => Promise<JobOutcome>;
  identity: () => Promise<AppIdentity>;
  /** Closes the GitHub cache's connection when it was built here. */
  close(): Promise<void>;
}

export async function createScanJobs(options: ScanJobOptions): Promise<ScanJobs> {
  const { app, log, registry } = options;
  const github = options.githubCache
    ? { cache: options.githubCache, serverFeatures: createServerFeatures(), close: async () => {} }
    : await createGitHubCache(options.env, log.child({ name: 'github-cache' }));
  const identity = createAppIdentity(app);
  const runner = (state: StateStore) =>
    createJobRunner({
      app,
      registry,
      state,
      attestations: new AttestationReader(registry),
      reconcile: options.reconcile ?? reconcileRepository,
      identity,
      log,
      dryRun: options.dryRun,
      githubCache: github.cache,
      serverFeatures: github.serverFeatures,
      rateBudget: options.rateBudget,
    });
  return { runner, identity, close: () => github.close() };
}
