// The app's long-lived services, built from the environment: registry client, job runner, queue
// (in-process, or BullMQ when REDIS_URL is set), schedule and the metrics they report to. Startup fails here, before the
// server takes webhooks, when a Freshbase variable is invalid or the webhook secret is missing.
import type { Logger, Probot } from 'probot';
import { createRegistryClient } from '../registry/client.js';
import { hostRulesFromEnv } from '../registry/host-rules.js';
import { isDryRun } from '../github/dry-run.js';
import { listInstallationJobs, type AppIdentity } from './installations.js';
import { createMetrics, type Metrics } from './metrics.js';
import type { RedisJobQueue } from './redis-queue.js';
import {
  createInProcessQueue,
  type JobQueue,
  type RepositoryLister,
  type RetryPolicy,
  type ScanJob,
} from './queue.js';
import { createScanJobs } from './scan-jobs.js';
import { enqueueAllInstallations, readScanCron, startScheduler } from './scheduler.js';
import { queueStatsWithin } from './service-routes.js';
import { createFileStateStore } from '../state/file-store.js';
import { dataDirectory } from '../state/open.js';
import { createRedisStateStore } from '../state/redis-store.js';
import type { JobOutcome } from './runner.js';
import { createRateBudget, readSweepShare } from '../github/rate-budget.js';
import {
  createSweepPacer,
  defaultScheduledSpread,
  readSweepSpread,
  type SweepPacing,
} from './sweep-pacer.js';

export interface Services {
  queue: JobQueue;
  metrics: Metrics;
  identity: () => Promise<AppIdentity>;
  /** Stops the schedule, lets running scans finish, closes connections. */
  close(): Promise<void>;
}

/** The registry client logs plain messages; route them to pino. */
function registryLogger(log: Logger) {
  return { debug: (message: string) => log.debug(message), warn: (message: string) => log.warn(message) };
}

/** Probot's fallback secret: public, so a delivery signed with it proves nothing. */
const PROBOT_DEFAULT_SECRET = 'development';

/**
 * Why the webhook secret leaves the server open, or null. Only the running app is checked: the
 * setup flow (no APP_ID or key yet) is what writes WEBHOOK_SECRET.
 */
export function webhookSecretProblem(env: NodeJS.ProcessEnv): string | null {
  const secret = env.WEBHOOK_SECRET;
  if (secret && secret !== PROBOT_DEFAULT_SECRET) return null;
  return (
    `WEBHOOK_SECRET is ${secret ? `Probot's public default "${PROBOT_DEFAULT_SECRET}"` : 'not set'}: ` +
    'anyone could send this app deliveries it would accept. Set it to the webhook secret of the ' +
    "GitHub App (the app's settings, or the .env the setup flow wrote)."
  );
}

export interface ServiceOptions {
  /** The metrics the GitHub client already reports to (see serviceOctokit); a new set by default. */
  metrics?: Metrics;
  /** How jobs that met an unavailable GitHub are retried (tests shorten it). */
  retry?: RetryPolicy;
}

export async function startServices(
  app: Probot,
  env: NodeJS.ProcessEnv,
  options: ServiceOptions = {},
): Promise<Services> {
  const metrics = options.metrics ?? createMetrics();
  const secretProblem = webhookSecretProblem(env);
  if (secretProblem) throw new Error(secretProblem);
  const log = app.log.child({ name: 'freshbase' });
  const cron = readScanCron(env);
  const share = readSweepShare(env);
  // The scheduled sweep starts its repositories over half the time to the next one, by default.
  const spreadMs = readSweepSpread(env) ?? (cron ? defaultScheduledSpread(cron) : 0);
  const rules = hostRulesFromEnv(env);
  const redisUrl = env.REDIS_URL || undefined;
  const dryRun = isDryRun(env);

  // ioredis is loaded only in Redis mode, so a single-process install never touches it.
  const registryLog = registryLogger(log.child({ name: 'registry' }));
  const cache = redisUrl
    ? (await import('../registry/redis-cache-store.js')).createRedisCacheStore(redisUrl, registryLog)
    : undefined;
  const registry = createRegistryClient({
    rules,
    env,
    cache,
    logger: registryLog,
    onExchange: (exchange) => metrics.recordRegistryExchange(exchange),
  });
  metrics.observeLookups(() => registry.stats().lookups);
  const rateBudget = createRateBudget(share);
  const scans = await createScanJobs({ app, env, log, registry, dryRun, rateBudget });
  const { identity } = scans;
  const stateLog = log.child({ name: 'state' });
  const fileState = redisUrl
    ? undefined
    : createFileStateStore({ directory: dataDirectory(env), log: { warn: (m) => stateLog.warn(m) } });
  // The job runner needs the state store, which in Redis mode uses the queue's connection: it is
  // made right after the queue, with no await in between, so no job can run before.
  const jobs: { scan?: (job: ScanJob) => Promise<JobOutcome> } = {};
  const pacing: SweepPacing = (startedAt) =>
    createSweepPacer({ budget: rateBudget, share, spreadMs, startedAt, log });
  // The queue's seam to the scans: every finished job is counted on its way back to the queue.
  const runner = async (job: ScanJob) => {
    const outcome = await jobs.scan!(job);
    metrics.recordJob(outcome);
    return outcome;
  };
  const { retry } = options;

  let queue: JobQueue;
  const sweep = () => enqueueAllInstallations(app, queue, log);
  const listRepositories: RepositoryLister = (job) =>
    listInstallationJobs(app, job.installationId, job.reason, job.requestedAt);
  let distributed: RedisJobQueue | undefined;
  if (redisUrl) {
    const { createRedisQueue } = await import('./redis-queue.js');
    const redisQueue = createRedisQueue({
      url: redisUrl,
      runner,
      listRepositories,
      log,
      sweep,
      retry,
      pacing,
    });
    queue = redisQueue;
    distributed = redisQueue;
  } else {
    queue = createInProcessQueue({ runner, listRepositories, log, retry, pacing });
  }
  const state = distributed ? createRedisStateStore(distributed.connection) : fileState!;
  jobs.scan = scans.runner(state);
  metrics.observeQueue(() => queueStatsWithin(() => queue.stats()));
  const scheduler = await startScheduler({ cron, sweep, log, distributed });

  log.info(
    {
      dryRun,
      queue: redisUrl ? 'redis' : 'in-process',
      schedule: cron ?? 'off',
      sweepBudget: share,
      sweepSpreadMs: spreadMs,
      registryRules: rules.length,
    },
    'Freshbase services started',
  );
  return {
    queue,
    metrics,
    identity,
    async close() {
      await scheduler.stop();
      await queue.close();
      await state.close();
      await cache?.close();
      await scans.close();
    },
  };
}
