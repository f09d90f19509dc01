// The writes of the pull-request lifecycle: open (idempotently), decorate, close, and the one-time
// notice that a human took a branch over.
import type { RepoConfig } from '../config/types.js';
import type { BranchPlan } from '../plan/types.js';
import {
  type AppPull,
  CLOSED_BY_APP_MARKER,
  findOpenPullForBranch,
  UPDATES_STOPPED_MARKER,
} from './app-pulls.js';
import { branchOwnership, deleteBranch } from './branch-writer.js';
import {
  type Decorations,
  hasNoDecorations,
  markedDecorated,
  wantedDecorations,
  withDecorationMark,
} from './decorations.js';
import { DryRunRefusal } from './dry-run.js';
import { isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';
import { describeError } from '../errors.js';
import { hasMarker } from './body-markers.js';

/**
 * Opens the PR for `plan.branch`. When one already exists (a concurrent or redelivered run opened
 * it first), that PR is brought up to this plan instead: there is only ever one per branch.
 */
export async function openPull(
  ctx: RepoContext,
  plan: PullText & Pick<BranchPlan, 'branch'>,
  defaultBranch: string,
): Promise<{ number: number; nodeId: string; created: boolean }> {
  const { owner, repo, octokit } = ctx;
  try {
    const { data } = await ctx.write(() =>
      octokit.rest.pulls.create({
        owner,
        repo,
        head: plan.branch,
        base: defaultBranch,
        title: plan.title,
        body: plan.body,
      }),
    );
    return { number: data.number, nodeId: data.node_id, created: true };
  } catch (error) {
    if (!isGitHubError(error, 422, 'A pull request already exists')) throw error;
    const existing = await findOpenPullForBranch(ctx, plan.branch);
    if (!existing) throw error;
    await updatePullText(ctx, existing, plan);
    return { number: existing.number, nodeId: existing.nodeId, created: false };
  }
}

/** What a pull request says: its title and body. */
export type PullText = Pick<BranchPlan, 'title' | 'body'>;

/**
 * The PR's title and body as `plan` words them; the body keeps its decoration mark (decorated, or
 * being decorated). Returns the body.
 */
export async function updatePullText(
  ctx: RepoContext,
  pull: Pick<AppPull, 'number' | 'body'>,
  plan: PullText,
): Promise<string> {
  const body = withDecorationMark(pull.body, plan.body);
  await ctx.write(() =>
    ctx.octokit.rest.pulls.update({
      owner: ctx.owner,
      repo: ctx.repo,
      pull_number: pull.number,
      title: plan.title,
      body,
    }),
  );
  return body;
}

/**
 * Labels, reviewers and assignees on a new PR, then the decorated marker in the same write as the
 * labels. Best effort: the PR stands even if one fails, and a step that failed for a reason that
 * may pass (not a 422 refusal) leaves the marker off, so the next run repairs the PR. Returns the
 * PR's body as it now is.
 */
export async function decoratePull(
  ctx: RepoContext,
  pull: { number: number; body: string },
  config: RepoConfig,
  labels: LabelEnsurer,
): Promise<string> {
  const wanted = wantedDecorations(config);
  if (hasNoDecorations(wanted)) return pull.body;
  const { owner, repo, octokit, log } = ctx;
  const number = pull.number;
  // Reviewers first: the marker rides on the labels' write, which comes last.
  const reviewersDone = await requestReviewers(ctx, number, wanted);
  const withLabels = wanted.labels.length > 0;
  const withAssignees = wanted.assignees.length > 0;
  if (!withLabels && !withAssignees && !reviewersDone) return pull.body;
  try {
    if (withLabels) await labels.ensure(wanted.labels);
    // One issue update sets them all (the PR has none yet): one write instead of three.
    const update = (assignees: boolean) =>
      ctx.write(() =>
        octokit.rest.issues.update({
          owner,
          repo,
          issue_number: number,
          ...(withLabels ? { labels: wanted.labels } : {}),
          ...(assignees && withAssignees ? { assignees: wanted.assignees } : {}),
          ...(reviewersDone ? { body: markedDecorated(pull.body) } : {}),
        }),
      );
    try {
      await update(true);
    } catch (error) {
      // An assignee GitHub refuses must not cost the labels too; it would be refused again.
      if (!isGitHubError(error, 422) || !withAssignees || (!withLabels && !reviewersDone)) throw error;
      log.warn({ pull: number, err: describeError(error) }, 'assignees refused; labels set alone');
      await update(false);
    }
    return reviewersDone ? markedDecorated(pull.body) : pull.body;
  } catch (error) {
    log.warn(
      { pull: number, what: 'labels and assignees', err: describeError(error) },
      'could not decorate pull request',
    );
    return pull.body;
  }
}

/**
 * Adds to an existing app PR what the config asks for and it lacks (see `decorationRepair`), each
 * with an additive request, then marks it decorated when every step is done or refused for good.
 * Returns the PR's body as it now is.
 */
export async function repairDecorations(
  ctx: RepoContext,
  pull: AppPull,
  missing: Decorations,
  labels: LabelEnsurer,
): Promise<string> {
  const { owner, repo, octokit } = ctx;
  const issue = { owner, repo, issue_number: pull.number };
  const steps: Array<[string, () => Promise<unknown>]> = [];
  if (missing.labels.length > 0) {
    steps.push([
      'labels',
      async () => {
        await labels.ensure(missing.labels);
        await ctx.write(() => octokit.rest.issues.addLabels({ ...issue, labels: missing.labels }));
      },
    ]);
  }
  if (missing.assignees.length > 0) {
    steps.push([
      'assignees',
      () => ctx.write(() => octokit.rest.issues.addAssignees({ ...issue, assignees: missing.assignees })),
    ]);
  }
  let done = true;
  for (const [what, step] of steps) done = (await decorationStep(ctx, pull.number, what, step)) && done;
  done = (await requestReviewers(ctx, pull.number, missing)) && done;
  if (!done) return pull.body;
  const body = markedDecorated(pull.body);
  await ctx.write(() => octokit.rest.pulls.update({ owner, repo, pull_number: pull.number, body }));
  ctx.log.info({ pull: pull.number, added: missing }, 'repaired pull request decorations');
  return body;
}

/** Asks the users and teams in `wanted` for a review; false when that failed and may pass next time. */
async function requestReviewers(ctx: RepoContext, number: number, wanted: Decorations): Promise<boolean> {
  if (wanted.reviewers.length === 0 && wanted.teams.length === 0) return true;
  return decorationStep(ctx, number, 'reviewers', () =>
    ctx.write(() =>
      ctx.octokit.rest.pulls.requestReviewers({
        owner: ctx.owner,
        repo: ctx.repo,
        pull_number: number,
        reviewers: wanted.reviewers,
        team_reviewers: wanted.teams,
      }),
    ),
  );
}

/** Runs one decoration write: true when done or refused for good (422), false when it may pass later. */
async function decorationStep(
  ctx: RepoContext,
  number: number,
  what: string,
  step: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (error) {
    if (error instanceof DryRunRefusal) throw error;
    ctx.log.warn({ pull: number, what, err: describeError(error) }, 'could not decorate pull request');
    return isGitHubError(error, 422);
  }
}

export interface LabelEnsurer {
  ensure(names: string[]): Promise<void>;
}

/** Creates missing labels once per run; a label created meanwhile (422 already_exists) is fine. */
export function labelEnsurer(ctx: RepoContext): LabelEnsurer {
  let existing: Promise<Set<string>> | undefined;
  return {
    async ensure(names) {
      existing ??= ctx.octokit
        .paginate(ctx.octokit.rest.issues.listLabelsForRepo, {
          owner: ctx.owner,
          repo: ctx.repo,
          per_page: 100,
        })
        .then((labels) => new Set(labels.map((l) => l.name.toLowerCase())));
      const known = await existing;
      for (const name of names) {
        if (known.has(name.toLowerCase())) continue;
        try {
          await ctx.write(() =>
            ctx.octokit.rest.issues.createLabel({ owner: ctx.owner, repo: ctx.repo, name, color: '0366d6' }),
          );
        } catch (error) {
          if (!isGitHubError(error, 422, 'already_exists')) throw error;
        }
        known.add(name.toLowerCase());
      }
    },
  };
}

/**
 * Closes an app PR with a comment saying why, marks it closed-by-app (so it is not a decline) and
 * deletes its branch when only the app committed to it.
 */
export async function closePull(
  ctx: RepoContext,
  pull: AppPull,
  defaultBranch: string,
  reason: string,
): Promise<void> {
  const { owner, repo, octokit } = ctx;
  await ctx.write(() =>
    octokit.rest.issues.createComment({ owner, repo, issue_number: pull.number, body: reason }),
  );
  await ctx.write(() =>
    octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: pull.number,
      state: 'closed',
      body: `${pull.body}\n${CLOSED_BY_APP_MARKER}`,
    }),
  );
  const ownership = await branchOwnership(ctx, defaultBranch, pull.branch);
  if (ownership.kind === 'app') await deleteBranch(ctx, pull.branch);
}

/**
 * Says once that automatic updates stopped because of someone else's commits. The marker in the
 * body makes later runs skip even the comment lookup; the comment lookup makes a run that crashed
 * between the two writes not comment twice. Returns whether a comment was posted.
 */
export async function noticeUpdatesStopped(
  ctx: RepoContext,
  pull: AppPull,
  authors: string[],
): Promise<boolean> {
  if (hasMarker(pull.body, UPDATES_STOPPED_MARKER)) return false;
  const { owner, repo, octokit } = ctx;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: pull.number,
    per_page: 100,
  });
  const already = comments.some(
    (c) => c.user?.login === ctx.identity.botLogin && c.body?.includes(UPDATES_STOPPED_MARKER),
  );
  if (!already) {
    const body = [
      UPDATES_STOPPED_MARKER,
      `Freshbase stopped updating this pull request automatically: \`${pull.branch}\` has commits by ` +
        `${authors.map((a) => `@${a}`).join(', ')}, and Freshbase never force-pushes over someone else's work.`,
      '',
      `To hand the branch back, delete \`${pull.branch}\` (this closes the pull request); Freshbase then ` +
        'opens a fresh one on its next run. Otherwise, merge or close this pull request yourself.',
    ].join('\n');
    await ctx.write(() =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: pull.number, body }),
    );
  }
  await ctx.write(() =>
    octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: pull.number,
      body: `${pull.body}\n${UPDATES_STOPPED_MARKER}`,
    }),
  );
  return !already;
}
