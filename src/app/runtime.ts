// The app's long-lived services, built from the environment: registry client, job runner, queue
// (in-process, or BullMQ when REDIS_URL is set) and schedule. Startup fails here, before the
// server takes webhooks, when a Freshbase variable is invalid.
import type { Logger, Probot } from 'probot';
import { createRegistryClient } from '../registry/client.js';
import { hostRulesFromEnv } from '../registry/host-rules.js';
import { isDryRun } from '../github/dry-run.js';
import { reconcileRepository } from '../repository/reconcile.js';
import { createGitHubCache } from './github-cache.js';
import { createAppIdentity, listInstallationJobs, type AppIdentity } from './installations.js';
import { createInProcessQueue, type JobQueue, type RepositoryLister } from './queue.js';
import { createJobRunner } from './runner.js';
import { enqueueAllInstallations, readScanCron, startScheduler } from './scheduler.js';

export interface Services {
  queue: JobQueue;
  identity: () => Promise<AppIdentity>;
  /** Stops the schedule, lets running scans finish, closes connections. */
  close(): Promise<void>;
}

/** The registry client logs plain messages; route them to pino. */
function registryLogger(log: Logger) {
  return { debug: (message: string) => log.debug(message), warn: (message: string) => log.warn(message) };
}

export async function startServices(app: Probot, env: NodeJS.ProcessEnv): Promise<Services> {
  const log = app.log.child({ name: 'freshbase' });
  const cron = readScanCron(env);
  const rules = hostRulesFromEnv(env);
  const redisUrl = env.REDIS_URL || undefined;
  const dryRun = isDryRun(env);

  // ioredis is loaded only in Redis mode, so a single-process install never touches it.
  const registryLog = registryLogger(log.child({ name: 'registry' }));
  const cache = redisUrl
    ? (await import('../registry/redis-cache-store.js')).createRedisCacheStore(redisUrl, registryLog)
    : undefined;
  const registry = createRegistryClient({ rules, env, cache, logger: registryLog });
  const github = await createGitHubCache(env, registryLogger(log.child({ name: 'github-cache' })));
  const identity = createAppIdentity(app);
  const runner = createJobRunner({
    app,
    registry,
    reconcile: reconcileRepository,
    identity,
    log,
    dryRun,
    githubCache: github.cache,
  });

  let queue: JobQueue;
  const sweep = () => enqueueAllInstallations(app, queue, log);
  const listRepositories: RepositoryLister = (job) =>
    listInstallationJobs(app, job.installationId, job.reason, job.requestedAt);
  let distributed: { scheduleSweep(pattern: string | null): Promise<void> } | undefined;
  if (redisUrl) {
    const { createRedisQueue } = await import('./redis-queue.js');
    const redisQueue = createRedisQueue({ url: redisUrl, runner, listRepositories, log, sweep });
    queue = redisQueue;
    distributed = redisQueue;
  } else {
    queue = createInProcessQueue({ runner, listRepositories, log });
  }
  const scheduler = await startScheduler({ cron, sweep, log, distributed });

  log.info(
    {
      dryRun,
      queue: redisUrl ? 'redis' : 'in-process',
      schedule: cron ?? 'off',
      registryRules: rules.length,
    },
    'Freshbase services started',
  );
  return {
    queue,
    identity,
    async close() {
      await scheduler.stop();
      await queue.close();
      await cache?.close();
      await github.close();
    },
  };
}
