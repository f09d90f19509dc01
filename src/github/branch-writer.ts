// Commits through the Git Data API on top of the default-branch head, and branch refs that the app
// may move only while every commit on them since the merge base is its own.
import type { RepoFile } from '../plan/scan-repository.js';
import { isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';

/** GitHub's own committer for web-UI and API-signed commits; the author still says who made them. */
const WEB_FLOW = 'web-flow';
const COMPARE_PAGE = 100;

export interface BaseCommit {
  commitSha: string;
  treeSha: string;
}

/**
 * One commit whose tree is `base`'s tree with `files` replaced. Tree entries carry the new text
 * inline (`content`), so no separate blob calls are made; unchanged paths keep their objects.
 */
export async function writeCommit(
  ctx: RepoContext,
  base: BaseCommit,
  files: RepoFile[],
  modes: ReadonlyMap<string, string>,
  message: string,
): Promise<string> {
  const { owner, repo, octokit } = ctx;
  const tree = await ctx.write(() =>
    octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: base.treeSha,
      tree: files.map((f) => ({
        path: f.path,
        mode: (modes.get(f.path) ?? '100644') as '100644' | '100755',
        type: 'blob' as const,
        content: f.content,
      })),
    }),
  );
  const commit = await ctx.write(() =>
    octokit.rest.git.createCommit({ owner, repo, message, tree: tree.data.sha, parents: [base.commitSha] }),
  );
  return commit.data.sha;
}

export type BranchOwnership = { kind: 'missing' } | { kind: 'app' } | { kind: 'foreign'; authors: string[] };

/**
 * Who committed to `branch` since its merge base with the default branch. Only the app's own
 * commits (author the bot; committer the bot or GitHub) make it safe to force-push over them.
 */
export async function branchOwnership(
  ctx: RepoContext,
  defaultBranch: string,
  branch: string,
): Promise<BranchOwnership> {
  let data;
  try {
    ({ data } = await ctx.octokit.rest.repos.compareCommitsWithBasehead({
      owner: ctx.owner,
      repo: ctx.repo,
      basehead: `${defaultBranch}...${branch}`,
      per_page: COMPARE_PAGE,
    }));
  } catch (error) {
    if (isGitHubError(error, 404)) return { kind: 'missing' };
    throw error;
  }
  const foreign = data.commits.filter(
    (c) => c.author?.login !== ctx.botLogin || ![ctx.botLogin, WEB_FLOW].includes(c.committer?.login ?? ''),
  );
  // More commits than one page shows: the app never makes that many, so someone else did.
  if (data.total_commits > data.commits.length) foreign.push(...data.commits.slice(0, 1));
  if (foreign.length === 0) return { kind: 'app' };
  const authors = [...new Set(foreign.map((c) => c.author?.login ?? c.commit.author?.name ?? 'unknown'))];
  return { kind: 'foreign', authors };
}

/**
 * Points `branch` at `sha`: creates it, or force-moves it when it already exists (a crash between
 * branch and PR, or a concurrent run). Call only when the branch is missing or the app's alone.
 * Returns false when the branch turned out to carry someone else's commits (created meanwhile).
 */
export async function pointBranch(
  ctx: RepoContext,
  defaultBranch: string,
  branch: string,
  sha: string,
  ownership: BranchOwnership,
): Promise<boolean> {
  const { owner, repo, octokit } = ctx;
  if (ownership.kind === 'missing') {
    try {
      await ctx.write(() => octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha }));
      return true;
    } catch (error) {
      if (!isGitHubError(error, 422, 'Reference already exists')) throw error;
      ctx.log.info({ branch }, 'branch created concurrently; checking who owns it');
      if ((await branchOwnership(ctx, defaultBranch, branch)).kind !== 'app') return false;
    }
  } else if (ownership.kind === 'foreign') {
    return false;
  }
  await ctx.write(() =>
    octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true }),
  );
  return true;
}

export async function deleteBranch(ctx: RepoContext, branch: string): Promise<void> {
  try {
    await ctx.write(() =>
      ctx.octokit.rest.git.deleteRef({ owner: ctx.owner, repo: ctx.repo, ref: `heads/${branch}` }),
    );
  } catch (error) {
    // Already gone (deleted by hand or by "delete branch on merge") is the state we wanted.
    if (!isGitHubError(error, 422) && !isGitHubError(error, 404)) throw error;
  }
}
