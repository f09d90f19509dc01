// The onboarding pull request on GitHub: found on its fixed branch (open, merged or closed — the
// closed one is how "leave this repository alone" is remembered, with no state of our own),
// opened once with the config file, and its text kept up to date in place.
import { CONFIG_PATH } from '../config/load.js';
import { ONBOARDING_BRANCH, type OnboardingPull } from '../onboarding/decide.js';
import { type AppPull, asAppPull, CLOSED_BY_APP_MARKER } from './app-pulls.js';
import { branchOwnership } from './branch-writer.js';
import { commitToNewBranch } from './new-branch.js';
import { openPull, type PullText, updatePullText } from './pull-actions.js';
import type { RepoSnapshot } from './repo-files.js';
import type { RepoContext } from './types.js';
import { hasMarker } from './body-markers.js';

/** One of the app's pull requests on the onboarding branch, with its text. */
export type OnboardingPullOnGitHub = OnboardingPull & PullText;

function onboardingPull(pull: AppPull, state: { open: boolean; merged: boolean }): OnboardingPullOnGitHub {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    ...state,
    closedByApp: hasMarker(pull.body, CLOSED_BY_APP_MARKER),
  };
}

/** The app's open onboarding pull request among the open ones the scan listed anyway, if any. */
export function openOnboardingPulls(open: readonly AppPull[]): OnboardingPullOnGitHub[] {
  return open
    .filter((p) => p.branch === ONBOARDING_BRANCH)
    .map((p) => onboardingPull(p, { open: true, merged: false }));
}

/**
 * Every pull request of the app's on the onboarding branch, newest first, in one request: the
 * branch only ever gets a handful (one per onboarding, and one more per "config removed again").
 */
export async function listOnboardingPulls(ctx: RepoContext): Promise<OnboardingPullOnGitHub[]> {
  const { data } = await ctx.octokit.rest.pulls.list({
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'all',
    head: `${ctx.owner}:${ONBOARDING_BRANCH}`,
    per_page: 100,
  });
  return data.flatMap((pr) => {
    const pull = asAppPull(ctx, pr);
    return pull ? [onboardingPull(pull, { open: pr.state === 'open', merged: Boolean(pr.merged_at) })] : [];
  });
}

export type OnboardingWrite = 'opened' | 'updated' | 'unchanged' | 'held';

/**
 * Opens the onboarding pull request: the config file committed on the onboarding branch from the
 * default-branch head (a left-over branch of the app's is reused; one with anybody else's commits
 * is left alone: `held`), then the pull request (one opened meanwhile is updated instead).
 */
export async function openOnboardingPull(
  ctx: RepoContext,
  target: { defaultBranch: string; snapshot: RepoSnapshot; config: string; message: string },
  text: PullText,
): Promise<OnboardingWrite> {
  const { defaultBranch, snapshot } = target;
  const ownership = await branchOwnership(ctx, defaultBranch, ONBOARDING_BRANCH);
  const commit = {
    defaultBranch,
    base: snapshot,
    branch: ONBOARDING_BRANCH,
    content: {
      files: [{ path: CONFIG_PATH, content: target.config }],
      modes: snapshot.modes,
      message: target.message,
    },
  };
  const made = ownership.kind === 'foreign' ? ownership : await commitToNewBranch(ctx, commit, ownership);
  if ('authors' in made) {
    ctx.log.warn(
      { branch: ONBOARDING_BRANCH, authors: made.authors },
      'onboarding branch has commits by others; onboarding pull request not opened',
    );
    return 'held';
  }
  const pull = await openPull(ctx, { branch: ONBOARDING_BRANCH, ...text }, defaultBranch);
  ctx.log.info({ pull: pull.number, created: pull.created }, 'onboarding pull request opened');
  return pull.created ? 'opened' : 'updated';
}

/** Brings the open onboarding pull request's text up to date; no write when it already is. */
export async function updateOnboardingPull(
  ctx: RepoContext,
  pull: OnboardingPullOnGitHub,
  text: PullText,
): Promise<OnboardingWrite> {
  if (pull.title === text.title && pull.body === text.body) return 'unchanged';
  await updatePullText(ctx, pull, text);
  ctx.log.info({ pull: pull.number }, 'onboarding pull request updated');
  return 'updated';
}
