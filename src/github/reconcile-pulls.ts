// The pull-request lifecycle for one repository: given the plans of this scan and the app's open
// PRs, decide per branch whether to open, update, leave, hold back or close — exactly one PR per
// plan group, pushes only when the proposal changed, and never over someone else's commits.
import type { RepoConfig } from '../config/types.js';
import type { ExtractResult } from '../dockerfile/types.js';
import { applyUpdates } from '../plan/apply.js';
import type { BranchPlan, PlanMetadata, RepoFile, RepositoryScan } from '../plan/types.js';
import { type AppPull, sameMetadata } from './app-pulls.js';
import {
  type BranchOwnership,
  branchOwnership,
  deleteBranch,
  pointBranch,
  type PointResult,
  WorkflowChangeRefused,
  writeCommit,
} from './branch-writer.js';
import {
  closePull,
  decoratePull,
  labelEnsurer,
  type LabelEnsurer,
  noticeUpdatesStopped,
  openPull,
  updatePullText,
} from './pull-actions.js';
import type { RepoSnapshot } from './repo-files.js';
import { commitOnNewBranch } from './verified-commit.js';
import { unlessDryRun } from './dry-run.js';
import type { PullRequestCounts, RepoContext } from './types.js';
import { describeError } from '../errors.js';

export interface PullReconcileInput {
  defaultBranch: string;
  snapshot: RepoSnapshot;
  scan: Pick<RepositoryScan, 'plans' | 'extracted' | 'errors'>;
  open: AppPull[];
  config: RepoConfig;
  /** Inside the config's schedule window: PRs may be opened and updated. */
  inWindow: boolean;
  /** Branches a maintainer asked for now (dashboard): opened or updated whatever the window or cap. */
  forcedBranches?: ReadonlySet<string>;
}

type MetaUpdate = PlanMetadata['updates'][number];

export function emptyCounts(): PullRequestCounts {
  return { created: 0, updated: 0, unchanged: 0, closed: 0, commented: 0, heldBack: 0, failed: 0 };
}

export async function reconcilePulls(
  ctx: RepoContext,
  input: PullReconcileInput,
): Promise<PullRequestCounts> {
  const counts = emptyCounts();
  const planned = new Set(input.scan.plans.map((p) => p.branch));
  const failedFiles = new Set(input.scan.errors.map((e) => e.file));
  const labels = labelEnsurer(ctx);
  let openCount = input.open.length;

  const guarded = async (branch: string, step: () => Promise<void>) => {
    try {
      await unlessDryRun(step, ctx.log, { branch });
    } catch (error) {
      counts.failed++;
      ctx.log.error({ branch, err: describeError(error) }, 'pull request reconcile failed');
    }
  };

  // PRs whose group this scan no longer plans. Closing is allowed outside the schedule window.
  for (const pull of input.open.filter((p) => !planned.has(p.branch))) {
    await guarded(pull.branch, async () => {
      const reason = closeReason(pull, input, failedFiles);
      if (reason === null) {
        // The plan may have lost it because a lookup failed this time, not because it is done.
        counts.unchanged++;
        return;
      }
      await closePull(ctx, pull, input.defaultBranch, reason);
      ctx.log.info({ pull: pull.number, branch: pull.branch, reason }, 'closed pull request');
      counts.closed++;
      openCount--;
    });
  }

  for (const plan of input.scan.plans) {
    const existing = input.open.find((p) => p.branch === plan.branch);
    const forced = input.forcedBranches?.has(plan.branch) ?? false;
    await guarded(plan.branch, async () => {
      if (existing && sameMetadata(existing.metadata, plan.metadata)) {
        // Identical proposal: no push even if the default branch moved — the diff is the same and a
        // rebase-only push would re-run CI and notify reviewers for nothing.
        counts.unchanged++;
      } else if (existing && dropsFailedUpdates(existing, plan, input, failedFiles)) {
        counts.unchanged++;
      } else if (!input.inWindow && !forced) {
        holdBack(ctx, counts, plan, 'outside the schedule window');
      } else if (existing) {
        await updateExisting(ctx, counts, input, existing, plan, labels);
      } else if (openCount >= input.config.maxOpenPullRequests && !forced) {
        holdBack(ctx, counts, plan, 'maxOpenPullRequests reached');
      } else if (await openNew(ctx, counts, input, plan, labels)) {
        openCount++;
      }
    });
  }
  return counts;
}

/** Why an open PR whose branch this scan does not plan is closed; null to keep it open. */
function closeReason(pull: AppPull, input: PullReconcileInput, failedFiles: Set<string>): string | null {
  if (!pull.metadata) {
    // Its proposal is unknown (metadata edited away): closing is safe only when no lookup failed.
    if (failedFiles.size > 0) return null;
    return `Freshbase has nothing to propose on \`${pull.branch}\` any more, so it is closed.`;
  }
  const pending = pull.metadata.updates.filter((u) => isPending(u, input.scan.extracted));
  if (pending.some((u) => failedFiles.has(u.file))) return null;
  return pending.length === 0
    ? `The updates in this pull request are already on \`${input.defaultBranch}\`, so it is closed as superseded.`
    : 'Freshbase no longer proposes these updates under the current `.github/freshbase.yml`, so it is closed.';
}

function holdBack(ctx: RepoContext, counts: PullRequestCounts, plan: BranchPlan, reason: string): void {
  counts.heldBack += plan.updates.length;
  ctx.log.info({ branch: plan.branch, updates: plan.updates.length, reason }, 'updates held back');
}

/**
 * Someone else committed to the branch of the app's open PR: say once on the PR that automatic
 * updates stopped, and hold the plan back — the app never pushes over their commits.
 */
async function stopUpdates(
  ctx: RepoContext,
  counts: PullRequestCounts,
  pull: AppPull,
  plan: BranchPlan,
  authors: string[],
): Promise<void> {
  if (await noticeUpdatesStopped(ctx, pull, authors)) counts.commented++;
  holdBack(ctx, counts, plan, 'branch has commits by others');
}

/** Comment on a PR replaced because its branch could not be moved over a workflow change. */
const replacedForWorkflowsReason = (defaultBranch: string): string =>
  [
    `Superseded by a fresh pull request from the same branch: \`${defaultBranch}\` changed files under`,
    '`.github/workflows/` since this branch was made, and GitHub lets an app move a branch over such',
    'commits only with the `workflows` permission, which Freshbase deliberately does not ask for. The',
    'new pull request proposes the current updates on top of the current default branch.',
  ].join(' ');

async function updateExisting(
  ctx: RepoContext,
  counts: PullRequestCounts,
  input: PullReconcileInput,
  pull: AppPull,
  plan: BranchPlan,
  labels: LabelEnsurer,
): Promise<void> {
  const ownership = await branchOwnership(ctx, input.defaultBranch, plan.branch);
  if (ownership.kind === 'foreign') {
    await stopUpdates(ctx, counts, pull, plan, ownership.authors);
    return;
  }
  const sha = await commitPlan(ctx, input, plan, ownership);
  let pointed: PointResult | null;
  try {
    pointed = sha === null ? null : await pointBranch(ctx, input.defaultBranch, plan.branch, sha, ownership);
  } catch (error) {
    if (!(error instanceof WorkflowChangeRefused) || sha === null) throw error;
    await replacePull(ctx, counts, input, pull, plan, sha, labels, error);
    return;
  }
  if (pointed && !pointed.pointed) {
    // Someone pushed between the ownership check and the move; the move was refused, not forced.
    await stopUpdates(ctx, counts, pull, plan, pointed.authors);
    return;
  }
  // Also rewrites a body whose metadata block was lost, so the next run sees the proposal again;
  // then the branch often has this very content already, and nothing is pushed (sha null).
  await updatePullText(ctx, pull.number, plan);
  ctx.log.info(
    { pull: pull.number, branch: plan.branch, commit: sha, pushed: sha !== null },
    'updated pull request',
  );
  counts.updated++;
}

/**
 * The PR's branch cannot be moved onto the new commit (see `WorkflowChangeRefused`): close the PR
 * as superseded (marked closed-by-app, so not a decline), delete its branch, create the branch
 * afresh at `sha` — whose only commit not on the default branch is the app's — and open a new PR.
 */
async function replacePull(
  ctx: RepoContext,
  counts: PullRequestCounts,
  input: PullReconcileInput,
  pull: AppPull,
  plan: BranchPlan,
  sha: string,
  labels: LabelEnsurer,
  refusal: WorkflowChangeRefused,
): Promise<void> {
  // A refusal says nothing about who committed meanwhile: a human commit keeps the PR open.
  const now = await branchOwnership(ctx, input.defaultBranch, plan.branch);
  if (now.kind === 'foreign') {
    await stopUpdates(ctx, counts, pull, plan, now.authors);
    return;
  }
  ctx.log.info(
    { pull: pull.number, branch: plan.branch, refusal: refusal.message },
    'branch cannot be moved over a workflow change; replacing the pull request',
  );
  // Deletes the branch only when the app alone committed to it (checked once more in there).
  await closePull(ctx, pull, input.defaultBranch, replacedForWorkflowsReason(input.defaultBranch));
  counts.closed++;
  const pointed = await pointBranch(ctx, input.defaultBranch, plan.branch, sha, { kind: 'missing' });
  if (!pointed.pointed) {
    holdBack(ctx, counts, plan, 'branch exists with commits by others');
    return;
  }
  await openAndDecorate(ctx, counts, input, plan, sha, labels);
}

/** Returns whether a new PR now counts against the cap. */
async function openNew(
  ctx: RepoContext,
  counts: PullRequestCounts,
  input: PullReconcileInput,
  plan: BranchPlan,
  labels: LabelEnsurer,
): Promise<boolean> {
  // A branch without a PR is left over from a run that stopped before opening it: reuse it.
  let ownership = await branchOwnership(ctx, input.defaultBranch, plan.branch);
  if (ownership.kind === 'foreign') {
    holdBack(ctx, counts, plan, 'branch exists with commits by others');
    return false;
  }
  if (ownership.kind === 'missing') {
    const made = await commitOnNewBranch(
      ctx,
      input.defaultBranch,
      plan.branch,
      input.snapshot.commitSha,
      changedFiles(input, plan),
      input.snapshot.modes,
      plan.commitMessage,
    );
    if (made.made) return openAndDecorate(ctx, counts, input, plan, made.sha, labels);
    if (!made.unsupported) {
      holdBack(ctx, counts, plan, 'branch exists with commits by others');
      return false;
    }
    if (made.branchAt) ownership = { kind: 'app', head: made.branchAt };
  }
  const sha = await commitPlan(ctx, input, plan, ownership);
  if (sha !== null && !(await pointLeftOver(ctx, input, plan.branch, sha, ownership)).pointed) {
    holdBack(ctx, counts, plan, 'branch exists with commits by others');
    return false;
  }
  return openAndDecorate(ctx, counts, input, plan, sha, labels);
}

/**
 * `pointBranch`, except that a left-over branch of the app's that GitHub refuses to move over a
 * workflow change (no PR depends on it) is deleted and made afresh.
 */
async function pointLeftOver(
  ctx: RepoContext,
  input: PullReconcileInput,
  branch: string,
  sha: string,
  ownership: BranchOwnership,
): Promise<PointResult> {
  try {
    return await pointBranch(ctx, input.defaultBranch, branch, sha, ownership);
  } catch (error) {
    if (!(error instanceof WorkflowChangeRefused) || ownership.kind !== 'app') throw error;
    ctx.log.info({ branch, refusal: error.message }, 'left-over branch cannot be moved; making it afresh');
    const now = await branchOwnership(ctx, input.defaultBranch, branch);
    if (now.kind === 'foreign') return { pointed: false, authors: now.authors };
    if (now.kind === 'app') await deleteBranch(ctx, branch);
    return pointBranch(ctx, input.defaultBranch, branch, sha, { kind: 'missing' });
  }
}

/** Opens the PR for the branch now at the plan's commit; returns whether it is a new PR. */
async function openAndDecorate(
  ctx: RepoContext,
  counts: PullRequestCounts,
  input: PullReconcileInput,
  plan: BranchPlan,
  sha: string | null,
  labels: LabelEnsurer,
): Promise<boolean> {
  const pull = await openPull(ctx, plan, input.defaultBranch);
  if (!pull.created) {
    counts.updated++;
    return false;
  }
  await decoratePull(ctx, pull.number, input.config, labels);
  ctx.log.info({ pull: pull.number, branch: plan.branch, commit: sha }, 'opened pull request');
  counts.created++;
  return true;
}

/** The plan's commit on the default head, or null when the app's branch already holds exactly it. */
async function commitPlan(
  ctx: RepoContext,
  input: PullReconcileInput,
  plan: BranchPlan,
  ownership: BranchOwnership,
): Promise<string | null> {
  const currentTree = ownership.kind === 'app' ? ownership.tree : undefined;
  const changed = changedFiles(input, plan);
  return writeCommit(ctx, input.snapshot, changed, input.snapshot.modes, plan.commitMessage, currentTree);
}

function changedFiles(input: PullReconcileInput, plan: BranchPlan): RepoFile[] {
  const changed = applyUpdates(input.snapshot.files, plan.updates);
  if (changed.length === 0) throw new Error(`plan for ${plan.branch} changes no file`);
  return changed;
}

function usesOf(extracted: ExtractResult[], u: MetaUpdate) {
  const file = extracted.find((f) => f.file === u.file);
  return (file?.images ?? []).filter((i) => `${i.registry}/${i.repository}` === u.imageName);
}

/** The default branch still has the image at the version this update starts from. */
function isPending(u: MetaUpdate, extracted: ExtractResult[]): boolean {
  return usesOf(extracted, u).some((i) => i.tag === u.fromTag && i.digest === u.fromDigest);
}

/**
 * The new plan lacks an update the PR has only because its lookup failed this run: replacing the
 * PR with the smaller plan would drop it now and add it back next run, so keep the PR as it is.
 */
function dropsFailedUpdates(
  pull: AppPull,
  plan: BranchPlan,
  input: PullReconcileInput,
  failedFiles: Set<string>,
): boolean {
  if (!pull.metadata) return false;
  const planned = new Set(plan.metadata.updates.map((u) => `${u.file}\0${u.imageName}`));
  return pull.metadata.updates.some(
    (u) =>
      !planned.has(`${u.file}\0${u.imageName}`) &&
      failedFiles.has(u.file) &&
      isPending(u, input.scan.extracted),
  );
}
