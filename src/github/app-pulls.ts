// Which pull requests are the app's, and what they propose: GitHub is the only state, so a PR is
// the app's when its author is the bot and its head branch is in this repository. What it proposes
// is the plan's hidden metadata block in its body — unless someone edited the block away.
import { readMetadata } from '../plan/metadata.js';
import type { PlanMetadata } from '../plan/types.js';
import type { Decorations } from './decorations.js';
import type { RepoContext } from './types.js';

/** Added to the body of a PR the app closed itself, so closing it is not read as a decline. */
export const CLOSED_BY_APP_MARKER = '<!-- freshbase:closed-by-app -->';
/** Added to the body (and comment) once a foreign commit stopped automatic updates. */
export const UPDATES_STOPPED_MARKER = '<!-- freshbase:updates-stopped -->';

/**
 * GitHub's auto-merge on a PR: off, turned on by the app's bot, or by anybody else (a maintainer's
 * "Enable auto-merge", another app) — the app only ever turns off what it turned on itself.
 */
export type AutoMergeState = 'off' | 'by-app' | 'by-others';

export interface AppPull {
  number: number;
  branch: string;
  title: string;
  body: string;
  /** Null when the body lost its metadata block (edited by hand): the proposal is unknown. */
  metadata: PlanMetadata | null;
  /** GraphQL node id (auto-merge is set through GraphQL). */
  nodeId: string;
  /** Whether GitHub's auto-merge is on for it, and whether the app turned it on. */
  autoMerge: AutoMergeState;
  /** Its labels, assignees and pending review requests, as the listing gave them. */
  decorations: Decorations;
}

interface PullShape {
  number: number;
  title: string;
  body?: string | null;
  node_id: string;
  auto_merge?: { enabled_by?: { login: string } | null } | null;
  user?: { login: string } | null;
  head: { ref: string; repo?: { full_name: string } | null };
  labels?: Array<{ name?: string }> | null;
  assignees?: Array<{ login: string }> | null;
  requested_reviewers?: Array<{ login: string }> | null;
  requested_teams?: Array<{ slug: string }> | null;
}

/**
 * The PR was opened by the app's bot user. Alone it does not make the PR the app's: for that its
 * head branch must also be in the repository itself (see `asAppPull`).
 */
export function isAppAuthoredPull(botLogin: string, pull: { user?: { login: string } | null }): boolean {
  return pull.user?.login === botLogin;
}

/** The app's PR with its metadata (if still readable), or null for anybody else's. */
export function asAppPull(
  ctx: Pick<RepoContext, 'owner' | 'repo' | 'identity'>,
  pr: PullShape,
): AppPull | null {
  if (
    !isAppAuthoredPull(ctx.identity.botLogin, pr) ||
    pr.head.repo?.full_name !== `${ctx.owner}/${ctx.repo}`
  ) {
    return null;
  }
  const body = pr.body ?? '';
  const decorations: Decorations = {
    labels: (pr.labels ?? []).flatMap((label) => label.name ?? []),
    assignees: (pr.assignees ?? []).map((user) => user.login),
    reviewers: (pr.requested_reviewers ?? []).map((user) => user.login),
    teams: (pr.requested_teams ?? []).map((team) => team.slug),
  };
  return {
    number: pr.number,
    branch: pr.head.ref,
    title: pr.title,
    body,
    metadata: readMetadata(body),
    nodeId: pr.node_id,
    autoMerge: autoMergeState(ctx.identity.botLogin, pr.auto_merge),
    decorations,
  };
}

/** Who turned auto-merge on, from the pulls answer's `auto_merge.enabled_by` (unknown: not the app). */
function autoMergeState(botLogin: string, autoMerge: PullShape['auto_merge']): AutoMergeState {
  if (!autoMerge) return 'off';
  return autoMerge.enabled_by?.login === botLogin ? 'by-app' : 'by-others';
}

export async function listOpenAppPulls(ctx: RepoContext): Promise<AppPull[]> {
  const pulls = await ctx.octokit.paginate(ctx.octokit.rest.pulls.list, {
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'open',
    per_page: 100,
  });
  return pulls.flatMap((pr) => asAppPull(ctx, pr) ?? []);
}

/** The app's open PR whose head is `branch` in this repository, whatever its body, if any. */
export async function findOpenPullForBranch(ctx: RepoContext, branch: string): Promise<AppPull | null> {
  const { data } = await ctx.octokit.rest.pulls.list({
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'open',
    head: `${ctx.owner}:${branch}`,
  });
  const pr = data[0];
  return pr ? asAppPull(ctx, pr) : null;
}

function updateKey(u: PlanMetadata['updates'][number]): string {
  return JSON.stringify([u.file, u.imageName, u.fromTag, u.fromDigest, u.toTag, u.toDigest, u.kind]);
}

/** Same proposal, whatever the order of updates: then nothing needs pushing. Unknown never is. */
export function sameMetadata(a: PlanMetadata | null, b: PlanMetadata): boolean {
  if (!a || a.group !== b.group || a.updates.length !== b.updates.length) return false;
  const keys = new Set(a.updates.map(updateKey));
  return b.updates.every((u) => keys.has(updateKey(u)));
}
