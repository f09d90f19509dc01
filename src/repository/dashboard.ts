// The dashboard step of a repository scan (config `dashboard: true`): before pull requests are
// reconciled, the boxes a maintainer ticked say which held updates to open now (a lookup retry
// needs nothing more than this scan); afterwards the issue is rewritten from the fresh state,
// which also unticks the boxes.
import type { RepoConfig } from '../config/types.js';
import {
  DASHBOARD_MARKER,
  DASHBOARD_TITLE,
  parseRequests,
  renderDashboard,
  useId,
} from '../dashboard/body.js';
import { listOpenAppPulls } from '../github/app-pulls.js';
import { findDashboardIssue, syncDashboardIssue, type DashboardIssue } from '../github/dashboard-issue.js';
import type { BotItem } from '../github/repository-reads.js';
import type { RepoContext } from '../github/types.js';
import { surveyRepository, type SurveyInput } from '../inventory/survey.js';
import type { BranchPlan } from '../plan/types.js';

const REPOSITORY_DASHBOARD = { marker: DASHBOARD_MARKER, title: DASHBOARD_TITLE };

export interface DashboardState {
  issue: DashboardIssue | null;
  /** Branches whose plan holds an update a maintainer asked for now. */
  forcedBranches: Set<string>;
}

export async function readDashboard(
  ctx: RepoContext,
  config: RepoConfig,
  plans: BranchPlan[],
  openBotItems: BotItem[],
): Promise<DashboardState | null> {
  if (!config.dashboard) return null;
  const issue = await findDashboardIssue(ctx, REPOSITORY_DASHBOARD, openBotItems);
  const { updateNow, retry } = parseRequests(issue?.body);
  const forcedBranches = new Set(
    plans.filter((p) => p.updates.some((u) => updateNow.has(useId(u.file, u)))).map((p) => p.branch),
  );
  if (updateNow.size + retry.size > 0)
    ctx.log.info(
      { updateNow: updateNow.size, retry: retry.size, forced: [...forcedBranches] },
      'dashboard requests',
    );
  return { issue, forcedBranches };
}

export async function writeDashboard(
  ctx: RepoContext,
  state: DashboardState,
  input: Omit<SurveyInput, 'open'>,
): Promise<void> {
  // The pull requests as they are now, after this scan opened, updated or closed some.
  const open = await listOpenAppPulls(ctx);
  const inventory = await surveyRepository({ ...input, open });
  const outcome = await syncDashboardIssue(
    ctx,
    REPOSITORY_DASHBOARD,
    state.issue,
    renderDashboard(inventory),
  );
  ctx.log.info({ issue: state.issue?.number, outcome }, 'dashboard issue');
}
