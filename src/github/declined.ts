// Declined updates: a PR of the app closed without merge declines exactly the updates its metadata
// lists. A later digest or tag of the same image is a different key and is proposed again.
//
// Closed PRs are read per planned branch (`head=owner:branch`), not from the repository's list of
// all closed PRs: a busy repository closes hundreds of other PRs, and a decline must not age out
// behind them. The scan plans without declines first, the plans name the branches, and the plans
// are regrouped without the declined updates — the pure plan stays free of GitHub calls.
import { groupPlans } from '../plan/group.js';
import type { PlanMetadata, PlannedUpdate, RepositoryScan } from '../plan/types.js';
import type { RepoConfig } from '../config/types.js';
import {
  type AppPull,
  asAppPull,
  CLOSED_BY_APP_MARKER,
  sameMetadata,
  UPDATES_STOPPED_MARKER,
} from './app-pulls.js';
import type { RepoContext } from './types.js';
import { hasMarker } from './body-markers.js';

/**
 * Closed PRs looked at per branch, newest activity first. One branch collects a closed PR per
 * decline or supersede, so 300 is years of history; older declines beyond it age out.
 */
const MAX_CLOSED_PAGES_PER_BRANCH = 3;

type DeclineKeyFields = Pick<PlanMetadata['updates'][number], 'file' | 'imageName' | 'toTag' | 'toDigest'>;

function declineKey(u: DeclineKeyFields): string {
  return JSON.stringify([u.file, u.imageName, u.toTag, u.toDigest]);
}

/** Decline keys of the app's PRs closed unmerged on `branches` (one bounded listing per branch). */
async function loadDeclined(ctx: RepoContext, branches: Iterable<string>): Promise<Set<string>> {
  const declined = new Set<string>();
  for (const branch of new Set(branches)) {
    let pages = 0;
    const iterator = ctx.octokit.paginate.iterator(ctx.octokit.rest.pulls.list, {
      owner: ctx.owner,
      repo: ctx.repo,
      state: 'closed',
      head: `${ctx.owner}:${branch}`,
      sort: 'updated',
      direction: 'desc',
      per_page: 100,
    });
    for await (const { data } of iterator) {
      for (const pr of data) {
        const pull = asAppPull(ctx, pr);
        // Closed by the app itself (superseded, disabled) or after a human took the branch over:
        // nobody said no to the update, so it stays proposable. Without metadata nobody can tell
        // what was declined.
        if (!pull?.metadata || pr.merged_at || hasMarker(pull.body, CLOSED_BY_APP_MARKER)) continue;
        if (hasMarker(pull.body, UPDATES_STOPPED_MARKER)) continue;
        for (const update of pull.metadata.updates) declined.add(declineKey(update));
      }
      if (++pages >= MAX_CLOSED_PAGES_PER_BRANCH) break;
    }
  }
  if (declined.size > 0)
    ctx.log.info({ declined: declined.size }, 'declined updates from closed pull requests');
  return declined;
}

function isDeclinedBy(declined: Set<string>): (update: PlannedUpdate) => boolean {
  return (u) =>
    declined.has(
      declineKey({ file: u.file, imageName: u.imageName, toTag: u.to.tag, toDigest: u.to.digest }),
    );
}

export interface DeclineFilterInput {
  scan: RepositoryScan;
  /** The app's open PRs: a branch whose open PR proposes exactly its plan needs no lookup. */
  open: AppPull[];
  config: RepoConfig;
  repoFullName: string;
  now: Date;
}

/**
 * The scan without the updates that closed PRs declined, regrouped. Dropping updates only shrinks
 * groups, so the closed PRs of the planned branches are all the ones that can matter.
 */
export async function withoutDeclined(ctx: RepoContext, input: DeclineFilterInput): Promise<RepositoryScan> {
  const { scan } = input;
  // An open PR already proposing exactly this plan was written when these updates were not
  // declined (or a human reopened it): the plan stands, so its branch costs no call.
  const branches = scan.plans
    .filter(
      (plan) => !input.open.some((p) => p.branch === plan.branch && sameMetadata(p.metadata, plan.metadata)),
    )
    .map((plan) => plan.branch);
  if (branches.length === 0) return scan;
  const isDeclined = isDeclinedBy(await loadDeclined(ctx, branches));
  const updates = scan.updates.filter((u) => !isDeclined(u));
  if (updates.length === scan.updates.length) return scan;
  return { ...scan, updates, plans: groupPlans(updates, input.config, input.repoFullName, input.now) };
}
