// Labels, assignees and review requests the config asks an app PR to carry. Pure: what to add, from
// the config and what the open-PR listing already says the PR has. Only ever additions — a human's
// labels, assignees and reviewers stay — and only while the PR is marked as still being decorated:
// once marked decorated, or when it carries neither mark (opened by a version of the app that did
// not mark PRs), a label a human removed or a reviewer who has reviewed (and so left the requested
// list, which holds only pending requests) is not asked for again.
import type { RepoConfig } from '../config/types.js';
import { hasMarker } from './body-markers.js';

/** Added to the body once the config's decorations were all applied (or refused for good). */
export const DECORATED_MARKER = '<!-- freshbase:decorated -->';
/**
 * In the body the app opens a PR with when the config asks for decorations; replaced by
 * DECORATED_MARKER once they are all applied. A PR with it lacks only what its decoration failed to
 * add, never something a human removed.
 */
export const DECORATING_MARKER = '<!-- freshbase:decorating -->';

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
 * What an existing app PR still needs, or null when nothing is to be done: a PR marked decorated,
 * or one without the decorating mark, costs no request. A PR still being decorated that has
 * everything gets an empty answer: it only needs marking.
 */
export function decorationRepair(
  config: Pick<RepoConfig, 'labels' | 'assignees' | 'reviewers'>,
  pull: { body: string; decorations: Decorations },
): Decorations | null {
  if (hasMarker(pull.body, DECORATED_MARKER) || !hasMarker(pull.body, DECORATING_MARKER)) return null;
  return missingDecorations(wantedDecorations(config), pull.decorations);
}

/** The body the app opens a PR with: marked as being decorated when the config asks for any. */
export function openingBody(
  config: Pick<RepoConfig, 'labels' | 'assignees' | 'reviewers'>,
  body: string,
): string {
  return hasNoDecorations(wantedDecorations(config)) ? body : `${body}\n${DECORATING_MARKER}`;
}

/** The body with neither decoration mark. */
function unmarked(body: string): string {
  let bare = body;
  for (const mark of [DECORATED_MARKER, DECORATING_MARKER])
    bare = bare.replaceAll(`\n${mark}`, '').replaceAll(mark, '');
  return bare;
}

/** The body with the decorated marker (once), without the decorating one. */
export function markedDecorated(body: string): string {
  return `${unmarked(body)}\n${DECORATED_MARKER}`;
}

/**
 * `body`, a new text for the PR, with the decoration mark `current` (the PR's body) has, and no
 * other: rewording a PR never changes how far its decoration got.
 */
export function withDecorationMark(current: string, body: string): string {
  if (hasMarker(current, DECORATED_MARKER)) return markedDecorated(body);
  if (hasMarker(current, DECORATING_MARKER)) return `${unmarked(body)}\n${DECORATING_MARKER}`;
  return unmarked(body);
}
