// The dashboard issue on GitHub: found again by its hidden marker among the app's own issues,
// created once, then edited in place only when its body changes — never re-created, never a
// comment per change. A dashboard someone closed stays closed and is still kept up to date.
import type { BotItem } from './repository-reads.js';
import type { RepoContext } from './types.js';

export interface DashboardIssue {
  number: number;
  body: string;
}

/** The app's issues looked at, newest first; the dashboard is among its first issues. */
const MAX_PAGES = 5;

/** Which dashboard: its hidden first line, and the title it is created with. */
export interface DashboardKind {
  marker: string;
  title: string;
}

/**
 * The dashboard: among the bot's open issues the scan listed anyway, else (closed, or not made
 * yet) among all the bot's issues.
 */
export async function findDashboardIssue(
  ctx: RepoContext,
  kind: DashboardKind,
  openBotItems: BotItem[],
): Promise<DashboardIssue | null> {
  const isDashboard = (body: string | null | undefined): boolean => (body ?? '').startsWith(kind.marker);
  const open = openBotItems.find((item) => !item.pull && isDashboard(item.body));
  if (open) return { number: open.number, body: open.body };
  let pages = 0;
  const iterator = ctx.octokit.paginate.iterator(ctx.octokit.rest.issues.listForRepo, {
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'all',
    creator: ctx.identity.botLogin,
    sort: 'created',
    direction: 'asc',
    per_page: 100,
  });
  for await (const { data } of iterator) {
    const found = data.find(
      (i) => !i.pull_request && i.user?.login === ctx.identity.botLogin && isDashboard(i.body),
    );
    if (found) return { number: found.number, body: found.body ?? '' };
    if (++pages >= MAX_PAGES) break;
  }
  return null;
}

export async function syncDashboardIssue(
  ctx: RepoContext,
  kind: DashboardKind,
  existing: DashboardIssue | null,
  body: string,
): Promise<'created' | 'updated' | 'unchanged'> {
  const { owner, repo } = ctx;
  if (!existing) {
    await ctx.write(() => ctx.octokit.rest.issues.create({ owner, repo, title: kind.title, body }));
    return 'created';
  }
  if (existing.body === body) return 'unchanged';
  await ctx.write(() => ctx.octokit.rest.issues.update({ owner, repo, issue_number: existing.number, body }));
  return 'updated';
}
