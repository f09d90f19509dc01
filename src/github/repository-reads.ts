// Small reads of a repository's state on GitHub that the use case needs before it scans.
import { CONFIG_PATH } from '../config/load.js';
import { isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';

/**
 * The repository itself has `.github/freshbase.yml` (or `path`) at `ref` (a commit: cached for
 * good; without one, the default branch).
 */
export async function hasOwnConfigFile(
  ctx: Pick<RepoContext, 'octokit' | 'owner' | 'repo'>,
  ref: string | undefined,
  path = CONFIG_PATH,
): Promise<boolean> {
  try {
    await ctx.octokit.rest.repos.getContent({
      owner: ctx.owner,
      repo: ctx.repo,
      path,
      ...(ref ? { ref } : {}),
    });
    return true;
  } catch (error) {
    if (isGitHubError(error, 404)) return false;
    throw error;
  }
}

/**
 * Head commit of `branch`, or null for an empty repository (GitHub answers 409, or 404/422 for a
 * missing branch). Asked with the `sha` media type: the answer is the sha alone and its ETag is
 * the sha itself, the same for every token — so "has the branch moved?" stays a free 304 after
 * the installation token rotates (an ordinary ETag is per token).
 */
export async function readBranchHead(ctx: RepoContext, branch: string): Promise<string | null> {
  try {
    const { data } = await ctx.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      owner: ctx.owner,
      repo: ctx.repo,
      ref: `heads/${branch}`,
      mediaType: { format: 'sha' },
    });
    const sha = String(data).trim();
    if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sha))
      throw new Error(`GitHub answered no commit sha for ${branch}`);
    return sha;
  } catch (error) {
    if (isGitHubError(error, 409) || isGitHubError(error, 404) || isGitHubError(error, 422)) return null;
    throw error;
  }
}

/** One of the bot's open issues or pull requests (GitHub lists pull requests as issues too). */
export interface BotItem {
  number: number;
  title: string;
  body: string;
  pull: boolean;
}

/**
 * The bot's open issues and pull requests in one listing: the config issue is among them, and a
 * repository where the bot has no open pull request needs no pull-request listing at all.
 */
export async function listOpenBotItems(ctx: RepoContext): Promise<BotItem[]> {
  const items = await ctx.octokit.paginate(ctx.octokit.rest.issues.listForRepo, {
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'open',
    creator: ctx.identity.botLogin,
    per_page: 100,
  });
  return items
    .filter((i) => i.user?.login === ctx.identity.botLogin)
    .map((i) => ({ number: i.number, title: i.title, body: i.body ?? '', pull: Boolean(i.pull_request) }));
}

/** What makes a repository one Freshbase leaves alone before reading its config. */
export type UnscannableReason = 'archived' | 'disabled' | 'empty' | 'fork';

/**
 * The default branch's head when the repository is one to scan, else why not. Forks mostly track an
 * upstream that gets its own PRs: a fork opts in with its own config file; an org-wide or `_extends`
 * config alone does not count, or every fork in the org would be scanned.
 */
export async function scannableHead(
  ctx: RepoContext,
  meta: { archived?: boolean; disabled?: boolean; fork: boolean; default_branch: string },
): Promise<{ headSha: string } | { skip: UnscannableReason }> {
  if (meta.archived) return { skip: 'archived' };
  if (meta.disabled) return { skip: 'disabled' };
  const headSha = await readBranchHead(ctx, meta.default_branch);
  if (!headSha) return { skip: 'empty' };
  if (meta.fork && !(await hasOwnConfigFile(ctx, headSha))) return { skip: 'fork' };
  return { headSha };
}
