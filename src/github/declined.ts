// Declined updates: a PR of the app closed without merge declines exactly the updates its metadata
// lists. A later digest or tag of the same image is a different key and is proposed again.
import type { PlanMetadata, PlannedUpdate } from '../plan/types.js';
import { asAppPull, CLOSED_BY_APP_MARKER, UPDATES_STOPPED_MARKER } from './app-pulls.js';
import type { RepoContext } from './types.js';

/** Closed PRs looked at, newest activity first: older declines age out rather than costing calls. */
const MAX_CLOSED_PAGES = 5;

type DeclineKeyFields = Pick<PlanMetadata['updates'][number], 'file' | 'imageName' | 'toTag' | 'toDigest'>;

export function declineKey(u: DeclineKeyFields): string {
  return JSON.stringify([u.file, u.imageName, u.toTag, u.toDigest]);
}

export async function loadDeclined(ctx: RepoContext): Promise<Set<string>> {
  const declined = new Set<string>();
  let pages = 0;
  const iterator = ctx.octokit.paginate.iterator(ctx.octokit.rest.pulls.list, {
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'closed',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  });
  for await (const { data } of iterator) {
    for (const pr of data) {
      const pull = asAppPull(ctx, pr);
      // Closed by the app itself (superseded, disabled) or after a human took the branch over:
      // nobody said no to the update, so it stays proposable.
      if (!pull || pr.merged_at || pull.body.includes(CLOSED_BY_APP_MARKER)) continue;
      if (pull.body.includes(UPDATES_STOPPED_MARKER)) continue;
      for (const update of pull.metadata.updates) declined.add(declineKey(update));
    }
    if (++pages >= MAX_CLOSED_PAGES) break;
  }
  if (declined.size > 0)
    ctx.log.info({ declined: declined.size }, 'declined updates from closed pull requests');
  return declined;
}

export function isDeclinedBy(declined: Set<string>): (update: PlannedUpdate) => boolean {
  return (u) =>
    declined.has(
      declineKey({ file: u.file, imageName: u.imageName, toTag: u.to.tag, toDigest: u.to.digest }),
    );
}
