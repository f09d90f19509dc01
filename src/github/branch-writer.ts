// Commits through the Git Data API on top of the default-branch head, and branch refs that the app
// may move only while every commit on them since the merge base is its own.
import { createHash } from 'node:crypto';
import type { RepoFile } from '../plan/types.js';
import { httpStatus, isGitHubError } from './request-error.js';
import type { RepoContext } from './types.js';

/** GitHub's own committer for web-UI and API-signed commits; the author still says who made them. */
const WEB_FLOW = 'web-flow';
const COMPARE_PAGE = 100;

export interface BaseCommit {
  commitSha: string;
  treeSha: string;
}

export interface CommitToWrite {
  base: BaseCommit;
  files: RepoFile[];
  /** path → git file mode; a path not listed is a plain file. */
  modes: ReadonlyMap<string, string>;
  message: string;
  /** The branch's current tree, when it has commits of its own. */
  currentTree?: string;
}

/**
 * One commit whose tree is `base`'s tree with `files` replaced. Tree entries carry the new text
 * inline (`content`), so no separate blob calls are made; unchanged paths keep their objects.
 * Returns null, making no commit, when the tree equals `currentTree`: the branch already holds
 * exactly this content, and pushing it again would only re-run CI and notify reviewers.
 */
export async function writeCommit(
  ctx: RepoContext,
  { base, files, modes, message, currentTree }: CommitToWrite,
): Promise<string | null> {
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
  if (tree.data.sha === currentTree) return null;
  const commit = await ctx.write(() =>
    octokit.rest.git.createCommit({ owner, repo, message, tree: tree.data.sha, parents: [base.commitSha] }),
  );
  return commit.data.sha;
}

export type BranchOwnership =
  | { kind: 'missing' }
  /**
   * `head`: the branch commit whose history was checked, where a later move must start from;
   * `tree`: its tree, when the branch has commits of its own; `base`: the merge base with the
   * default branch; `files`: path → blob sha of what the branch changes since `base`, when
   * GitHub listed them all.
   */
  | { kind: 'app'; head: string; tree?: string; base?: string; files?: ReadonlyMap<string, string> }
  | { kind: 'foreign'; authors: string[] };

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
    (c) =>
      c.author?.login !== ctx.identity.botLogin ||
      ![ctx.identity.botLogin, WEB_FLOW].includes(c.committer?.login ?? ''),
  );
  // More commits than one page shows: the app never makes that many, so someone else did.
  if (data.total_commits > data.commits.length) foreign.push(...data.commits.slice(0, 1));
  if (foreign.length === 0) {
    // The branch head is the listed commit no other listed commit descends from; with none listed
    // the branch is the merge base itself (identical to, or behind, the default branch).
    const parents = new Set(data.commits.flatMap((c) => c.parents.map((p) => p.sha)));
    const tip = data.commits.find((c) => !parents.has(c.sha));
    const base = data.merge_base_commit.sha;
    return tip
      ? { kind: 'app', head: tip.sha, tree: tip.commit.tree.sha, base, files: changedFiles(data.files) }
      : { kind: 'app', head: base, base, files: new Map() };
  }
  const authors = [...new Set(foreign.map((c) => c.author?.login ?? c.commit.author?.name ?? 'unknown'))];
  return { kind: 'foreign', authors };
}

/** Git's object id of a blob with this text (sha1 of "blob <bytes>\0<bytes>"), as GitHub lists it. */
function blobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The app's branch already holds exactly `files` on top of `base` (the default-branch head): then
 * a push would change nothing but re-run CI and notify reviewers. Decided from the comparison
 * `branchOwnership` read, without a request; unknown (a cut file list) counts as "no".
 */
export function branchHolds(ownership: BranchOwnership, base: string, files: RepoFile[]): boolean {
  if (ownership.kind !== 'app' || ownership.base !== base || !ownership.files) return false;
  const changed = ownership.files;
  return changed.size === files.length && files.every((f) => changed.get(f.path) === blobSha(f.content));
}

/** GitHub lists at most this many changed files in a comparison; beyond it the list is cut. */
const COMPARE_FILES_LISTED = 300;

type ComparedFile = { filename: string; sha?: string | null; status: string };

/** path → blob sha of the files a comparison changed; undefined when the list may be cut or odd. */
function changedFiles(files: ComparedFile[] | undefined): ReadonlyMap<string, string> | undefined {
  if (!files || files.length >= COMPARE_FILES_LISTED) return undefined;
  const changed = new Map<string, string>();
  for (const f of files) {
    if (f.status === 'removed' || f.status === 'renamed' || !f.sha) return undefined;
    changed.set(f.filename, f.sha);
  }
  return changed;
}

/**
 * GitHub refused to create or move `branch` because the commits it would bring in change
 * `.github/workflows/*`, and the app has no `workflows` permission (deliberately: least privilege).
 * A branch update builds on the new default-branch head, so a workflow edit on the default branch
 * since the branch was made makes every move of the old branch refused; a branch created afresh
 * from that head brings in only the app's own commit and is allowed.
 */
export class WorkflowChangeRefused extends Error {
  constructor(
    readonly branch: string,
    detail: string,
  ) {
    super(`GitHub refused to move ${branch}: ${detail}`);
    this.name = 'WorkflowChangeRefused';
  }
}

const WORKFLOW_REFUSAL = /without `?workflows?`? permission|refusing to allow a GitHub App/i;

/** GitHub's refusal text, from a REST error (403 or 422) or a GraphQL error list; else null. */
function workflowRefusal(error: unknown): string | null {
  const graphql = graphqlErrors(error);
  if (graphql) return graphql.find((e) => WORKFLOW_REFUSAL.test(e.message ?? ''))?.message ?? null;
  const status = httpStatus(error);
  if (status !== 403 && status !== 422) return null;
  const shape = error as { message?: string; response?: { data?: { message?: unknown } } };
  const texts = [shape.message, shape.response?.data?.message].filter((t) => typeof t === 'string');
  return texts.find((t) => WORKFLOW_REFUSAL.test(t)) ?? null;
}

/** Runs a ref write, turning GitHub's workflow-permission refusal into `WorkflowChangeRefused`. */
export async function refWrite<T>(branch: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const refusal = workflowRefusal(error);
    if (refusal !== null) throw new WorkflowChangeRefused(branch, refusal);
    throw error;
  }
}

/**
 * `pointed` (`dropped`: the `drop` ref was deleted with the move), or the authors of the commits
 * that made the app leave the branch alone.
 */
export type PointResult = { pointed: true; dropped?: boolean } | { pointed: false; authors: string[] };

/** A ref deleted in the same atomic update as the move, if it still points at `oid`. */
export interface DroppedRef {
  branch: string;
  oid: string;
}

/** Where `branch` should point, and what the app knows of it. */
export interface BranchMove {
  defaultBranch: string;
  branch: string;
  sha: string;
  ownership: BranchOwnership;
  /** A scratch ref deleted in the same atomic update as the move. */
  drop?: DroppedRef;
}

/**
 * Points `branch` at `sha`: creates it, or moves it when it already exists (a crash between branch
 * and PR, a concurrent run, a newer plan). Call only when the branch is missing or the app's alone.
 *
 * The move is a compare-and-swap: GraphQL `updateRefs` with `beforeOid` = the head whose history
 * `branchOwnership` checked, so a commit pushed between that check and the move makes GitHub reject
 * the move instead of losing the commit (the REST ref update has no expected-old-value). Then the
 * branch is checked again: someone else's commit → not pointed; only the app's (a concurrent run)
 * → one more try from the new head. Throws `WorkflowChangeRefused` when GitHub refuses the write
 * for want of the `workflows` permission: retrying cannot help, the branch must be made afresh.
 */
export async function pointBranch(
  ctx: RepoContext,
  { defaultBranch, branch, sha, ownership, drop }: BranchMove,
): Promise<PointResult> {
  const { owner, repo, octokit } = ctx;
  let current = ownership;
  if (current.kind === 'missing') {
    try {
      await refWrite(branch, () =>
        ctx.write(() => octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha })),
      );
      return { pointed: true };
    } catch (error) {
      if (!isGitHubError(error, 422, 'Reference already exists')) throw error;
      ctx.log.info({ branch }, 'branch created concurrently; checking who owns it');
      current = await branchOwnership(ctx, defaultBranch, branch);
    }
  }
  for (let attempt = 1; ; attempt++) {
    if (current.kind === 'foreign') return { pointed: false, authors: current.authors };
    // Deleted meanwhile (PR merged or closed with "delete branch"): the next run starts afresh.
    if (current.kind === 'missing') throw new Error(`branch ${branch} disappeared while being updated`);
    if (await moveRef(ctx, { branch, before: current.head, sha, drop }))
      return { pointed: true, dropped: !!drop };
    if (attempt >= 2) throw new Error(`branch ${branch} could not be moved: rejected twice`);
    ctx.log.info({ branch }, 'branch moved since it was checked; checking who owns it');
    current = await branchOwnership(ctx, defaultBranch, branch);
  }
}

const UPDATE_REFS = `mutation FreshbaseUpdateRefs($input: UpdateRefsInput!) {
  updateRefs(input: $input) { clientMutationId }
}`;

interface GraphqlErrorShape {
  errors?: Array<{ type?: string; message?: string; extensions?: { code?: string } }>;
}

/** The `errors` of a GraphQL answer. */
export type GraphqlErrors = NonNullable<GraphqlErrorShape['errors']>;

export function graphqlErrors(error: unknown): GraphqlErrors | null {
  const errors = typeof error === 'object' && error !== null ? (error as GraphqlErrorShape).errors : null;
  return Array.isArray(errors) ? errors : null;
}

/** The server's schema has no `updateRefs` (GitHub Enterprise Server before 3.16). */
function lacksUpdateRefs(errors: GraphqlErrors): boolean {
  return errors.some((e) => /\bupdateRefs\b|\bUpdateRefsInput\b/.test(e.message ?? ''));
}

/** GraphQL's "no such ref" object id: as `afterOid` it deletes the ref. */
const ZERO_OID = '0'.repeat(40);

/**
 * Moves `branch` from `before` to `sha`, deleting `drop` with it; false when `branch` no longer
 * pointed at `before` (or `drop` at its oid) and nothing changed.
 */
async function moveRef(
  ctx: RepoContext,
  { branch, before, sha, drop }: { branch: string; before: string; sha: string; drop?: DroppedRef },
): Promise<boolean> {
  const { owner, repo, octokit } = ctx;
  if (ctx.repositoryId) {
    const refUpdates = [{ name: `refs/heads/${branch}`, beforeOid: before, afterOid: sha, force: true }];
    if (drop) {
      refUpdates.push({
        name: `refs/heads/${drop.branch}`,
        beforeOid: drop.oid,
        afterOid: ZERO_OID,
        force: true,
      });
    }
    try {
      await refWrite(branch, () =>
        ctx.write(() =>
          octokit.graphql(UPDATE_REFS, { input: { repositoryId: ctx.repositoryId, refUpdates } }),
        ),
      );
      return true;
    } catch (error) {
      // A `WorkflowChangeRefused` from refWrite has no GraphQL error list and propagates here.
      const errors = graphqlErrors(error);
      if (!errors) throw error;
      if (!lacksUpdateRefs(errors)) {
        // Rejected: GitHub's message varies ("… is at X but expected Y", "stale info", …), so what
        // happened is decided by looking at the branch again, not by parsing the message.
        ctx.log.info({ branch, errors: errors.map((e) => e.message) }, 'ref update rejected');
        return false;
      }
      ctx.log.debug({ branch }, 'no GraphQL updateRefs on this server; updating the ref over REST');
    }
  }
  // REST fallback, without a compare-and-swap: re-read the head right before the forced update.
  // This narrows the window to the time between these two requests but cannot close it: a commit
  // pushed in between is overwritten (the PR timeline still shows the force-push).
  const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
  if (data.object.sha !== before) return false;
  await refWrite(branch, () =>
    ctx.write(() => octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true })),
  );
  if (drop) await deleteBranch(ctx, drop.branch);
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
