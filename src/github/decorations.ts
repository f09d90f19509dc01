// Labels, assignees and review requests the config asks an app PR to carry. Pure: what to add, from
// the config and what the open-PR listing already says the PR has. Only ever additions — a human's
// labels, assignees and reviewers stay — and only until the PR is marked decorated: after that a
// label a human removed or a reviewer who has reviewed (and so left the requested list) is not
// asked for again.
import type { RepoConfig } from '../config/types.js';

/** Added to the body once the config's decorations were all applied (or refused for good). */
export const DECORATED_MARKER = '<!-- freshbase:decorated -->';

export interface Decorations {
  labels: string[];
  assignees: string[];
  /** Users asked to review. */
  reviewers: string[];
  /** Team slugs asked to review (`org/team` in the config names the team `team`). */
  teams: string[];
}

export function wantedDecorations(
  config: Pick<RepoConfig, 'labels' | 'assignees' | 'reviewers'>,
): Decorations {
  return {
    labels: config.labels,
    assignees: config.assignees,
    reviewers: config.reviewers.filter((r) => !r.includes('/')),
    teams: config.reviewers.filter((r) => r.includes('/')).map((r) => r.split('/').pop() ?? r),
  };
}

export function hasNoDecorations(d: Decorations): boolean {
  return d.labels.length + d.assignees.length + d.reviewers.length + d.teams.length === 0;
}

/** What `wanted` has that `present` lacks; GitHub compares label names and logins case-insensitively. */
export function missingDecorations(wanted: Decorations, present: Decorations): Decorations {
  const lacking = (want: string[], have: string[]) => {
    const held = new Set(have.map((name) => name.toLowerCase()));
    return want.filter((name) => !held.has(name.toLowerCase()));
  };
  return {
    labels: lacking(wanted.labels, present.labels),
    assignees: lacking(wanted.assignees, present.assignees),
    reviewers: lacking(wanted.reviewers, present.reviewers),
    teams: lacking(wanted.teams, present.teams),
  };
}

/**
 * What an existing app PR still needs, or null when nothing: a PR already marked decorated, or one
 * that has everything the config asks for, costs no request.
 */
export function decorationRepair(
  config: Pick<RepoConfig, 'labels' | 'assignees' | 'reviewers'>,
  pull: { body: string; decorations: Decorations },
): Decorations | null {
  if (pull.body.includes(DECORATED_MARKER)) return null;
  const missing = missingDecorations(wantedDecorations(config), pull.decorations);
  return hasNoDecorations(missing) ? null : missing;
}
