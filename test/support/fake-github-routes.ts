// Git Data, repository and contents endpoints of the fake GitHub, with GitHub's shapes and errors.
import type { FakeGitHub, FakeRepo } from './fake-github.js';
import { API, fail, type Reply, type Request, user } from './fake-github-http.js';
import { registerIssueRoutes } from './fake-github-routes-issues.js';

const R = '/repos/{owner}/{repo}';
const ZERO_OID = '0'.repeat(40);

interface CreateCommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges: { additions?: Array<{ path: string; contents: string }>; deletions?: Array<{ path: string }> };
}

interface UpdateRefsInput {
  repositoryId: string;
  refUpdates: Array<{ name: string; beforeOid?: string; afterOid: string; force?: boolean }>;
}

export function registerRoutes(gh: FakeGitHub): void {
  registerIssueRoutes(gh);
  const { http, git } = gh;
  const repoOf = (req: Request) => gh.repoFor(req.params);
  const resolve = (repo: FakeRepo, ref: string) => gh.resolveRef(repo, ref);
  const refJson = (repo: FakeRepo, ref: string) => ({
    ref: `refs/${ref}`,
    url: `${API}/repos/${repo.fullName}/git/refs/${ref}`,
    object: { sha: repo.refs.get(ref), type: 'commit' },
  });
  const commitJson = (sha: string) => {
    const c = git.commit(sha)!;
    const person = (login: string) => ({
      name: login,
      email: `${login}@users.noreply.github.com`,
      date: c.date,
    });
    return {
      sha,
      tree: { sha: c.tree },
      parents: c.parents.map((p) => ({ sha: p })),
      message: c.message,
      author: person(c.author),
      committer: person(c.committer),
    };
  };

  http.route('GET', R, (req) => {
    const r = repoOf(req);
    return [
      200,
      {
        name: r.name,
        node_id: gh.nodeId(r),
        full_name: r.fullName,
        owner: user(r.owner),
        default_branch: r.defaultBranch,
        archived: r.archived,
        disabled: r.disabled,
        fork: r.fork,
        private: true,
      },
    ];
  });

  // Raw file contents, as the config plugin asks for them (mediaType raw).
  http.route('GET', `${R}/contents/{*path}`, (req) => {
    const r = repoOf(req);
    const text = gh.readFile(r.fullName, req.query.get('ref') ?? r.defaultBranch, req.params.path!);
    if (text === undefined) fail(404, 'Not Found');
    return [200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8' }];
  });

  // One commit; with the `sha` media type just its sha, whose ETag is the sha itself (GitHub
  // documents this as the cheap way to ask whether a branch moved).
  http.route('GET', `${R}/commits/{ref}`, (req) => {
    const r = repoOf(req);
    if (r.refs.size === 0) fail(409, 'Git Repository is empty.');
    const sha = resolve(r, req.params.ref!) ?? fail(422, `No commit found for SHA: ${req.params.ref}`);
    if (/application\/vnd\.github(?:\.v3)?\.sha\b/.test(String(req.headers.accept ?? ''))) {
      return [200, sha, { etag: `"${sha}"`, 'content-type': 'application/vnd.github.sha; charset=utf-8' }];
    }
    return [
      200,
      { sha, commit: commitJson(sha), parents: git.commit(sha)!.parents.map((p) => ({ sha: p })) },
    ];
  });

  http.route('GET', `${R}/git/ref/{*ref}`, (req) => {
    const r = repoOf(req);
    if (r.refs.size === 0) fail(409, 'Git Repository is empty.');
    if (!r.refs.has(req.params.ref!)) fail(404, 'Not Found');
    return [200, refJson(r, req.params.ref!)];
  });

  http.route('POST', `${R}/git/refs`, (req) => {
    const r = repoOf(req);
    const ref = String(req.body.ref).replace(/^refs\//, '');
    const sha = String(req.body.sha);
    if (r.refs.has(ref)) fail(422, 'Reference already exists');
    if (!git.commit(sha)) fail(422, 'Object does not exist');
    const refused = gh.workflowRefusal(r, undefined, sha);
    if (refused) fail(422, refused);
    r.refs.set(ref, sha);
    return [201, refJson(r, ref)];
  });

  http.route('PATCH', `${R}/git/refs/{*ref}`, (req) => {
    const r = repoOf(req);
    const ref = req.params.ref!;
    const current = r.refs.get(ref) ?? fail(422, 'Reference does not exist');
    const sha = String(req.body.sha);
    if (!git.commit(sha)) fail(422, 'Object does not exist');
    if (!req.body.force && !git.ancestors(sha).includes(current)) fail(422, 'Update is not a fast forward');
    const refused = gh.workflowRefusal(r, current, sha);
    if (refused) fail(422, refused);
    r.refs.set(ref, sha);
    return [200, refJson(r, ref)];
  });

  // GraphQL: `updateRefs` (moves refs with an expected old value), `createCommitOnBranch`, and
  // turning auto-merge on and off.
  http.route('POST', '/graphql', (req) => {
    const query = String(req.body.query ?? '');
    if (/\bcreateCommitOnBranch\b/.test(query)) return createCommitOnBranch(req);
    const automerge = /\b(enable|disable)PullRequestAutoMerge\b/.exec(query);
    if (automerge) return setAutoMerge(req, automerge[1] === 'enable');
    if (!/\bupdateRefs\b/.test(query)) {
      http.unhandled.push(`GraphQL ${query.slice(0, 60)}`);
      return [200, { errors: [{ message: 'fake GitHub answers no such GraphQL operation' }] }];
    }
    if (!gh.updateRefsMutation) {
      const message = "Field 'updateRefs' doesn't exist on type 'Mutation'";
      return [
        200,
        { errors: [{ message, extensions: { code: 'undefinedField', fieldName: 'updateRefs' } }] },
      ];
    }
    const input = (req.body.variables as { input: UpdateRefsInput }).input;
    const r = [...gh.repos.values()].find((x) => gh.nodeId(x) === input.repositoryId);
    const rejected = (message: string): Reply => [
      200,
      { data: { updateRefs: null }, errors: [{ type: 'UNPROCESSABLE', path: ['updateRefs'], message }] },
    ];
    if (!r)
      return [200, { data: null, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a node' }] }];
    // All or nothing: every update is checked before any is applied. (GitHub's wording differs.)
    for (const u of input.refUpdates) {
      const ref = u.name.replace(/^refs\//, '');
      const current = r.refs.get(ref) ?? ZERO_OID;
      if (u.beforeOid !== undefined && u.beforeOid !== current)
        return rejected(`${u.name} is at ${current} but expected ${u.beforeOid}`);
      if (u.afterOid !== ZERO_OID && !git.commit(u.afterOid)) return rejected(`${u.afterOid} does not exist`);
      if (!u.force && current !== ZERO_OID && !git.ancestors(u.afterOid).includes(current))
        return rejected(`${u.name}: not a fast forward`);
      const refused =
        u.afterOid === ZERO_OID
          ? null
          : gh.workflowRefusal(r, current === ZERO_OID ? undefined : current, u.afterOid);
      if (refused) return rejected(refused);
    }
    for (const u of input.refUpdates) {
      const ref = u.name.replace(/^refs\//, '');
      if (u.afterOid === ZERO_OID) r.refs.delete(ref);
      else r.refs.set(ref, u.afterOid);
    }
    return [200, { data: { updateRefs: { clientMutationId: null } } }];
  });

  /**
   * GraphQL `enablePullRequestAutoMerge` / `disablePullRequestAutoMerge`. A repository without
   * "Allow auto-merge" refuses with GitHub's own wording.
   */
  function setAutoMerge(req: Request, enable: boolean): Reply {
    const input = (req.body.variables as { input: { pullRequestId: string; mergeMethod?: string } }).input;
    const field = enable ? 'enablePullRequestAutoMerge' : 'disablePullRequestAutoMerge';
    for (const r of gh.repos.values()) {
      const pull = r.pulls.find((p) => gh.pullNodeId(r, p) === input.pullRequestId);
      if (!pull) continue;
      if (enable && !r.allowAutoMerge)
        return [
          200,
          {
            data: { [field]: null },
            errors: [
              {
                type: 'UNPROCESSABLE',
                path: [field],
                message: 'Pull request Auto merge is not allowed for this repository',
              },
            ],
          },
        ];
      pull.autoMerge = enable ? { mergeMethod: input.mergeMethod ?? 'MERGE', enabledBy: gh.botLogin } : null;
      return [200, { data: { [field]: { clientMutationId: null } } }];
    }
    return [200, { data: null, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a node' }] }];
  }

  /**
   * GraphQL `createCommitOnBranch`: GitHub itself commits on an existing branch whose head must be
   * `expectedHeadOid` (author the app's bot, committer GitHub, which signs it: Verified).
   */
  function createCommitOnBranch(req: Request): Reply {
    if (!gh.createCommitOnBranchMutation) {
      const message = "Field 'createCommitOnBranch' doesn't exist on type 'Mutation'";
      return [200, { errors: [{ message, extensions: { code: 'undefinedField' } }] }];
    }
    const input = (req.body.variables as { input: CreateCommitInput }).input;
    const rejected = (message: string): Reply => [
      200,
      {
        data: { createCommitOnBranch: null },
        errors: [{ type: 'UNPROCESSABLE', path: ['createCommitOnBranch'], message }],
      },
    ];
    const r = gh.repos.get(input.branch.repositoryNameWithOwner);
    if (!r)
      return [
        200,
        { data: null, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a Repository' }] },
      ];
    const ref = `heads/${input.branch.branchName}`;
    const head = r.refs.get(ref);
    if (!head) return rejected(`A ref named "refs/${ref}" does not exist`);
    if (head !== input.expectedHeadOid)
      return rejected(
        `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`,
      );
    const flat = git.flatten(git.commit(head)!.tree);
    for (const a of input.fileChanges.additions ?? []) {
      flat.set(a.path, {
        mode: flat.get(a.path)?.mode ?? '100644',
        sha: git.putBlob(Buffer.from(a.contents, 'base64')),
      });
    }
    for (const d of input.fileChanges.deletions ?? []) flat.delete(d.path);
    const { headline, body } = input.message;
    const sha = git.writeCommit({
      tree: git.writeTree(flat),
      parents: [head],
      message: body ? `${headline}\n\n${body}` : headline,
      author: gh.botLogin,
      committer: 'web-flow',
    });
    const refused = gh.workflowRefusal(r, head, sha);
    if (refused) return rejected(refused);
    r.refs.set(ref, sha);
    gh.verifiedCommits.add(sha);
    return [200, { data: { createCommitOnBranch: { commit: { oid: sha } } } }];
  }

  http.route('DELETE', `${R}/git/refs/{*ref}`, (req) => {
    const r = repoOf(req);
    const ref = req.params.ref!;
    if (!r.refs.delete(ref)) fail(422, 'Reference does not exist');
    // GitHub closes the open PRs whose head branch is deleted.
    for (const p of r.pulls) {
      if (p.state === 'open' && `heads/${p.head}` === ref)
        Object.assign(p, { state: 'closed', updatedAt: gh.tick() });
    }
    return [204];
  });

  http.route('GET', `${R}/git/trees/{sha}`, (req) => {
    const r = repoOf(req);
    const asked = req.params.sha!;
    const treeSha = git.commit(resolve(r, asked) ?? '')?.tree ?? asked;
    if (!git.tree(treeSha)) fail(404, 'Not Found');
    const listing = (sha: string, prefix: string, recursive: boolean): object[] =>
      (git.tree(sha) ?? []).flatMap((e) => {
        const item = {
          path: prefix + e.name,
          mode: e.mode,
          type: e.type,
          sha: e.sha,
          ...(e.type === 'blob' ? { size: git.blob(e.sha)!.length } : {}),
          url: `${API}/repos/${r.fullName}/git/${e.type}s/${e.sha}`,
        };
        return recursive && e.type === 'tree' ? [item, ...listing(e.sha, `${item.path}/`, true)] : [item];
      });
    const recursive = req.query.has('recursive');
    const tree = listing(treeSha, '', recursive);
    const truncated = recursive && tree.length > gh.maxTreeEntries;
    return [200, { sha: treeSha, tree: truncated ? tree.slice(0, gh.maxTreeEntries) : tree, truncated }];
  });

  http.route('POST', `${R}/git/trees`, (req) => {
    repoOf(req);
    const base = req.body.base_tree as string | undefined;
    if (base && !git.tree(base)) fail(422, 'Invalid tree info', [{ resource: 'Tree', field: 'base_tree' }]);
    const flat = base ? git.flatten(base) : new Map();
    for (const entry of req.body.tree as Array<{
      path: string;
      mode: string;
      sha?: string | null;
      content?: string;
    }>) {
      if (entry.content !== undefined) {
        flat.set(entry.path, { mode: entry.mode, sha: git.putBlob(Buffer.from(entry.content, 'utf8')) });
      } else if (entry.sha === null) flat.delete(entry.path);
      else flat.set(entry.path, { mode: entry.mode, sha: entry.sha! });
    }
    const sha = git.writeTree(flat);
    return [201, { sha, tree: git.tree(sha), truncated: false }];
  });

  http.route('GET', `${R}/git/blobs/{sha}`, (req) => {
    repoOf(req);
    const blob = git.blob(req.params.sha!) ?? fail(404, 'Not Found');
    const base64 = blob.toString('base64').replace(/(.{60})/g, '$1\n'); // GitHub wraps at 60 columns
    return [200, { sha: req.params.sha, size: blob.length, encoding: 'base64', content: base64 }];
  });

  http.route('POST', `${R}/git/commits`, (req) => {
    repoOf(req);
    const tree = String(req.body.tree);
    const parents = (req.body.parents as string[]) ?? [];
    if (!git.tree(tree) || parents.some((p) => !git.commit(p))) fail(422, 'Invalid request');
    const sha = git.writeCommit({
      tree,
      parents,
      message: String(req.body.message),
      author: gh.botLogin,
      committer: gh.botLogin,
    });
    return [201, commitJson(sha)];
  });

  /** The compare API's `files`: what differs between the merge base and the head, blob sha each. */
  function changedFiles(mergeBase: string | undefined, head: string) {
    const before: ReturnType<typeof git.flatten> = mergeBase
      ? git.flatten(git.commit(mergeBase)!.tree)
      : new Map();
    const after = git.flatten(git.commit(head)!.tree);
    const files: Array<{ filename: string; sha: string; status: string }> = [];
    for (const [filename, entry] of after) {
      const old = before.get(filename);
      if (old?.sha !== entry.sha)
        files.push({ filename, sha: entry.sha, status: old ? 'modified' : 'added' });
    }
    for (const [filename, entry] of before) {
      if (!after.has(filename)) files.push({ filename, sha: entry.sha, status: 'removed' });
    }
    return files;
  }

  http.route('GET', `${R}/compare/{*basehead}`, (req) => {
    const r = repoOf(req);
    const [baseRef = '', headRef = ''] = req.params.basehead!.split('...');
    const base = resolve(r, baseRef) ?? fail(404, 'Not Found');
    const head = resolve(r, headRef) ?? fail(404, 'Not Found');
    const { ahead, behind, mergeBase } = git.compare(base, head);
    const perPage = Number(req.query.get('per_page') ?? 250);
    const status =
      ahead.length && behind.length
        ? 'diverged'
        : ahead.length
          ? 'ahead'
          : behind.length
            ? 'behind'
            : 'identical';
    const commits = ahead.slice(0, perPage).map((sha) => {
      const c = git.commit(sha)!;
      return {
        sha,
        commit: commitJson(sha),
        parents: c.parents.map((p) => ({ sha: p })),
        author: user(c.author),
        committer: user(c.committer),
      };
    });
    return [
      200,
      {
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        merge_base_commit: { sha: mergeBase },
        commits,
        files: changedFiles(mergeBase, head),
      },
    ];
  });
}
