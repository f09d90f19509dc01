// Reading a repository without cloning: one recursive Git Trees call on a commit (walking
// subtrees only when GitHub truncates it), then only the selected blobs.
import { MAX_DOCKERFILE_BYTES, readDockerfileText, type DockerfileText } from '../dockerfile/source-text.js';
import PQueue from 'p-queue';
import type { RepoFile } from '../plan/types.js';
import type { RepoContext } from './types.js';

/** Blob reads in flight at once for one repository: a few overlap the latency, more only burst. */
const BLOB_READ_CONCURRENCY = 4;
const REGULAR_FILE_MODES = new Set(['100644', '100755']);

export interface TreeFile {
  path: string;
  mode: string;
  sha: string;
  size?: number;
}

export interface RepoSnapshot {
  commitSha: string;
  /** Root tree of `commitSha`: the base_tree of every commit the app writes. */
  treeSha: string;
  files: RepoFile[];
  /** Git file mode per read path, kept when the file is rewritten. */
  modes: Map<string, string>;
  skipped: Array<{ path: string; reason: 'too-large' | 'not-utf8' | 'not-regular' }>;
}

export async function readRepositoryFiles(
  ctx: RepoContext,
  commitSha: string,
  select: (path: string) => boolean,
): Promise<RepoSnapshot> {
  const { treeSha, entries } = await listTree(ctx, commitSha);
  const snapshot: RepoSnapshot = { commitSha, treeSha, files: [], modes: new Map(), skipped: [] };
  const wanted = entries.filter((entry) => select(entry.path));
  const reads = new PQueue({ concurrency: BLOB_READ_CONCURRENCY });
  await reads.addAll(
    wanted.map((entry) => async () => {
      if (!REGULAR_FILE_MODES.has(entry.mode)) {
        // A symlink's blob is its target path, not a Dockerfile; rewriting it would break the link.
        snapshot.skipped.push({ path: entry.path, reason: 'not-regular' });
      } else if ((entry.size ?? 0) > MAX_DOCKERFILE_BYTES) {
        snapshot.skipped.push({ path: entry.path, reason: 'too-large' });
      } else {
        const read = await readBlobText(ctx, entry.sha);
        if (!read.ok) snapshot.skipped.push({ path: entry.path, reason: read.reason });
        else {
          snapshot.files.push({ path: entry.path, content: read.text });
          snapshot.modes.set(entry.path, entry.mode);
        }
      }
    }),
  );
  // Concurrent reads finish in any order; keep the tree's order so plans are deterministic.
  snapshot.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const skip of snapshot.skipped) ctx.log.info({ path: skip.path, reason: skip.reason }, 'file skipped');
  return snapshot;
}

/** All blobs under a commit (paths relative to the root), plus the root tree sha. */
async function listTree(
  ctx: RepoContext,
  commitSha: string,
): Promise<{ treeSha: string; entries: TreeFile[] }> {
  const { owner, repo, octokit } = ctx;
  const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: commitSha, recursive: 'true' });
  if (!data.truncated) return { treeSha: data.sha, entries: blobsOf(data.tree, '') };
  ctx.log.info({ treeSha: data.sha }, 'recursive tree truncated; walking subtrees');
  return { treeSha: data.sha, entries: await walkTree(ctx, data.sha, '') };
}

async function walkTree(ctx: RepoContext, treeSha: string, prefix: string): Promise<TreeFile[]> {
  const { owner, repo, octokit } = ctx;
  const { data } = await octokit.rest.git.getTree({ owner, repo, tree_sha: treeSha });
  const files = blobsOf(data.tree, prefix);
  for (const entry of data.tree) {
    if (entry.type === 'tree' && entry.sha && entry.path) {
      files.push(...(await walkTree(ctx, entry.sha, `${prefix}${entry.path}/`)));
    }
  }
  return files;
}

type TreeEntry = { path?: string; mode?: string; type?: string; sha?: string; size?: number };

function blobsOf(tree: TreeEntry[], prefix: string): TreeFile[] {
  return tree.flatMap((entry) =>
    entry.type === 'blob' && entry.path && entry.sha
      ? [{ path: prefix + entry.path, mode: entry.mode ?? '100644', sha: entry.sha, size: entry.size }]
      : [],
  );
}

/** A blob's text byte for byte, by the same rule as a local file (see readDockerfileText). */
async function readBlobText(ctx: RepoContext, sha: string): Promise<DockerfileText> {
  const { data } = await ctx.octokit.rest.git.getBlob({ owner: ctx.owner, repo: ctx.repo, file_sha: sha });
  return readDockerfileText(Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8'));
}
