// The pull-request lifecycle for one repository: for each branch, read the facts, let
// pull-decision.ts decide, and carry the decision out — exactly one PR per plan group, pushes only
// when the proposal changed, and never over someone else's commits (compare-and-swap branch moves;
// a move GitHub refuses over a workflow change replaces the PR instead).
import type { RepoConfig } from '../config/types.js';
import { describeError } from '../errors.js';
import { applyUpdates } from '../plan/apply.js';
import type { BranchPlan, RepoFile, RepositoryScan } from '../plan/types.js';
import type { AppPull } from './app-pulls.js';
import {
  type BranchOwnership,
  branchHolds,
  branchOwnership,
  deleteBranch,
  pointBranch,
  type PointResult,
  WorkflowChangeRefused,
  writeCommit,
} from './branch-writer.js';
import { commitToNewBranch } from './new-branch.js';
import {
  decidePull,
  FOREIGN_BRANCH,
  FOREIGN_COMMITS,
  type PullDecision,
  type PullFacts,
} from './pull-decision.js';
import { decorationRepair, openingBody } from './decorations.js';
import { DryRunRefusal, unlessDryRun } from './dry-run.js';
import {
  closePull,
  decoratePull,
  labelEnsurer,
  type LabelEnsurer,
  noticeUpdatesStopped,
  openPull,
  repairDecorations,
  updatePullText,
} from './pull-actions.js';
import type { RepoSnapshot } from './repo-files.js';
import { type AutomergePull, syncAutomerge } from './automerge.js';
import { type CommitContent, commitOnScratchBranch } from './verified-commit.js';
import type { PullRequestCounts, RepoContext } from './types.js';

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

/** What carrying out one decision did, to be added to the run's counts. */
type Tally = Partial<PullRequestCounts>;

/** What every step of one run works with. */
interface PullRun {
  ctx: RepoContext;
  input: PullReconcileInput;
  labels: LabelEnsurer;
}

export function emptyCounts(): PullRequestCounts {
  return { created: 0, updated: 0, unchanged: 0, closed: 0, commented: 0, heldBack: 0, failed: 0 };
}

function addTally(counts: PullRequestCounts, tally: Tally): PullRequestCounts {
  const sum = { ...counts };
  for (const [key, value] of Object.entries(tally) as Array<[keyof PullRequestCounts, number]>) {
    sum[key] += value;
  }
  return sum;
}

export async function reconcilePulls(
  ctx: RepoContext,
  input: PullReconcileInput,
): Promise<PullRequestCounts> {
  const run: PullRun = { ctx, input, labels: labelEnsurer(ctx) };
  const planned = new Set(input.scan.plans.map((p) => p.branch));
  const facts = {
    inWindow: input.inWindow,
    openPulls: input.open.length,
    maxOpenPulls: input.config.maxOpenPullRequests,
    defaultBranch: input.defaultBranch,
    extracted: input.scan.extracted,
    failedFiles: new Set(input.scan.errors.map((e) => e.file)),
  };
  let counts = emptyCounts();

  // PRs whose group this scan no longer plans first: closing one makes room under the cap.
  for (const pull of input.open.filter((p) => !planned.has(p.branch))) {
    const tally = await carryOut(run, pull.branch, { ...facts, pull });
    counts = addTally(counts, tally);
    facts.openPulls -= tally.closed ?? 0;
  }
  for (const plan of input.scan.plans) {
    const pull = input.open.find((p) => p.branch === plan.branch);
    const forced = input.forcedBranches?.has(plan.branch) ?? false;
    const tally = await carryOut(run, plan.branch, { ...facts, plan, pull, forced });
    counts = addTally(counts, tally);
    if (!pull) facts.openPulls += tally.created ?? 0;
  }
  return counts;
}

/** Decides for one branch and carries the decision out; a failure is counted and logged, not thrown. */
async function carryOut(run: PullRun, branch: string, facts: PullFacts): Promise<Tally> {
  try {
    let tally: Tally = {};
    // In a dry run the first refused write ends the step; what it did up to then is not counted.
    const step = async () => {
      const pull = facts.pull && (await withDecorations(run, facts.pull, facts));
      tally = await decideAndApply(run, branch, pull ? { ...facts, pull } : facts);
    };
    await unlessDryRun(step, run.ctx.log, { branch });
    return tally;
  } catch (error) {
    return failed(run, branch, error);
  }
}

/**
 * An app PR that stays open gets what the config asks for and it lacks (a failed or interrupted
 * decoration when it was opened), in the schedule window only, like every other write to it. A
 * failure here is logged and does not hold the reconcile up.
 */
async function withDecorations(run: PullRun, pull: AppPull, facts: PullFacts): Promise<AppPull> {
  if (!facts.inWindow && !facts.forced) return pull;
  const missing = decorationRepair(run.input.config, pull);
  if (missing === null || decidePull(facts).action === 'close') return pull;
  try {
    return { ...pull, body: await repairDecorations(run.ctx, pull, missing, run.labels) };
  } catch (error) {
    if (error instanceof DryRunRefusal) throw error;
    run.ctx.log.warn(
      { pull: pull.number, err: describeError(error) },
      'could not mark pull request decorated',
    );
    return pull;
  }
}

/** A push (open, update) is decided again once the branch's ownership is read. */
async function decideAndApply(run: PullRun, branch: string, facts: PullFacts): Promise<Tally> {
  const first = decidePull(facts);
  // A PR that stays as it is still follows the config's automerge (in the window, where the plan's
  // SBOM comparison was read); syncAutomerge judges what the PR holds, which may not be the plan.
  if (first.action === 'unchanged' && facts.plan && facts.pull && run.input.inWindow)
    await automerge(run, facts.pull, facts.plan);
  if (first.action !== 'open' && first.action !== 'update') return apply(run, first);
  const ownership = await branchOwnership(run.ctx, run.input.defaultBranch, branch);
  const decision = decidePull({ ...facts, ownership });
  if (decision.action === 'open') return openNew(run, decision.plan, ownership);
  if (decision.action === 'update') return updateExisting(run, decision.pull, decision.plan, ownership);
  return apply(run, decision);
}

function failed(run: PullRun, branch: string, error: unknown): Tally {
  run.ctx.log.error({ branch, err: describeError(error) }, 'pull request reconcile failed');
  return { failed: 1 };
}

/** The decisions that push nothing. */
async function apply(
  run: PullRun,
  decision: Exclude<PullDecision, { action: 'open' | 'update' }>,
): Promise<Tally> {
  switch (decision.action) {
    case 'unchanged':
      return { unchanged: 1 };
    case 'hold':
      return decision.stopped
        ? stopUpdates(run, decision.stopped.pull, decision.plan, decision.stopped.authors)
        : hold(run, decision.plan, decision.reason);
    case 'close': {
      const { pull, reason } = decision;
      await closePull(run.ctx, pull, run.input.defaultBranch, reason);
      run.ctx.log.info({ pull: pull.number, branch: pull.branch, reason }, 'closed pull request');
      return { closed: 1 };
    }
  }
}

function hold(run: PullRun, plan: BranchPlan, reason: string): Tally {
  run.ctx.log.info({ branch: plan.branch, updates: plan.updates.length, reason }, 'updates held back');
  return { heldBack: plan.updates.length };
}

/**
 * Someone else committed to the branch of the app's open PR: say once on the PR that automatic
 * updates stopped, and hold the plan back — the app never pushes over their commits.
 */
async function stopUpdates(run: PullRun, pull: AppPull, plan: BranchPlan, authors: string[]): Promise<Tally> {
  const commented = (await noticeUpdatesStopped(run.ctx, pull, authors)) ? 1 : 0;
  return { commented, ...hold(run, plan, FOREIGN_COMMITS) };
}

/** Comment on a PR replaced because its branch could not be moved over a workflow change. */
const replacedForWorkflowsReason = (defaultBranch: string): string =>
  [
    `Superseded by a fresh pull request from the same branch: \`${defaultBranch}\` changed files under`,
    '`.github/workflows/` since this branch was made, and GitHub lets an app move a branch over such',
    'commits only with the `workflows` permission, which Freshbase deliberately does not ask for. The',
    'new pull request proposes the current updates on top of the current default branch.',
  ].join(' ');

/**
 * Moves the PR's branch onto the plan's commit on the current default head: made by GitHub
 * (Verified) on a scratch branch where it can, else over the Git Data API; nothing is pushed when
 * the branch already holds exactly this.
 */
async function updateExisting(
  run: PullRun,
  pull: AppPull,
  plan: BranchPlan,
  ownership: BranchOwnership,
): Promise<Tally> {
  const { ctx, input } = run;
  const content = commitContent(run, plan);
  if (branchHolds(ownership, input.snapshot.commitSha, content.files)) return retitle(run, pull, plan, null);
  const verified = await commitOnScratchBranch(ctx, {
    defaultBranch: input.defaultBranch,
    branch: plan.branch,
    base: input.snapshot.commitSha,
    content,
  });
  let dropped = false;
  try {
    const sha = verified ? verified.sha : await commitPlan(run, plan, ownership);
    let pointed: PointResult | null;
    try {
      pointed =
        sha === null
          ? null
          : await pointBranch(ctx, {
              defaultBranch: input.defaultBranch,
              branch: plan.branch,
              sha,
              ownership,
              drop: verified?.drop,
            });
    } catch (error) {
      if (!(error instanceof WorkflowChangeRefused) || sha === null) throw error;
      return await replacePull(run, pull, plan, { sha, refusal: error });
    }
    dropped = pointed?.pointed === true && pointed.dropped === true;
    // Someone pushed between the ownership check and the move; the move was refused, not forced.
    if (pointed && !pointed.pointed) return await stopUpdates(run, pull, plan, pointed.authors);
    return await retitle(run, pull, plan, sha);
  } finally {
    if (verified && !dropped) await deleteBranch(ctx, verified.drop.branch);
  }
}

/** The PR's title and body for the plan; `sha` the commit pushed, null when none was. */
async function retitle(run: PullRun, pull: AppPull, plan: BranchPlan, sha: string | null): Promise<Tally> {
  const { ctx } = run;
  // Also rewrites a body whose metadata block was lost, so the next run sees the proposal again;
  // then the branch often has this very content already, and nothing is pushed (sha null).
  const body = await updatePullText(ctx, pull, plan);
  await automerge(run, { ...pull, body, metadata: plan.metadata }, plan);
  ctx.log.info(
    { pull: pull.number, branch: plan.branch, commit: sha, pushed: sha !== null },
    'updated pull request',
  );
  return { updated: 1 };
}

/**
 * The PR's branch cannot be moved onto the new commit (see `WorkflowChangeRefused`): close the PR
 * as superseded (marked closed-by-app, so not a decline), delete its branch, create the branch
 * afresh at `sha` — whose only commit not on the default branch is the app's — and open a new PR.
 */
async function replacePull(
  run: PullRun,
  pull: AppPull,
  plan: BranchPlan,
  refused: { sha: string; refusal: WorkflowChangeRefused },
): Promise<Tally> {
  const { ctx, input } = run;
  // A refusal says nothing about who committed meanwhile: a human commit keeps the PR open.
  const now = await branchOwnership(ctx, input.defaultBranch, plan.branch);
  if (now.kind === 'foreign') return stopUpdates(run, pull, plan, now.authors);
  ctx.log.info(
    { pull: pull.number, branch: plan.branch, refusal: refused.refusal.message },
    'branch cannot be moved over a workflow change; replacing the pull request',
  );
  // Deletes the branch only when the app alone committed to it (checked once more in there).
  await closePull(ctx, pull, input.defaultBranch, replacedForWorkflowsReason(input.defaultBranch));
  try {
    const pointed = await pointBranch(ctx, {
      defaultBranch: input.defaultBranch,
      branch: plan.branch,
      sha: refused.sha,
      ownership: { kind: 'missing' },
    });
    if (!pointed.pointed) return { closed: 1, ...hold(run, plan, FOREIGN_BRANCH) };
    return { closed: 1, ...(await openAndDecorate(run, plan, refused.sha)) };
  } catch (error) {
    // The old PR is closed either way: count it with the failure.
    return { closed: 1, ...failed(run, plan.branch, error) };
  }
}

async function openNew(run: PullRun, plan: BranchPlan, ownership: BranchOwnership): Promise<Tally> {
  const { ctx, input } = run;
  const commit = {
    defaultBranch: input.defaultBranch,
    base: input.snapshot,
    branch: plan.branch,
    content: commitContent(run, plan),
  };
  const made = await commitToNewBranch(ctx, commit, ownership);
  if (!made.pointed) return hold(run, plan, FOREIGN_BRANCH);
  return openAndDecorate(run, plan, made.sha);
}

/** Opens the PR for the branch now at the plan's commit (a PR opened meanwhile is updated). */
async function openAndDecorate(run: PullRun, plan: BranchPlan, sha: string | null): Promise<Tally> {
  const { ctx, input } = run;
  const opening = openingBody(input.config, plan.body);
  const pull = await openPull(ctx, { ...plan, body: opening }, input.defaultBranch);
  if (!pull.created) return { updated: 1 };
  const body = await decoratePull(ctx, { number: pull.number, body: opening }, input.config, run.labels);
  await automerge(run, { ...pull, autoMerge: 'off', body, metadata: plan.metadata }, plan);
  ctx.log.info({ pull: pull.number, branch: plan.branch, commit: sha }, 'opened pull request');
  return { created: 1 };
}

/** Best effort, like the PR's decoration: the PR stands whatever happens to its auto-merge. */
async function automerge(run: PullRun, pull: AutomergePull, plan: BranchPlan): Promise<void> {
  try {
    await syncAutomerge(run.ctx, pull, plan, run.input.config);
  } catch (error) {
    if (error instanceof DryRunRefusal) throw error; // ends the step, as any write in a dry run
    run.ctx.log.warn({ pull: pull.number, err: describeError(error) }, 'auto-merge could not be set');
  }
}

/** The plan's commit on the default head, or null when the app's branch already holds exactly it. */
async function commitPlan(
  run: PullRun,
  plan: BranchPlan,
  ownership: BranchOwnership,
): Promise<string | null> {
  const { snapshot } = run.input;
  const currentTree = ownership.kind === 'app' ? ownership.tree : undefined;
  return writeCommit(run.ctx, { base: snapshot, ...commitContent(run, plan), currentTree });
}

function commitContent(run: PullRun, plan: BranchPlan): CommitContent {
  return { files: changedFiles(run, plan), modes: run.input.snapshot.modes, message: plan.commitMessage };
}

function changedFiles(run: PullRun, plan: BranchPlan): RepoFile[] {
  const changed = applyUpdates(run.input.snapshot.files, plan.updates);
  if (changed.length === 0) throw new Error(`plan for ${plan.branch} changes no file`);
  return changed;
}
