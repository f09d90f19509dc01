// The app-level endpoints of the fake GitHub: who the app is, its installations, installation
// tokens and the repositories an installation can reach — what `freshbase sweep` starts from.
import type { FakeGitHub } from './fake-github.js';
import { fail, page, user } from './fake-github-http.js';

export function registerAppRoutes(gh: FakeGitHub, installations: Map<number, string>): void {
  const { http } = gh;
  const slug = gh.botLogin.replace(/\[bot\]$/, '');

  http.route('GET', '/app', () => [200, { id: 1, slug, name: slug, owner: user('acme') }]);

  http.route('GET', '/app/installations', (req) =>
    page(
      [...installations].map(([id, login]) => ({ id, account: user(login), suspended_at: null })),
      req,
      '/app/installations',
    ),
  );

  http.route('POST', '/app/installations/{id}/access_tokens', (req) => {
    const id = Number(req.params.id);
    if (!installations.has(id)) fail(404, 'Not Found');
    const expires = new Date(Date.now() + 3600_000).toISOString();
    return [201, { token: `ghs_installation${id}`, expires_at: expires, permissions: {} }];
  });

  http.route('GET', '/installation/repositories', (req) => {
    const auth = String(req.headers.authorization ?? '');
    const id = Number(/ghs_installation(\d+)/.exec(auth)?.[1]);
    const login = installations.get(id) ?? fail(401, 'Bad credentials');
    const repositories = [...gh.repos.values()]
      .filter((r) => r.owner === login)
      .map((r) => ({
        name: r.name,
        full_name: r.fullName,
        owner: user(r.owner),
        node_id: gh.nodeId(r),
        default_branch: r.defaultBranch,
        archived: r.archived,
        disabled: r.disabled,
        fork: r.fork,
      }));
    const [status, items, headers] = page(repositories, req, '/installation/repositories');
    return [status, { total_count: repositories.length, repositories: items }, headers];
  });
}
