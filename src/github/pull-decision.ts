// What to do about one branch's pull request, decided from facts alone: this scan's plan for the
// branch, the app's open PR on it, who committed to the branch, the schedule window and the open-PR
// cap. Pure (no I/O); reconcile-pulls.ts reads the facts and carries the decision out.
import type { ExtractResult } from '../dockerfile/types.js';
import type { BranchPlan, PlanMetadata } from '../plan/types.js';
import { type AppPull, sameMetadata } from './app-pulls.js';
import type { BranchOwnership } from './branch-writer.js';

export interface PullFacts {
  /** This scan's plan for the branch; absent when the scan no longer plans the branch. */
  plan?: BranchPlan;
  /** The app's open PR on the branch, if any. */
  pull?: AppPull;
  /**
   * Who committed to the branch since it left the default branch. Reading it costs a request, so
   * it is read only when the other facts call for a push (`open` or `update`), then decided again.
   */
  ownership?: BranchOwnership;
  /** Inside the config's schedule window: PRs may be opened and updated (closing is always allowed). */
  inWindow: boolean;
  /** A maintainer asked for this branch now (dashboard): neither the window nor the cap holds it back. */
  forced?: boolean;
  /** The app's PRs open right now, and the config's cap on them. */
  openPulls: number;
  maxOpenPulls: number;
  defaultBranch: string;
  /** The images on the default branch, as this scan extracted them. */
  extracted: ExtractResult[];
  /** Files with an image whose lookup failed this scan: what the plan lacks may only be missing. */
  failedFiles: ReadonlySet<string>;
}

export type PullDecision =
  | { action: 'open'; plan: BranchPlan }
  | { action: 'update'; plan: BranchPlan; pull: AppPull }
  | { action: 'unchanged' }
  /** Propose nothing now. `stopped`: the PR's branch has others' commits; say so once on the PR. */
  | { action: 'hold'; plan: BranchPlan; reason: string; stopped?: { pull: AppPull; authors: string[] } }
  | { action: 'close'; pull: AppPull; reason: string };

/** Held back because someone else committed to the branch. */
export const FOREIGN_COMMITS = 'branch has commits by others';
export const FOREIGN_BRANCH = 'branch exists with commits by others';

export function decidePull(facts: PullFacts): PullDecision {
  const { plan, pull } = facts;
  if (!plan) {
    if (!pull) return { action: 'unchanged' };
    const reason = closeReason(pull, facts);
    return reason === null ? { action: 'unchanged' } : { action: 'close', pull, reason };
  }
  // Identical proposal: no push even if the default branch moved — the diff is the same and a
  // rebase-only push would re-run CI and notify reviewers for nothing.
  if (pull && sameMetadata(pull.metadata, plan.metadata)) return { action: 'unchanged' };
  if (pull && dropsFailedUpdates(pull, plan, facts)) return { action: 'unchanged' };
  if (!facts.inWindow && !facts.forced)
    return { action: 'hold', plan, reason: 'outside the schedule window' };
  if (pull) {
    if (facts.ownership?.kind === 'foreign') {
      // The app never pushes over someone else's commits.
      const stopped = { pull, authors: facts.ownership.authors };
      return { action: 'hold', plan, reason: FOREIGN_COMMITS, stopped };
    }
    return { action: 'update', plan, pull };
  }
  if (facts.openPulls >= facts.maxOpenPulls && !facts.forced) {
    return { action: 'hold', plan, reason: 'maxOpenPullRequests reached' };
  }
  // A branch without a PR is left over from a run that stopped before opening it: it is reused
  // when only the app committed to it.
  if (facts.ownership?.kind === 'foreign') return { action: 'hold', plan, reason: FOREIGN_BRANCH };
  return { action: 'open', plan };
}

/** Why an open PR whose branch this scan does not plan is closed; null to keep it open. */
function closeReason(pull: AppPull, facts: PullFacts): string | null {
  if (!pull.metadata) {
    // Its proposal is unknown (metadata edited away): closing is safe only when no lookup failed.
    if (facts.failedFiles.size > 0) return null;
    return `Freshbase has nothing to propose on \`${pull.branch}\` any more, so it is closed.`;
  }
  const pending = pull.metadata.updates.filter((u) => isPending(u, facts.extracted));
  if (pending.some((u) => facts.failedFiles.has(u.file))) return null;
  return pending.length === 0
    ? `The updates in this pull request are already on \`${facts.defaultBranch}\`, so it is closed as superseded.`
    : 'Freshbase no longer proposes these updates under the current `.github/freshbase.yml`, so it is closed.';
}

type MetaUpdate = PlanMetadata['updates'][number];

/** The default branch still has the image at the version this update starts from. */
function isPending(u: MetaUpdate, extracted: ExtractResult[]): boolean {
  const file = extracted.find((f) => f.file === u.file);
  return (file?.images ?? []).some(
    (i) =>
      `${i.registry}/${i.repository}` === u.imageName && i.tag === u.fromTag && i.digest === u.fromDigest,
  );
}

/**
 * The new plan lacks an update the PR has only because its lookup failed this run: replacing the
 * PR with the smaller plan would drop it now and add it back next run, so keep the PR as it is.
 */
function dropsFailedUpdates(pull: AppPull, plan: BranchPlan, facts: PullFacts): boolean {
  if (!pull.metadata) return false;
  const planned = new Set(plan.metadata.updates.map((u) => `${u.file}\0${u.imageName}`));
  return pull.metadata.updates.some(
    (u) =>
      !planned.has(`${u.file}\0${u.imageName}`) &&
      facts.failedFiles.has(u.file) &&
      isPending(u, facts.extracted),
  );
}
