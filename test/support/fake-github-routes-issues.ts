// Pull request, issue, comment, label and check-run endpoints of the fake GitHub.
import type { FakeCheckRun, FakeGitHub, FakeIssue, FakePull, FakeRepo } from './fake-github.js';
import { fail, page, type Request, user } from './fake-github-http.js';

const R = '/repos/{owner}/{repo}';

export function registerIssueRoutes(gh: FakeGitHub): void {
  const { http, git } = gh;
  const repoOf = (req: Request) => gh.repoFor(req.params);
  const pullOf = (repo: FakeRepo, n: string): FakePull =>
    repo.pulls.find((p) => p.number === Number(n)) ?? fail(404, 'Not Found');
  const issueOf = (repo: FakeRepo, n: string): FakeIssue | FakePull =>
    repo.issues.find((i) => i.number === Number(n)) ?? pullOf(repo, n);

  const pullJson = (repo: FakeRepo, p: FakePull) => {
    const repoJson = { full_name: repo.fullName, name: repo.name, owner: user(repo.owner) };
    return {
      number: p.number,
      state: p.state,
      title: p.title,
      body: p.body,
      user: user(p.user),
      html_url: `https://github.com/${repo.fullName}/pull/${p.number}`,
      head: {
        ref: p.head,
        label: `${repo.owner}:${p.head}`,
        sha: repo.refs.get(`heads/${p.head}`),
        repo: repoJson,
      },
      base: {
        ref: p.base,
        label: `${repo.owner}:${p.base}`,
        sha: repo.refs.get(`heads/${p.base}`),
        repo: repoJson,
      },
      merged_at: p.mergedAt,
      node_id: gh.pullNodeId(repo, p),
      auto_merge: p.autoMerge
        ? {
            enabled_by: user(p.autoMerge.enabledBy),
            merge_method: p.autoMerge.mergeMethod.toLowerCase(),
            commit_title: p.title,
            commit_message: null,
          }
        : null,
      labels: p.labels.map((name) => ({ name })),
      assignees: p.assignees.map(user),
      requested_reviewers: p.reviewers.map(user),
      requested_teams: p.teams.map((slug) => ({ slug })),
      draft: false,
    };
  };
  const issueJson = (i: FakeIssue) => ({
    number: i.number,
    state: i.state,
    state_reason: i.stateReason,
    title: i.title,
    body: i.body,
    user: user(i.user),
    labels: i.labels.map((name) => ({ name })),
  });

  http.route('GET', `${R}/pulls`, (req) => {
    const r = repoOf(req);
    const state = req.query.get('state') ?? 'open';
    const head = req.query.get('head');
    let pulls = r.pulls.filter((p) => state === 'all' || p.state === state);
    if (head) pulls = pulls.filter((p) => `${r.owner}:${p.head}` === head);
    const sort = req.query.get('sort') ?? 'created';
    const desc = (req.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc')) === 'desc';
    pulls = [...pulls].sort((a, b) =>
      sort === 'updated' ? a.updatedAt - b.updatedAt || a.number - b.number : a.number - b.number,
    );
    if (desc) pulls.reverse();
    return page(
      pulls.map((p) => pullJson(r, p)),
      req,
      `/repos/${r.fullName}/pulls`,
    );
  });

  http.route('POST', `${R}/pulls`, (req) => {
    const r = repoOf(req);
    const head = String(req.body.head).replace(/^[^:]+:/, '');
    const base = String(req.body.base);
    const headSha = r.refs.get(`heads/${head}`);
    if (!headSha)
      fail(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
    if (r.pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
      fail(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${r.owner}:${head}.`,
        },
      ]);
    }
    if (git.compare(r.refs.get(`heads/${base}`)!, headSha).ahead.length === 0) {
      fail(422, 'Validation Failed', [
        { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` },
      ]);
    }
    const pull: FakePull = {
      number: r.nextNumber++,
      state: 'open',
      title: String(req.body.title),
      body: String(req.body.body ?? ''),
      head,
      base,
      user: gh.botLogin,
      mergedAt: null,
      labels: [],
      assignees: [],
      reviewers: [],
      teams: [],
      updatedAt: gh.tick(),
    };
    r.pulls.push(pull);
    return [201, pullJson(r, pull)];
  });

  http.route('PATCH', `${R}/pulls/{number}`, (req) => {
    const r = repoOf(req);
    const pull = pullOf(r, req.params.number!);
    if (req.body.state === 'open' && (pull.mergedAt || !r.refs.has(`heads/${pull.head}`))) {
      fail(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', field: 'state' }]);
    }
    for (const key of ['title', 'body', 'state'] as const) {
      if (req.body[key] !== undefined) Object.assign(pull, { [key]: req.body[key] });
    }
    pull.updatedAt = gh.tick();
    return [200, pullJson(r, pull)];
  });

  http.route('POST', `${R}/pulls/{number}/requested_reviewers`, (req) => {
    const r = repoOf(req);
    const pull = pullOf(r, req.params.number!);
    const reviewers = (req.body.reviewers as string[]) ?? [];
    if (reviewers.includes(pull.user)) fail(422, 'Review cannot be requested from pull request author.');
    pull.reviewers.push(...reviewers);
    pull.teams.push(...((req.body.team_reviewers as string[]) ?? []));
    return [201, pullJson(r, pull)];
  });

  http.route('GET', `${R}/issues`, (req) => {
    const r = repoOf(req);
    const state = req.query.get('state') ?? 'open';
    const creator = req.query.get('creator');
    const all = [
      ...r.issues.map(issueJson),
      ...r.pulls.map((p) => ({ ...issueJson({ ...p, stateReason: null }), pull_request: {} })),
    ]
      .filter((i) => (state === 'all' || i.state === state) && (!creator || i.user.login === creator))
      .sort((a, b) => b.number - a.number);
    return page(all, req, `/repos/${r.fullName}/issues`);
  });

  http.route('POST', `${R}/issues`, (req) => {
    const r = repoOf(req);
    const issue: FakeIssue = {
      number: r.nextNumber++,
      state: 'open',
      stateReason: null,
      title: String(req.body.title),
      body: String(req.body.body ?? ''),
      user: gh.botLogin,
      labels: (req.body.labels as string[]) ?? [],
    };
    r.issues.push(issue);
    return [201, issueJson(issue)];
  });

  // Issues and pull requests alike (a PR is an issue): labels and assignees replace the set, and
  // labels that do not exist yet are created, as GitHub does.
  http.route('PATCH', `${R}/issues/{number}`, (req) => {
    const r = repoOf(req);
    const pull = r.pulls.find((p) => p.number === Number(req.params.number));
    const issue =
      pull ?? r.issues.find((i) => i.number === Number(req.params.number)) ?? fail(404, 'Not Found');
    for (const key of ['title', 'body', 'state'] as const) {
      if (req.body[key] !== undefined) Object.assign(issue, { [key]: req.body[key] });
    }
    if (Array.isArray(req.body.labels)) {
      issue.labels = (req.body.labels as string[]).map(String);
      for (const name of issue.labels) {
        if (!r.labels.has(name.toLowerCase())) r.labels.set(name.toLowerCase(), { name, color: 'ededed' });
      }
    }
    if (pull && Array.isArray(req.body.assignees))
      pull.assignees = (req.body.assignees as string[]).map(String);
    if (pull) {
      pull.updatedAt = gh.tick();
      return [200, { ...issueJson({ ...pull, stateReason: null }), pull_request: {} }];
    }
    const plain = issue as FakeIssue;
    if (req.body.state_reason !== undefined) plain.stateReason = String(req.body.state_reason);
    return [200, issueJson(plain)];
  });

  http.route('GET', `${R}/issues/{number}/comments`, (req) => {
    const r = repoOf(req);
    issueOf(r, req.params.number!);
    const comments = (r.comments.get(Number(req.params.number)) ?? []).map((c) => ({
      ...c,
      user: user(c.user),
    }));
    return page(comments, req, `/repos/${r.fullName}/issues/${req.params.number}/comments`);
  });

  http.route('POST', `${R}/issues/{number}/comments`, (req) => {
    const r = repoOf(req);
    const number = Number(req.params.number);
    issueOf(r, String(number));
    const comment = { id: gh.nextId(), body: String(req.body.body), user: gh.botLogin };
    r.comments.set(number, [...(r.comments.get(number) ?? []), comment]);
    return [201, { ...comment, user: user(comment.user) }];
  });

  http.route('POST', `${R}/issues/{number}/labels`, (req) => {
    const r = repoOf(req);
    const target = issueOf(r, req.params.number!);
    for (const name of req.body.labels as string[]) {
      if (!r.labels.has(name.toLowerCase())) r.labels.set(name.toLowerCase(), { name, color: 'ededed' });
      if (!target.labels.includes(name)) target.labels.push(name);
    }
    return [200, target.labels.map((name) => ({ name }))];
  });

  http.route('POST', `${R}/issues/{number}/assignees`, (req) => {
    const r = repoOf(req);
    const pull = pullOf(r, req.params.number!);
    pull.assignees.push(...(req.body.assignees as string[]));
    return [201, pullJson(r, pull)];
  });

  http.route('GET', `${R}/labels`, (req) => {
    const r = repoOf(req);
    return page([...r.labels.values()], req, `/repos/${r.fullName}/labels`);
  });

  http.route('POST', `${R}/labels`, (req) => {
    const r = repoOf(req);
    const name = String(req.body.name);
    if (r.labels.has(name.toLowerCase())) {
      fail(422, 'Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    }
    const label = { name, color: String(req.body.color ?? 'ededed') };
    r.labels.set(name.toLowerCase(), label);
    return [201, label];
  });

  const appSlug = gh.botLogin.replace(/\[bot\]$/, '');
  const checkJson = (c: FakeCheckRun) => ({
    id: c.id,
    name: c.name,
    head_sha: c.headSha,
    status: c.status,
    conclusion: c.conclusion,
    output: { ...c.output, text: c.output.text ?? null },
    app: { slug: appSlug },
  });

  http.route('POST', `${R}/check-runs`, (req) => {
    const r = repoOf(req);
    const run = {
      id: gh.nextId(),
      name: String(req.body.name),
      headSha: String(req.body.head_sha),
      status: String(req.body.status ?? 'queued'),
      conclusion: (req.body.conclusion as string) ?? null,
      output: req.body.output as { title: string; summary: string; text?: string },
    };
    r.checkRuns.push(run);
    return [201, checkJson(run)];
  });

  http.route('PATCH', `${R}/check-runs/{id}`, (req) => {
    const r = repoOf(req);
    const run = r.checkRuns.find((c) => c.id === Number(req.params.id)) ?? fail(404, 'Not Found');
    Object.assign(run, {
      status: req.body.status ?? run.status,
      conclusion: req.body.conclusion ?? run.conclusion,
      output: req.body.output ?? run.output,
    });
    return [200, checkJson(run)];
  });

  http.route('GET', `${R}/commits/{ref}/check-runs`, (req) => {
    const r = repoOf(req);
    const sha = gh.resolveRef(r, req.params.ref!);
    const name = req.query.get('check_name');
    const runs = r.checkRuns.filter((c) => c.headSha === sha && (!name || c.name === name)).reverse();
    return [200, { total_count: runs.length, check_runs: runs.map(checkJson) }];
  });
}
