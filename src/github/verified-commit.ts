// Commits made by GitHub itself (GraphQL `createCommitOnBranch`): GitHub signs them, so they show as
// Verified and orgs that require signed commits can merge. The mutation only appends to an existing
// branch and checks `expectedHeadOid`, so it is a compare-and-swap and never overwrites anyone.
//
// A new PR's branch is created at the default-branch head and the commit made on it (two writes
// where the Git Data API takes three). An update of an open PR must also sit on the current
// default-branch head, not be appended to the old branch (which would keep the PR on a stale base
// and keep files an earlier plan changed and this one does not): GitHub commits on a scratch branch
// made at that head, then one atomic `updateRefs` moves the PR's branch from the head the app
// checked to that commit and deletes the scratch branch — three writes, as with the Git Data API.
import type { RepoFile } from '../plan/types.js';
import {
  branchOwnership,
  deleteBranch,
  type DroppedRef,
  graphqlErrors,
  type GraphqlErrors,
  pointBranch,
  refWrite,
} from './branch-writer.js';
import type { RepoContext } from './types.js';

const CREATE_COMMIT = `mutation FreshbaseCreateCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`;

/** Only plain files: the mutation cannot set a mode, so executables go through the Git Data API. */
const PLAIN_FILE = '100644';

/** What one commit is made of. */
export interface CommitContent {
  files: RepoFile[];
  modes: ReadonlyMap<string, string>;
  message: string;
}

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
 * The server's schema has no `createCommitOnBranch` (older GitHub Enterprise Server): GraphQL's own
 * "Field 'createCommitOnBranch' doesn't exist on type 'Mutation'" (code `undefinedField`). Only this
 * is remembered; a refusal of the input (which names `CreateCommitOnBranchInput` on github.com too)
 * is not.
 */
const MISSING_MUTATION = /^Field 'createCommitOnBranch' doesn't exist on type 'Mutation'$/;
const lacksMutation = (errors: GraphqlErrors): boolean =>
  errors.some(
    (e) =>
      MISSING_MUTATION.test(e.message ?? '') &&
      (e.extensions?.code === undefined || e.extensions.code === 'undefinedField'),
  );
/** Any other error about the mutation or its input: this commit goes over the Git Data API. */
const refusesMutation = (errors: GraphqlErrors): boolean =>
  errors.some((e) => /\bcreateCommitOnBranch\b|\bCreateCommitOnBranchInput\b/.test(e.message ?? ''));

const onlyPlainFiles = ({ files, modes }: CommitContent): boolean =>
  files.every((f) => (modes.get(f.path) ?? PLAIN_FILE) === PLAIN_FILE);

/** Whether to ask GitHub for the commit: plain files only, on a server not known to lack the mutation. */
async function mayCommitAsGitHub(ctx: RepoContext, content: CommitContent): Promise<boolean> {
  if (!onlyPlainFiles(content)) return false;
  return !(await ctx.serverFeatures?.lacksCommitMutation(ctx.octokit));
}

/** The plan's commit for `branch`, made on the default branch's head `base`. */
export interface PlannedCommit {
  defaultBranch: string;
  branch: string;
  base: string;
  content: CommitContent;
}

/** The scratch branch of an update: a name no plan branch has (their slugs have no dots). */
export const scratchBranch = (branch: string): string => `${branch}.next`;

/**
 * Creates `branch` at `base` and commits on it as GitHub. Call only when the branch is missing.
 * When the branch appeared meanwhile, or moved before the commit, GitHub refuses and the branch is
 * checked: someone else's commits → not made (with their authors); only the app's (a concurrent
 * run) → an error, and the next run starts from what is there.
 */
export async function commitOnNewBranch(
  ctx: RepoContext,
  { defaultBranch, branch, base, content }: PlannedCommit,
): Promise<NewBranchCommit> {
  if (!(await mayCommitAsGitHub(ctx, content))) return { made: false, unsupported: true };
  const created = await pointBranch(ctx, {
    defaultBranch,
    branch,
    sha: base,
    ownership: { kind: 'missing' },
  });
  if (!created.pointed) return { made: false, unsupported: false, authors: created.authors };
  const commit = await commitOnBranch(ctx, branch, base, content);
  if (commit.made) return commit;
  if (commit.unsupported) return { made: false, unsupported: true, branchAt: base };
  const now = await branchOwnership(ctx, defaultBranch, branch);
  if (now.kind === 'foreign') return { made: false, unsupported: false, authors: now.authors };
  throw new Error(`commit on ${branch} was rejected: ${commit.rejected}`);
}

/**
 * The plan's commit made by GitHub on `base`, held by a scratch branch until the caller moves its
 * branch there (`drop` deletes the scratch branch in that same atomic update). Null when GitHub
 * cannot make it (no mutation, a non-plain file, a scratch branch someone else committed to): the
 * caller commits over the Git Data API instead. The caller deletes the scratch branch if it did not
 * drop it.
 */
export async function commitOnScratchBranch(
  ctx: RepoContext,
  { defaultBranch, branch, base, content }: PlannedCommit,
): Promise<{ sha: string; drop: DroppedRef } | null> {
  if (!(await mayCommitAsGitHub(ctx, content))) return null;
  const scratch = scratchBranch(branch);
  // A scratch branch left by a run that stopped half-way is moved back to `base` (when only the app
  // committed to it); someone else's is left alone.
  const created = await pointBranch(ctx, {
    defaultBranch,
    branch: scratch,
    sha: base,
    ownership: { kind: 'missing' },
  });
  if (!created.pointed) {
    ctx.log.warn({ branch: scratch, authors: created.authors }, 'scratch branch has commits by others');
    return null;
  }
  const commit = await commitOnBranch(ctx, scratch, base, content);
  if (commit.made) return { sha: commit.sha, drop: { branch: scratch, oid: commit.sha } };
  await deleteBranch(ctx, scratch);
  if (commit.unsupported) return null;
  throw new Error(`commit on ${scratch} was rejected: ${commit.rejected}`);
}

type BranchCommit =
  | { made: true; sha: string }
  | { made: false; unsupported: true }
  /** GitHub refused: the branch was not at `expectedHeadOid` any more. */
  | { made: false; unsupported: false; rejected: string };

/** GitHub commits `content` on `branch`, which must be at `expectedHead`. */
async function commitOnBranch(
  ctx: RepoContext,
  branch: string,
  expectedHead: string,
  { files, message }: CommitContent,
): Promise<BranchCommit> {
  const [headline = '', ...rest] = message.split('\n');
  try {
    const result = await refWrite(branch, () =>
      ctx.write(() =>
        ctx.octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(CREATE_COMMIT, {
          input: {
            branch: { repositoryNameWithOwner: `${ctx.owner}/${ctx.repo}`, branchName: branch },
            expectedHeadOid: expectedHead,
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
    if (lacksMutation(errors)) {
      ctx.log.info(
        { branch },
        'no GraphQL createCommitOnBranch on this server: committing over the Git Data API (not Verified) for a day',
      );
      await ctx.serverFeatures?.rememberLacksCommitMutation(ctx.octokit);
      return { made: false, unsupported: true };
    }
    if (refusesMutation(errors)) {
      ctx.log.warn(
        { branch, errors: errors.map((e) => e.message) },
        'createCommitOnBranch refused this commit: committing it over the Git Data API (not Verified)',
      );
      return { made: false, unsupported: true };
    }
    const rejected = errors.map((e) => e.message).join('; ');
    ctx.log.info({ branch, errors: errors.map((e) => e.message) }, 'commit on branch rejected');
    return { made: false, unsupported: false, rejected };
  }
}
