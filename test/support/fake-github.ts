// A stateful fake of the GitHub REST API for the app's tests: repositories with real git objects,
// refs, pull requests, issues, comments, labels and check runs held in memory, answered over nock
// with GitHub's shapes and 422s, and every request counted per endpoint. Tests act as humans through
// the helpers here (push, close, merge); the app acts only through HTTP as the bot.
import { FakeHttp, fail } from './fake-github-http.js';
import { GitStore } from './fake-github-git.js';
import { registerRoutes } from './fake-github-routes.js';
import { registerAppRoutes } from './fake-github-app.js';

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: string;
  base: string;
  user: string;
  mergedAt: string | null;
  labels: string[];
  assignees: string[];
  reviewers: string[];
  teams: string[];
  updatedAt: number;
  /**
   * Auto-merge turned on (GraphQL enablePullRequestAutoMerge, or a human's button), with its merge
   * method and who turned it on (REST `auto_merge.enabled_by`).
   */
  autoMerge?: { mergeMethod: string; enabledBy: string } | null;
}
export interface FakeIssue {
  number: number;
  state: 'open' | 'closed';
  stateReason: string | null;
  title: string;
  body: string;
  user: string;
  labels: string[];
}
export interface FakeComment {
  id: number;
  body: string;
  user: string;
}
export interface FakeCheckRun {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  output: { title: string; summary: string; text?: string };
}
export interface FakeRepo {
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  archived: boolean;
  disabled: boolean;
  fork: boolean;
  refs: Map<string, string>;
  pulls: FakePull[];
  issues: FakeIssue[];
  comments: Map<number, FakeComment[]>;
  labels: Map<string, { name: string; color: string }>;
  checkRuns: FakeCheckRun[];
  allowAutoMerge: boolean;
  nextNumber: number;
}

export interface RepoSetup {
  files?: Record<string, string | Buffer>;
  defaultBranch?: string;
  archived?: boolean;
  disabled?: boolean;
  fork?: boolean;
  /** No commits at all: GitHub answers 409 for its refs. */
  empty?: boolean;
  /** The repository setting "Allow auto-merge" (GitHub's default: off). */
  allowAutoMerge?: boolean;
}

export class FakeGitHub {
  readonly git = new GitStore();
  readonly http = new FakeHttp();
  readonly repos = new Map<string, FakeRepo>();
  /**
   * Whether GraphQL has the `updateRefs` mutation (compare-and-swap ref moves): github.com and
   * GitHub Enterprise Server 3.16+ do. Off, the fake answers like an older server (schema error),
   * and the app falls back to the REST ref update.
   */
  updateRefsMutation = true;
  /** Whether GraphQL has `createCommitOnBranch` (older GitHub Enterprise Server: off). */
  createCommitOnBranchMutation = true;
  /** Commits GitHub made and signed itself (`createCommitOnBranch`): shown as Verified. */
  readonly verifiedCommits = new Set<string>();
  /**
   * Whether the app has the `workflows` permission. Without it (Freshbase never asks for it) GitHub
   * refuses a ref creation or move that would bring in commits changing `.github/workflows/*` — over
   * REST and GraphQL alike. Only commits not yet reachable count: creating a branch from commits the
   * default branch already has is allowed; moving an old branch onto them is not.
   */
  workflowsPermission = false;
  /** Recursive trees with more entries than this come back `truncated` (GitHub: 100k / 7 MB). */
  maxTreeEntries = 100_000;
  /** Installations of the app: id → account login; each sees the repositories its account owns. */
  private readonly installations = new Map<number, string>();
  private clock = 0;
  private ids = 0;

  constructor(
    /** Login of the authenticated app: author of everything created over HTTP. */
    readonly botLogin: string,
  ) {
    registerRoutes(this);
  }

  /**
   * The app installed on `login`'s account: from the first call on, the fake also answers the app's
   * own endpoints (its installations, tokens and their repositories) without checking the JWT.
   */
  addInstallation(id: number, login: string): void {
    if (this.installations.size === 0) registerAppRoutes(this, this.installations);
    this.installations.set(id, login);
  }

  install(): this {
    this.http.install();
    return this;
  }

  uninstall(): void {
    this.http.uninstall();
  }

  tick(): number {
    return ++this.clock;
  }

  nextId(): number {
    return ++this.ids;
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos.get(fullName);
    if (!repo) throw new Error(`no fake repo ${fullName}`);
    return repo;
  }

  /** The repository a request addresses, or GitHub's 404. */
  repoFor(params: Record<string, string>): FakeRepo {
    return this.repos.get(`${params.owner}/${params.repo}`) ?? fail(404, 'Not Found');
  }

  /** The GraphQL node id GitHub gives the repository (opaque to the app). */
  nodeId(repo: FakeRepo): string {
    return Buffer.from(`010:Repository${repo.fullName}`).toString('base64');
  }

  /** The GraphQL node id of a pull request. */
  pullNodeId(repo: FakeRepo, pull: FakePull): string {
    return Buffer.from(`011:PullRequest${repo.fullName}#${pull.number}`).toString('base64');
  }

  /** A branch name, `heads/x` ref or commit sha → commit sha. */
  resolveRef(repo: FakeRepo, ref: string): string | undefined {
    return repo.refs.get(`heads/${ref}`) ?? repo.refs.get(ref) ?? (this.git.commit(ref) ? ref : undefined);
  }

  /**
   * GitHub's refusal message when pointing `ref` (currently at `from`, or new) at `to` brings in a
   * commit that changes a workflow file and the app lacks the `workflows` permission; else null.
   */
  workflowRefusal(repo: FakeRepo, from: string | undefined, to: string): string | null {
    if (this.workflowsPermission) return null;
    const known = new Set(
      from !== undefined
        ? this.git.ancestors(from)
        : [...repo.refs.values()].flatMap((sha) => this.git.ancestors(sha)),
    );
    for (const sha of this.git.ancestors(to)) {
      if (known.has(sha)) continue;
      const workflow = this.git.changedPaths(sha).find((p) => p.startsWith('.github/workflows/'));
      if (workflow)
        return `refusing to allow a GitHub App to create or update workflow \`${workflow}\` without \`workflows\` permission`;
    }
    return null;
  }

  createRepo(fullName: string, setup: RepoSetup = {}): FakeRepo {
    const [owner = '', name = ''] = fullName.split('/');
    const repo: FakeRepo = {
      owner,
      name,
      fullName,
      defaultBranch: setup.defaultBranch ?? 'main',
      archived: setup.archived ?? false,
      disabled: setup.disabled ?? false,
      fork: setup.fork ?? false,
      refs: new Map(),
      pulls: [],
      issues: [],
      comments: new Map(),
      labels: new Map(),
      checkRuns: [],
      nextNumber: 1,
      allowAutoMerge: setup.allowAutoMerge ?? false,
    };
    this.repos.set(fullName, repo);
    if (!setup.empty)
      this.pushAs('octocat', fullName, repo.defaultBranch, setup.files ?? {}, 'Initial commit');
    return repo;
  }

  /** A commit by `login` on `branch` (created from the default branch when missing). */
  pushAs(
    login: string,
    fullName: string,
    branch: string,
    files: Record<string, string | Buffer | null>,
    message = `Update by ${login}`,
  ): string {
    const repo = this.repo(fullName);
    const parent = repo.refs.get(`heads/${branch}`) ?? repo.refs.get(`heads/${repo.defaultBranch}`);
    const flat = parent ? this.git.flatten(this.git.commit(parent)!.tree) : new Map();
    for (const [path, content] of Object.entries(files)) {
      if (content === null) flat.delete(path);
      else
        flat.set(path, {
          mode: flat.get(path)?.mode ?? '100644',
          sha: this.git.putBlob(Buffer.from(content)),
        });
    }
    const sha = this.git.writeCommit({
      tree: this.git.writeTree(flat),
      parents: parent ? [parent] : [],
      message,
      author: login,
      committer: login,
    });
    repo.refs.set(`heads/${branch}`, sha);
    return sha;
  }

  /** A file's text at a branch or commit. */
  readFile(fullName: string, ref: string, path: string): string | undefined {
    const sha = this.resolveRef(this.repo(fullName), ref);
    const entry = sha ? this.git.flatten(this.git.commit(sha)!.tree).get(path) : undefined;
    return entry && this.git.blob(entry.sha)?.toString('utf8');
  }

  branches(fullName: string): string[] {
    return [...this.repo(fullName).refs.keys()].map((r) => r.replace(/^heads\//, ''));
  }

  pulls(fullName: string, state: 'open' | 'closed' | 'all' = 'all'): FakePull[] {
    return this.repo(fullName).pulls.filter((p) => state === 'all' || p.state === state);
  }

  comments(fullName: string, number: number): FakeComment[] {
    return this.repo(fullName).comments.get(number) ?? [];
  }

  /** A pull request as someone else made it (no branch or commits needed), for list-heavy tests. */
  addPull(fullName: string, pull: Partial<FakePull> & Pick<FakePull, 'head'>): FakePull {
    const repo = this.repo(fullName);
    const full: FakePull = {
      number: repo.nextNumber++,
      state: 'open',
      title: `Change ${pull.head}`,
      body: '',
      base: repo.defaultBranch,
      user: 'octocat',
      mergedAt: null,
      labels: [],
      assignees: [],
      reviewers: [],
      teams: [],
      updatedAt: this.tick(),
      ...pull,
    };
    repo.pulls.push(full);
    return full;
  }

  /** The body edited as a human, e.g. to drop the app's metadata block. */
  editPullBody(fullName: string, number: number, edit: (body: string) => string): void {
    const pull = this.pulls(fullName).find((p) => p.number === number)!;
    pull.body = edit(pull.body);
    pull.updatedAt = this.tick();
  }

  /** "Enable auto-merge" clicked by `login` (a human unless it is the bot's login). */
  enableAutoMerge(fullName: string, number: number, login: string, mergeMethod = 'MERGE'): void {
    const pull = this.pulls(fullName).find((p) => p.number === number)!;
    pull.autoMerge = { mergeMethod, enabledBy: login };
    pull.updatedAt = this.tick();
  }

  /** Closing as a human (without merge) — what the app reads as a decline. */
  closePull(fullName: string, number: number): void {
    const pull = this.pulls(fullName).find((p) => p.number === number)!;
    pull.state = 'closed';
    pull.updatedAt = this.tick();
  }

  reopenPull(fullName: string, number: number): void {
    const pull = this.pulls(fullName).find((p) => p.number === number)!;
    pull.state = 'open';
    pull.updatedAt = this.tick();
  }

  /** Merge commit of the PR's head into its base, as the merge button makes it. */
  mergePull(fullName: string, number: number, login = 'octocat'): void {
    const repo = this.repo(fullName);
    const pull = this.pulls(fullName).find((p) => p.number === number)!;
    const head = repo.refs.get(`heads/${pull.head}`)!;
    const base = repo.refs.get(`heads/${pull.base}`)!;
    const sha = this.git.writeCommit({
      tree: this.git.commit(head)!.tree,
      parents: [base, head],
      message: `Merge pull request #${number}`,
      author: login,
      committer: 'web-flow',
    });
    repo.refs.set(`heads/${pull.base}`, sha);
    Object.assign(pull, { state: 'closed', mergedAt: new Date().toISOString(), updatedAt: this.tick() });
  }
}
