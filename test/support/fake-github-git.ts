// Git object store of the fake GitHub: content-addressed blobs, nested trees and commits, with the
// few graph queries the REST endpoints need (flatten a tree, merge base, commits ahead).
import { createHash } from 'node:crypto';

export interface TreeEntry {
  name: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
}
export interface CommitObject {
  tree: string;
  parents: string[];
  message: string;
  author: string;
  committer: string;
  date: string;
}
type GitObject =
  | { type: 'blob'; content: Buffer }
  | { type: 'tree'; entries: TreeEntry[] }
  | ({ type: 'commit' } & CommitObject);

export type FlatTree = Map<string, { mode: string; sha: string }>;

export class GitStore {
  private readonly objects = new Map<string, GitObject>();
  private commitCounter = 0;

  has(sha: string): boolean {
    return this.objects.has(sha);
  }

  putBlob(content: Buffer): string {
    const sha = createHash('sha1')
      .update(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]))
      .digest('hex');
    this.objects.set(sha, { type: 'blob', content });
    return sha;
  }

  blob(sha: string): Buffer | undefined {
    const object = this.objects.get(sha);
    return object?.type === 'blob' ? object.content : undefined;
  }

  tree(sha: string): TreeEntry[] | undefined {
    const object = this.objects.get(sha);
    return object?.type === 'tree' ? object.entries : undefined;
  }

  commit(sha: string): CommitObject | undefined {
    const object = this.objects.get(sha);
    return object?.type === 'commit' ? object : undefined;
  }

  /** Builds nested trees from `path → blob` and returns the root tree sha. */
  writeTree(flat: FlatTree): string {
    const here: TreeEntry[] = [];
    const dirs = new Map<string, FlatTree>();
    for (const [path, entry] of flat) {
      const slash = path.indexOf('/');
      if (slash < 0) here.push({ name: path, mode: entry.mode, type: 'blob', sha: entry.sha });
      else {
        const dir = path.slice(0, slash);
        if (!dirs.has(dir)) dirs.set(dir, new Map());
        dirs.get(dir)!.set(path.slice(slash + 1), entry);
      }
    }
    for (const [dir, sub] of dirs)
      here.push({ name: dir, mode: '040000', type: 'tree', sha: this.writeTree(sub) });
    here.sort((a, b) => (a.name < b.name ? -1 : 1));
    const sha = createHash('sha1')
      .update(`tree\0${JSON.stringify(here)}`)
      .digest('hex');
    this.objects.set(sha, { type: 'tree', entries: here });
    return sha;
  }

  flatten(treeSha: string, prefix = ''): FlatTree {
    const flat: FlatTree = new Map();
    for (const entry of this.tree(treeSha) ?? []) {
      if (entry.type === 'blob') flat.set(prefix + entry.name, { mode: entry.mode, sha: entry.sha });
      else for (const [p, e] of this.flatten(entry.sha, `${prefix}${entry.name}/`)) flat.set(p, e);
    }
    return flat;
  }

  writeCommit(commit: Omit<CommitObject, 'date'>): string {
    const date = new Date(Date.UTC(2025, 0, 1) + ++this.commitCounter * 1000).toISOString();
    const full = { ...commit, date };
    const sha = createHash('sha1')
      .update(`commit\0${JSON.stringify(full)}\0${this.commitCounter}`)
      .digest('hex');
    this.objects.set(sha, { type: 'commit', ...full });
    return sha;
  }

  /** Ancestors of `sha` (itself included), nearest first. */
  ancestors(sha: string): string[] {
    const seen = new Set<string>();
    const order: string[] = [];
    const queue = [sha];
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      order.push(next);
      queue.push(...(this.commit(next)?.parents ?? []));
    }
    return order;
  }

  /** Paths whose blob (or mode) differs between the commit and its first parent (all, for a root). */
  changedPaths(sha: string): string[] {
    const commit = this.commit(sha);
    if (!commit) return [];
    const mine = this.flatten(commit.tree);
    const parent = commit.parents[0] ? this.commit(commit.parents[0]) : undefined;
    const theirs: FlatTree = parent ? this.flatten(parent.tree) : new Map();
    const paths = new Set([...mine.keys(), ...theirs.keys()]);
    return [...paths].filter((p) => {
      const a = mine.get(p);
      const b = theirs.get(p);
      return a?.sha !== b?.sha || a?.mode !== b?.mode;
    });
  }

  /** Commits reachable from `head` but not from `base` (oldest first), and their merge base. */
  compare(base: string, head: string): { ahead: string[]; behind: string[]; mergeBase: string | undefined } {
    const fromBase = this.ancestors(base);
    const fromHead = this.ancestors(head);
    const baseSet = new Set(fromBase);
    const headSet = new Set(fromHead);
    return {
      ahead: fromHead.filter((c) => !baseSet.has(c)).reverse(),
      behind: fromBase.filter((c) => !headSet.has(c)),
      mergeBase: fromHead.find((c) => baseSet.has(c)),
    };
  }
}
