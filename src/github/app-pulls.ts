// Which pull requests are the app's, and what they propose: GitHub is the only state, so a PR is
// the app's when its author is the bot, its head branch is in this repository and its body carries
// the plan's hidden metadata block.
import { readMetadata } from '../plan/metadata.js';
import type { PlanMetadata } from '../plan/types.js';
import type { RepoContext } from './types.js';

/** Added to the body of a PR the app closed itself, so closing it is not read as a decline. */
export const CLOSED_BY_APP_MARKER = '<!-- freshbase:closed-by-app -->';
/** Added to the body (and comment) once a foreign commit stopped automatic updates. */
export const UPDATES_STOPPED_MARKER = '<!-- freshbase:updates-stopped -->';

export interface AppPull {
  number: number;
  branch: string;
  title: string;
  body: string;
  metadata: PlanMetadata;
}

interface PullShape {
  number: number;
  title: string;
  body?: string | null;
  user?: { login: string } | null;
  head: { ref: string; repo?: { full_name: string } | null };
}

/** The app's PR with its metadata, or null for anybody else's (or an unreadable one). */
export function asAppPull(ctx: RepoContext, pr: PullShape): AppPull | null {
  if (pr.user?.login !== ctx.botLogin || pr.head.repo?.full_name !== `${ctx.owner}/${ctx.repo}`) return null;
  const body = pr.body ?? '';
  const metadata = readMetadata(body);
  return metadata && { number: pr.number, branch: pr.head.ref, title: pr.title, body, metadata };
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

/** The open PR whose head is `branch` in this repository (any author), if any. */
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

/** Same proposal, whatever the order of updates: then nothing needs pushing. */
export function sameMetadata(a: PlanMetadata, b: PlanMetadata): boolean {
  if (a.group !== b.group || a.updates.length !== b.updates.length) return false;
  const keys = new Set(a.updates.map(updateKey));
  return b.updates.every((u) => keys.has(updateKey(u)));
}
