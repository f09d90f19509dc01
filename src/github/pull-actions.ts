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
import { isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';
import { describeError } from '../errors.js';

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
    await updatePullText(ctx, existing.number, plan);
    return { number: existing.number, nodeId: existing.nodeId, created: false };
  }
}

/** What a pull request says: its title and body. */
export type PullText = Pick<BranchPlan, 'title' | 'body'>;

export async function updatePullText(ctx: RepoContext, number: number, plan: PullText): Promise<void> {
  await ctx.write(() =>
    ctx.octokit.rest.pulls.update({
      owner: ctx.owner,
      repo: ctx.repo,
      pull_number: number,
      title: plan.title,
      body: plan.body,
    }),
  );
}

/** Labels, reviewers and assignees on a new PR. Best effort: the PR stands even if one fails. */
export async function decoratePull(
  ctx: RepoContext,
  number: number,
  config: RepoConfig,
  labels: LabelEnsurer,
): Promise<void> {
  const { owner, repo, octokit } = ctx;
  const steps: Array<[string, () => Promise<unknown>]> = [];
  if (config.labels.length > 0 || config.assignees.length > 0) {
    // One issue update sets both (the PR has none yet): one write instead of two.
    steps.push([
      'labels and assignees',
      async () => {
        if (config.labels.length > 0) await labels.ensure(config.labels);
        const update = (withAssignees: boolean) =>
          ctx.write(() =>
            octokit.rest.issues.update({
              owner,
              repo,
              issue_number: number,
              ...(config.labels.length > 0 ? { labels: config.labels } : {}),
              ...(withAssignees && config.assignees.length > 0 ? { assignees: config.assignees } : {}),
            }),
          );
        try {
          await update(true);
        } catch (error) {
          // An assignee GitHub refuses must not cost the labels too.
          if (!isGitHubError(error, 422) || config.labels.length === 0 || config.assignees.length === 0)
            throw error;
          ctx.log.warn({ pull: number, err: describeError(error) }, 'assignees refused; labels set alone');
          await update(false);
        }
      },
    ]);
  }
  if (config.reviewers.length > 0) {
    // `org/team` names a team; anything else is a user.
    const teams = config.reviewers.filter((r) => r.includes('/')).map((r) => r.split('/').pop() ?? r);
    const users = config.reviewers.filter((r) => !r.includes('/'));
    steps.push([
      'reviewers',
      () =>
        ctx.write(() =>
          octokit.rest.pulls.requestReviewers({
            owner,
            repo,
            pull_number: number,
            reviewers: users,
            team_reviewers: teams,
          }),
        ),
    ]);
  }
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (error) {
      ctx.log.warn({ pull: number, what, err: describeError(error) }, 'could not decorate pull request');
    }
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
  if (pull.body.includes(UPDATES_STOPPED_MARKER)) return false;
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
