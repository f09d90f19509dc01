// The Probot application: webhook handlers that only decide which repositories to scan and
// enqueue them (GitHub gives a delivery 10 s; a scan happens later, in the queue), and the
// service routes (health, readiness, metrics).
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { describeError } from '../errors.js';
import { isAppAuthoredPull } from '../github/app-pulls.js';
import { createAppIdentity, type AppIdentity } from './installations.js';
import type { Metrics } from './metrics.js';
import type { JobQueue } from './queue.js';
import { serviceRoutes } from './service-routes.js';
import {
  dashboardAsksForScan,
  isContainerPackage,
  pushChangesOrgConfig,
  pushNeedsScan,
  splitFullName,
} from './triggers.js';

export interface FreshbaseAppOptions {
  addHandler: ApplicationFunctionOptions['addHandler'];
  queue: JobQueue;
  /** Who the app is (its PRs' author); looked up from GitHub by default. */
  identity?: () => Promise<AppIdentity>;
  /** Served on /metrics when given. */
  metrics?: Metrics;
}

export function freshbaseApp(app: Probot, options: FreshbaseAppOptions): void {
  const { queue } = options;
  const identity = options.identity ?? createAppIdentity(app);

  const enqueueRepository = (installationId: number | undefined, fullName: string, reason: string) => {
    if (!installationId) return Promise.resolve();
    return queue.enqueue({ installationId, ...splitFullName(fullName), reason, requestedAt: Date.now() });
  };

  const enqueueRepositories = (
    installationId: number,
    repositories: Array<{ full_name: string }>,
    reason: string,
  ) => Promise.all(repositories.map((r) => enqueueRepository(installationId, r.full_name, reason)));

  // A handler that fails (the queue refused a job) fails its delivery: Probot answers it with an
  // error status, so GitHub shows it as failed, and it is logged here once per failure.
  app.onError((error) => {
    const failures = error.errors.length > 0 ? error.errors : [error];
    for (const failure of failures) {
      app.log.error(
        { err: describeError(failure), event: error.event?.name, delivery: error.event?.id },
        'webhook handler failed',
      );
    }
  });

  const enqueueInstallation = async (installationId: number | undefined, reason: string) => {
    if (installationId) await queue.enqueueInstallation({ installationId, reason, requestedAt: Date.now() });
  };

  app.on('installation.created', async (context) => {
    const { installation, repositories } = context.payload;
    if (!repositories) return enqueueInstallation(installation.id, 'installation');
    await enqueueRepositories(installation.id, repositories, 'installation');
  });

  app.on('installation_repositories.added', async (context) => {
    const { installation, repositories_added } = context.payload;
    await enqueueRepositories(installation.id, repositories_added, 'installation_repositories');
  });

  app.on('push', async (context) => {
    const { payload } = context;
    if (pushChangesOrgConfig(payload)) return enqueueInstallation(payload.installation?.id, 'org config');
    if (pushNeedsScan(payload)) {
      await enqueueRepository(payload.installation?.id, payload.repository.full_name, 'push');
    }
  });

  // Declined and merged updates are read back from GitHub by the scan; the event only makes the
  // scan happen now instead of at the next schedule.
  app.on(['pull_request.closed', 'pull_request.reopened'], async (context) => {
    const { pull_request: pr, repository, installation, action } = context.payload;
    // Only the bot's own pull requests; the type check spares a lookup for humans' ones.
    if (!isAppAuthoredPull((await identity()).botLogin, pr)) return;
    await enqueueRepository(installation?.id, repository.full_name, `pull_request.${action}`);
  });

  // A ticked box on a dashboard issue: the scan reads the boxes again and honours them.
  app.on('issues.edited', async (context) => {
    const { issue, repository, installation } = context.payload;
    if (!dashboardAsksForScan(issue, (await identity()).botLogin)) return;
    await enqueueRepository(installation?.id, repository.full_name, 'dashboard');
  });

  // Which repositories build on a freshly published image is only known after scanning them, so
  // the whole installation is rescanned. Its jobs share one trigger time, so each tag is fetched
  // fresh once (the new digest is seen) and then shared by every repository of the rescan.
  app.on(['registry_package.published', 'package.published'], async (context) => {
    const pkg =
      'registry_package' in context.payload ? context.payload.registry_package : context.payload.package;
    if (!isContainerPackage(pkg)) return;
    await enqueueInstallation(context.payload.installation?.id, context.name);
  });

  options.addHandler(serviceRoutes({ queueStats: () => queue.stats(), metrics: options.metrics }));
}
