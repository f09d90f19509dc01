// One scan job: an installation client, the repository reconcile, and one log line with what it did.
import type { Logger, Probot } from 'probot';
import { refuseWrites } from '../github/dry-run.js';
import { describeError } from '../errors.js';
import type { ConditionalRequestCache } from '../github/conditional-requests.js';
import type { GitHubServerFeatures } from '../github/server-features.js';
import type { RateBudget } from '../github/rate-budget.js';
import { isTransientGitHubError } from '../github/request-error.js';
import type { AppIdentity, GitHubClient } from '../github/types.js';
import type { AttestationReader } from '../attestations/read.js';
import type { AccountRegistries } from '../registry/types.js';
import type { StateStore } from '../state/types.js';
import type { reconcileRepository } from '../repository/reconcile.js';
import type { RepositoryReport } from '../repository/types.js';
import { repositoryKey, type JobFollowUp, type ScanJob, type ScanResult } from './queue.js';

export type Reconcile = typeof reconcileRepository;

export type JobOutcome = (
  | { ok: true; durationMs: number; report: RepositoryReport }
  | {
      ok: false;
      durationMs: number;
      error: string;
      /** GitHub was unavailable (5xx, no answer, rate limited): the queue retries the job later. */
      retryable: boolean;
    }
) &
  JobFollowUp;

export interface JobRunnerDeps {
  app: Probot;
  registry: AccountRegistries;
  state: StateStore;
  attestations?: AttestationReader;
  reconcile: Reconcile;
  identity: () => Promise<AppIdentity>;
  log: Logger;
  now?: () => Date;
  /** FRESHBASE_DRY_RUN: the job's GitHub client refuses every write (see github/dry-run.ts). */
  dryRun?: boolean;
  /** Makes each job's GitHub reads conditional (ETag cache); without it every GET is a full one. */
  githubCache?: ConditionalRequestCache;
  /** Records each installation's rate limit from GitHub's answers (a sweep paces on it). */
  rateBudget?: RateBudget;
  /** What the GitHub server is known to lack (older GHES), shared by the jobs. */
  serverFeatures?: GitHubServerFeatures;
}

/** Never throws: a crashed job is reported in the outcome and logged. */
export function createJobRunner(deps: JobRunnerDeps): (job: ScanJob) => Promise<JobOutcome> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    const started = Date.now();
    const repository = repositoryKey(job);
    const log = deps.log.child({ repository, installationId: job.installationId });
    try {
      const client = (await deps.app.auth(job.installationId)) as GitHubClient;
      const octokit = deps.dryRun ? refuseWrites(client, log) : client;
      deps.githubCache?.attach(octokit, { installationId: job.installationId, freshAfter: job.requestedAt });
      deps.rateBudget?.observe(octokit, job.installationId);
      const report = await deps.reconcile({
        octokit,
        owner: job.owner,
        repo: job.repo,
        log,
        // The repository is read with this installation's token, so its owner is the installation's
        // account: that account's registry rules, and no other's, serve its lookups.
        registry: deps.registry.forAccount(job.owner),
        attestations: deps.attestations,
        state: deps.state,
        now: now(),
        freshAfter: new Date(job.requestedAt),
        identity: await deps.identity(),
        installationId: job.installationId,
        serverFeatures: deps.serverFeatures,
      });
      const durationMs = Date.now() - started;
      // The report's counts, with its skip reason apart from the job's trigger reason.
      const { repository: _, reason: skip, ...counts } = report;
      log.info({ reason: job.reason, durationMs, skip, ...counts }, 'repository scanned');
      return { ok: true, durationMs, report, rescanAt: report.rescanAt, result: scanResult(report) };
    } catch (error) {
      const durationMs = Date.now() - started;
      const described = describeError(error);
      const retryable = isTransientGitHubError(error);
      log.error({ reason: job.reason, durationMs, err: described, retryable }, 'repository scan failed');
      const result = { ...scanResult(null), ok: false, error: described.message };
      return { ok: false, durationMs, error: described.message, retryable, result };
    }
  };
}

/** The counts a sweep adds up, from a scan's report (null: the scan failed). */
function scanResult(report: RepositoryReport | null): ScanResult {
  const pulls = report?.pullRequests;
  return {
    ok: report !== null,
    updates: report?.updates ?? 0,
    lookupErrors: report?.errors ?? 0,
    deferred: report?.deferred ?? 0,
    created: pulls?.created ?? 0,
    updated: pulls?.updated ?? 0,
    closed: pulls?.closed ?? 0,
  };
}
