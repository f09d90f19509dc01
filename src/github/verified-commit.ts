// A new branch with the plan's commit made by GitHub itself (GraphQL `createCommitOnBranch`):
// GitHub signs it, so the commit shows as Verified and orgs that require signed commits can merge.
// Two writes — the branch at the default-branch head, then the commit on it — where the Git Data
// API takes three (tree, commit, ref). The mutation only appends to a branch and checks
// `expectedHeadOid`, so it is a compare-and-swap and can never overwrite anyone's commit.
import type { RepoFile } from '../plan/types.js';
import { branchOwnership, graphqlErrors, pointBranch, refWrite } from './branch-writer.js';
import type { RepoContext } from './types.js';

const CREATE_COMMIT = `mutation FreshbaseCreateCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

/** Only plain files: the mutation cannot set a mode, so executables go through the Git Data API. */
const PLAIN_FILE = '100644';

export type NewBranchCommit =
  /** The branch now holds the plan's commit. */
  | { made: true; sha: string }
  /**
   * The server has no `createCommitOnBranch` (older GitHub Enterprise Server), or a file is not
   * plain: commit over the Git Data API instead. `branchAt`: the branch was created at that commit.
   */
  | { made: false; unsupported: true; branchAt?: string }
  /** Someone else's commits are on the branch: the app leaves it alone. */
  | { made: false; unsupported: false; authors: string[] };

/**
 * Creates `branch` at `base` and commits `files` on it as GitHub. Call only when the branch is
 * missing. When the branch appeared meanwhile, or moved before the commit, GitHub refuses and the
 * branch is checked: someone else's commits → not made (with their authors); only the app's (a
 * concurrent run) → an error, and the next run starts from what is there.
 */
export async function commitOnNewBranch(
  ctx: RepoContext,
  defaultBranch: string,
  branch: string,
  base: string,
  files: RepoFile[],
  modes: ReadonlyMap<string, string>,
  message: string,
): Promise<NewBranchCommit> {
  if (files.some((f) => (modes.get(f.path) ?? PLAIN_FILE) !== PLAIN_FILE)) {
    return { made: false, unsupported: true };
  }
  const created = await pointBranch(ctx, defaultBranch, branch, base, { kind: 'missing' });
  if (!created.pointed) return { made: false, unsupported: false, authors: created.authors };
  const [headline = '', ...rest] = message.split('\n');
  try {
    const result = await refWrite(branch, () =>
      ctx.write(() =>
        ctx.octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(CREATE_COMMIT, {
          input: {
            branch: { repositoryNameWithOwner: `${ctx.owner}/${ctx.repo}`, branchName: branch },
            expectedHeadOid: base,
            message: { headline, body: rest.join('\n').trim() || undefined },
            fileChanges: {
              additions: files.map((f) => ({
                path: f.path,
                contents: Buffer.from(f.content, 'utf8').toString('base64'),
              })),
            },
          },
        }),
      ),
    );
    return { made: true, sha: result.createCommitOnBranch.commit.oid };
  } catch (error) {
    const errors = graphqlErrors(error);
    if (!errors) throw error;
    if (errors.some((e) => /\bcreateCommitOnBranch\b|\bCreateCommitOnBranchInput\b/.test(e.message ?? ''))) {
      ctx.log.debug({ branch }, 'no GraphQL createCommitOnBranch on this server; committing over REST');
      return { made: false, unsupported: true, branchAt: base };
    }
    ctx.log.info({ branch, errors: errors.map((e) => e.message) }, 'commit on new branch rejected');
    const now = await branchOwnership(ctx, defaultBranch, branch);
    if (now.kind === 'foreign') return { made: false, unsupported: false, authors: now.authors };
    throw new Error(`commit on ${branch} was rejected: ${errors.map((e) => e.message).join('; ')}`, {
      cause: error,
    });
  }
}
