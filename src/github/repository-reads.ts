// Small reads of a repository's state on GitHub that the use case needs before it scans.
import { CONFIG_PATH } from '../config/load.js';
import { isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';

/** The repository itself has `.github/freshbase.yml` on its default branch. */
export async function hasOwnConfigFile(ctx: RepoContext): Promise<boolean> {
  try {
    await ctx.octokit.rest.repos.getContent({ owner: ctx.owner, repo: ctx.repo, path: CONFIG_PATH });
    return true;
  } catch (error) {
    if (isGitHubError(error, 404)) return false;
    throw error;
  }
}

/** Head commit of `branch`, or null for an empty repository (GitHub answers 409 or 404). */
export async function readBranchHead(ctx: RepoContext, branch: string): Promise<string | null> {
  try {
    const { data } = await ctx.octokit.rest.git.getRef({
      owner: ctx.owner,
      repo: ctx.repo,
      ref: `heads/${branch}`,
    });
    return data.object.sha;
  } catch (error) {
    if (isGitHubError(error, 409) || isGitHubError(error, 404)) return null;
    throw error;
  }
}
