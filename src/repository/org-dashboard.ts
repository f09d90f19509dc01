// The org dashboard step: when the org's `.github` repository is scanned and its config says
// `orgDashboard: true`, every repository the installation reaches is read (read-only, as
// `freshbase report` does; registry answers shared through the client's cache) and the fleet
// table is written to one issue in `.github`. Other repositories inherit the key through the org
// config and ignore it.
import pLimit from 'p-limit';
import { ORG_DASHBOARD_MARKER, ORG_DASHBOARD_TITLE, renderOrgDashboard } from '../dashboard/org-body.js';
import { findDashboardIssue, syncDashboardIssue } from '../github/dashboard-issue.js';
import type { BotItem } from '../github/repository-reads.js';
import { describeError } from '../errors.js';
import type { RepoContext } from '../github/types.js';
import { unscannedRepository } from '../inventory/classify.js';
import { readRepositoryInventory, type InventoryDeps } from '../inventory/read-repository.js';
import type { Inventory } from '../inventory/types.js';

export const ORG_CONFIG_REPOSITORY = '.github';
const READ_CONCURRENCY = 4;
const ORG_DASHBOARD = { marker: ORG_DASHBOARD_MARKER, title: ORG_DASHBOARD_TITLE };

export async function writeOrgDashboard(
  ctx: RepoContext,
  deps: Omit<InventoryDeps, 'owner' | 'repo'>,
  openBotItems: BotItem[],
): Promise<void> {
  const repositories = await ctx.octokit.paginate(ctx.octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: 100,
  });
  const limit = pLimit(READ_CONCURRENCY);
  const inventory: Inventory = {
    generatedAt: deps.now.toISOString(),
    repositories: await Promise.all(
      repositories
        .filter((r) => !r.archived && !r.disabled)
        .map((r) =>
          limit(async () => {
            try {
              return await readRepositoryInventory({ ...deps, owner: r.owner.login, repo: r.name });
            } catch (error) {
              return unscannedRepository(r.full_name, 'failed', describeError(error).message);
            }
          }),
        ),
    ),
  };
  inventory.repositories.sort((a, b) =>
    a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0,
  );
  const issue = await findDashboardIssue(ctx, ORG_DASHBOARD, openBotItems);
  const outcome = await syncDashboardIssue(ctx, ORG_DASHBOARD, issue, renderOrgDashboard(inventory));
  ctx.log.info(
    { issue: issue?.number, outcome, repositories: inventory.repositories.length },
    'org dashboard issue',
  );
}
