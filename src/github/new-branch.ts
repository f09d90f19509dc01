// A branch that does not hold the app's commit yet: made from the default-branch head with one
// commit (GitHub-signed where it can), or a left-over branch of the app's (a run that stopped
// before opening its pull request) moved onto the commit — never over someone else's commits.
import {
  type BaseCommit,
  type BranchOwnership,
  branchOwnership,
  deleteBranch,
  pointBranch,
  type PointResult,
  WorkflowChangeRefused,
  writeCommit,
} from './branch-writer.js';
import type { RepoContext } from './types.js';
import { type CommitContent, commitOnNewBranch } from './verified-commit.js';

export interface NewBranchCommit {
  defaultBranch: string;
  /** The default-branch head read by this scan. */
  base: BaseCommit;
  branch: string;
  content: CommitContent;
}

/**
 * Makes `commit.branch` hold the commit (`ownership`: the branch as read, missing or the app's).
 * Returns the commit made (null when the app's branch already held exactly these files), or the
 * authors of the commits that made the app leave the branch alone.
 */
export async function commitToNewBranch(
  ctx: RepoContext,
  commit: NewBranchCommit,
  ownership: BranchOwnership,
): Promise<{ pointed: true; sha: string | null } | { pointed: false; authors: string[] }> {
  const { defaultBranch, base, branch, content } = commit;
  let current = ownership;
  if (current.kind === 'missing') {
    const made = await commitOnNewBranch(ctx, { defaultBranch, branch, base: base.commitSha, content });
    if (made.made) return { pointed: true, sha: made.sha };
    if (!made.unsupported) return { pointed: false, authors: made.authors };
    if (made.branchAt) current = { kind: 'app', head: made.branchAt };
  }
  const currentTree = current.kind === 'app' ? current.tree : undefined;
  const sha = await writeCommit(ctx, { base, ...content, currentTree });
  if (sha === null) return { pointed: true, sha };
  const pointed = await pointLeftOver(ctx, defaultBranch, branch, sha, current);
  return pointed.pointed ? { pointed: true, sha } : pointed;
}

/**
 * `pointBranch`, except that a left-over branch of the app's that GitHub refuses to move over a
 * workflow change (no PR depends on it) is deleted and made afresh.
 */
async function pointLeftOver(
  ctx: RepoContext,
  defaultBranch: string,
  branch: string,
  sha: string,
  ownership: BranchOwnership,
): Promise<PointResult> {
  try {
    return await pointBranch(ctx, { defaultBranch, branch, sha, ownership });
  } catch (error) {
    if (!(error instanceof WorkflowChangeRefused) || ownership.kind !== 'app') throw error;
    ctx.log.info({ branch, refusal: error.message }, 'left-over branch cannot be moved; making it afresh');
    const now = await branchOwnership(ctx, defaultBranch, branch);
    if (now.kind === 'foreign') return { pointed: false, authors: now.authors };
    if (now.kind === 'app') await deleteBranch(ctx, branch);
    return pointBranch(ctx, { defaultBranch, branch, sha, ownership: { kind: 'missing' } });
  }
}
