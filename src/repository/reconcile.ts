// The use case: one repository, from metadata and config to pull requests. It drives the GitHub
// adapter (read the repository, report config problems, reconcile pull requests) around the scan.
// Everything it knows about earlier runs it reads back from GitHub (branches, PRs, issues).
import type { AttestationReader } from '../attestations/read.js';
import { CONFIG_PATH } from '../config/load.js';
import { isPathSelected } from '../config/policy.js';
import { inScheduleWindow, nextScheduleWindow } from '../config/schedule.js';
import { listOpenAppPulls } from '../github/app-pulls.js';
import { loadRepoConfig } from '../github/config-load.js';
import { syncConfigStatus } from '../github/config-status.js';
import { withoutDeclined } from '../github/declined.js';
import { unlessDryRun } from '../github/dry-run.js';
import { describeError } from '../errors.js';
import { closePull } from '../github/pull-actions.js';
import { emptyCounts, reconcilePulls } from '../github/reconcile-pulls.js';
import { readRepositoryFiles } from '../github/repo-files.js';
import { listOpenBotItems, scannableHead } from '../github/repository-reads.js';
import type { AppIdentity, GitHubClient, Log, RepoContext } from '../github/types.js';
import type { GitHubServerFeatures } from '../github/server-features.js';
import { installationWriteQueue } from '../github/write-queue.js';
import type { RegistryLookup } from '../registry/types.js';
import type { StateStore } from '../state/types.js';
import { explainUpdates } from './changes.js';
import { soakHeld } from '../inventory/classify.js';
import { readDashboard, writeDashboard } from './dashboard.js';
import { ORG_CONFIG_REPOSITORY, writeOrgDashboard } from './org-dashboard.js';
import { keepOnboardingPull, readOnboarding, withoutOnboardingPull } from './onboarding.js';
import { scanRepository } from './scan.js';
import type { RepositoryReport, RepositorySkipReason } from './types.js';

export interface ReconcileDeps {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  log: Log;
  registry: RegistryLookup;
  /** First-seen times of digests (soak time, ages in PR bodies). */
  state: StateStore;
  /** Reads SBOM and provenance attestations to explain proposed updates; without it, bodies say less. */
  attestations?: AttestationReader;
  now: Date;
  /** Registry answers cached before this are fetched again (see ScanJob.requestedAt). */
  freshAfter?: Date;
  /** The app's slug and its bot user, which authors the app's commits, PRs and issues. */
  identity: AppIdentity;
  /** Key of the shared write queue; defaults to the owner, which an installation is bound to. */
  installationId?: number;
  /** What the GitHub server is known to lack (see github/server-features.ts). */
  serverFeatures?: GitHubServerFeatures;
}

export async function reconcileRepository(deps: ReconcileDeps): Promise<RepositoryReport> {
  const { octokit, owner, repo } = deps;
  const repository = `${owner}/${repo}`;
  const queue = installationWriteQueue(deps.installationId ?? owner);
  const ctx: RepoContext = {
    octokit,
    owner,
    repo,
    log: deps.log.child({ repo: repository }),
    identity: deps.identity,
    serverFeatures: deps.serverFeatures,
    write: (call) => queue.run(call),
  };
  const { data: meta } = await octokit.rest.repos.get({ owner, repo });
  ctx.repositoryId = meta.node_id;
  const report: RepositoryReport = {
    repository,
    status: 'done',
    files: 0,
    skippedFiles: 0,
    images: 0,
    updates: 0,
    lookups: 0,
    errors: 0,
    deferred: 0,
    pullRequests: emptyCounts(),
  };
  const skip = (reason: RepositorySkipReason): RepositoryReport => {
    ctx.log.info({ reason }, 'repository skipped');
    return { ...report, status: 'skipped', reason };
  };

  const defaultBranch = meta.default_branch;
  const head = await scannableHead(ctx, meta);
  if ('skip' in head) return skip(head.skip);
  const { headSha } = head;

  const loaded = await loadRepoConfig({ octokit, owner, repo, ref: headSha });
  const botItems = await listOpenBotItems(ctx);
  await unlessDryRun(() => syncConfigStatus(ctx, headSha, loaded, botItems), ctx.log, {
    step: 'config status',
  });
  if (!loaded.ok) {
    ctx.log.warn({ problems: loaded.problems.length }, 'invalid config; repository skipped until fixed');
    return { ...report, status: 'invalid-config' };
  }
  const config = loaded.config;

  // Without an open pull request of the bot's, there is nothing to list (one round trip less).
  const openPulls = botItems.some((item) => item.pull) ? await listOpenAppPulls(ctx) : [];
  if (!config.enabled) {
    for (const pull of openPulls) {
      const reason = 'Freshbase is disabled by `.github/freshbase.yml` (`enabled: false`).';
      const close = () => closePull(ctx, pull, defaultBranch, reason);
      if (await unlessDryRun(close, ctx.log, { step: 'close', pull: pull.number }))
        report.pullRequests.closed++;
    }
    return { ...skip('disabled-by-config'), pullRequests: report.pullRequests };
  }

  const orgConfigApplies = (loaded.sources ?? []).some(
    (source) => source.toLowerCase() === `${owner}/${ORG_CONFIG_REPOSITORY}:${CONFIG_PATH}`.toLowerCase(),
  );
  const scanOptions = {
    repoFullName: repository,
    registry: deps.registry,
    state: deps.state,
    now: deps.now,
    freshAfter: deps.freshAfter,
  };
  const onboarding = await readOnboarding(ctx, {
    config,
    ownConfig: loaded.ownFile ?? true,
    orgConfigApplies,
    open: openPulls,
  });
  const { decision } = onboarding;
  if (decision.action === 'leave-alone') {
    ctx.log.info({ pull: decision.pull }, 'onboarding pull request was closed unmerged');
    return skip('onboarding-declined');
  }
  if (decision.action === 'onboard' || decision.action === 'wait') {
    const onboardingScan = { defaultBranch, headSha, orgConfigApplies, scanInput: scanOptions };
    const onboardingState = { ...onboarding, decision };
    const { write, ...counts } = await keepOnboardingPull(ctx, onboardingState, config, onboardingScan);
    if (write === 'opened') report.pullRequests.created++;
    else if (write === 'updated') report.pullRequests.updated++;
    else if (write === 'unchanged') report.pullRequests.unchanged++;
    return { ...report, ...counts, onboarding: write };
  }
  const open = withoutOnboardingPull(openPulls);
  if (decision.close) {
    const stale = openPulls.find((p) => p.number === decision.close?.pull)!;
    const close = () => closePull(ctx, stale, defaultBranch, decision.close!.reason);
    if (await unlessDryRun(close, ctx.log, { step: 'close onboarding', pull: stale.number }))
      report.pullRequests.closed++;
  }

  const snapshot = await readRepositoryFiles(ctx, headSha, (path) => isPathSelected(config, path));
  const planned = await scanRepository({ ...scanOptions, files: snapshot.files, config });
  const undeclined = await withoutDeclined(ctx, {
    scan: planned,
    open,
    config,
    repoFullName: repository,
    now: deps.now,
  });
  const dashboard = await readDashboard(ctx, config, undeclined.plans, botItems);
  const inWindow = inScheduleWindow(config, deps.now);
  // What changed is read only for updates that may be proposed now (attestation blobs are large).
  const scan =
    deps.attestations && (inWindow || (dashboard?.forcedBranches.size ?? 0) > 0)
      ? await explainUpdates({
          scan: undeclined,
          attestations: deps.attestations,
          config,
          repoFullName: repository,
          now: deps.now,
        })
      : undeclined;
  report.files = snapshot.files.length;
  report.skippedFiles = snapshot.skipped.length;
  report.images = scan.extracted.reduce((n, f) => n + f.images.length, 0);
  report.updates = scan.updates.length;
  report.lookups = planned.lookups;
  report.deferred = scan.errors.filter((e) => e.deferred).length;
  report.errors = scan.errors.length - report.deferred;
  for (const failure of scan.errors) {
    if (failure.deferred) ctx.log.info({ ...failure }, 'image lookup deferred to the next sweep');
    else ctx.log.warn({ ...failure }, 'image not updated');
  }
  for (const plan of scan.plans) {
    const changes = plan.updates.map(
      (u) =>
        `${u.file}:${u.line} ${u.image} ${u.from.tag ?? ''}@${u.from.digest ?? ''} → ${u.to.tag ?? ''}@${u.to.digest ?? ''}`,
    );
    ctx.log.info({ branch: plan.branch, title: plan.title, changes }, 'planned pull request');
  }

  report.pullRequests = await reconcilePulls(ctx, {
    defaultBranch,
    snapshot,
    scan,
    open,
    config,
    inWindow,
    forcedBranches: dashboard?.forcedBranches,
  });
  if (dashboard) {
    const scanInput = { ...scanOptions, files: snapshot.files };
    const write = () =>
      writeDashboard(ctx, dashboard, {
        scanInput,
        config,
        proposed: planned,
        accepted: scan,
        heldFor: soakHeld(planned.held),
      });
    await keepDashboard(ctx, 'dashboard', write);
  }
  if (config.orgDashboard && repo === ORG_CONFIG_REPOSITORY) {
    const inventoryDeps = {
      octokit,
      log: ctx.log,
      registry: deps.registry,
      state: deps.state,
      now: deps.now,
      identity: deps.identity,
      freshAfter: deps.freshAfter,
    };
    const write = () => writeOrgDashboard(ctx, inventoryDeps, botItems);
    await keepDashboard(ctx, 'org dashboard', write);
  }
  if (!inWindow && report.pullRequests.heldBack > 0) {
    report.rescanAt = nextScheduleWindow(config, deps.now) ?? undefined;
  }
  ctx.log.info(
    { ...report.pullRequests, updates: report.updates, errors: report.errors },
    'repository reconciled',
  );
  return report;
}

/** A dashboard is written after the pull requests: one that fails waits for the next scan. */
async function keepDashboard(ctx: RepoContext, step: string, write: () => Promise<void>): Promise<void> {
  try {
    await unlessDryRun(write, ctx.log, { step });
  } catch (error) {
    ctx.log.error({ step, err: describeError(error) }, 'dashboard update failed');
  }
}
