// Onboarding (org config `onboarding: true`): what to do in a repository, decided from facts alone.
// GitHub is the state: the app's pull requests on the one onboarding branch say whether the
// repository was offered Freshbase and what its maintainers answered. Pure (no I/O).

/** The onboarding pull request's head branch. Fixed, not under `branchPrefix`: a later change of the
 * prefix must not make Freshbase forget that a repository declined. */
export const ONBOARDING_BRANCH = 'freshbase/onboarding';

/** One of the app's pull requests on ONBOARDING_BRANCH. */
export interface OnboardingPull {
  number: number;
  open: boolean;
  merged: boolean;
  /** Closed by the app itself (marked in its body): not the maintainers' answer. */
  closedByApp: boolean;
}

export interface OnboardingFacts {
  /** The config in effect (the org's, for a repository without its own) asks for onboarding. */
  enabled: boolean;
  /** The repository has its own `.github/freshbase.yml` on its default branch. */
  ownConfig: boolean;
  /**
   * The app's pull requests on the onboarding branch: every state when `needsAllPulls`, else only
   * the open ones (already listed by the scan, at no extra cost).
   */
  pulls: readonly OnboardingPull[];
}

export type OnboardingDecision =
  /** Scan and propose updates as usual; `close`: an open onboarding PR that is no longer needed. */
  | { action: 'normal'; close?: { pull: number; reason: string } }
  /** Open the onboarding pull request; nothing else. */
  | { action: 'onboard' }
  /** The onboarding pull request is open: keep its body up to date; nothing else. */
  | { action: 'wait'; pull: number }
  /** The maintainers closed the onboarding pull request unmerged: do nothing here, ever. */
  | { action: 'leave-alone'; pull: number };

/** Whether the decision needs the closed onboarding pull requests too (one listing). */
export function needsAllPulls(facts: Pick<OnboardingFacts, 'enabled' | 'ownConfig'>): boolean {
  return facts.enabled && !facts.ownConfig;
}

export const CONFIG_ADDED_REASON =
  '`.github/freshbase.yml` is on the default branch now, so this onboarding pull request is not needed any more.';
export const ONBOARDING_OFF_REASON =
  "Onboarding was switched off in the organisation's Freshbase config, so this pull request is closed.";

export function decideOnboarding(facts: OnboardingFacts): OnboardingDecision {
  const open = facts.pulls.find((p) => p.open);
  if (!needsAllPulls(facts)) {
    if (!open) return { action: 'normal' };
    const reason = facts.ownConfig ? CONFIG_ADDED_REASON : ONBOARDING_OFF_REASON;
    return { action: 'normal', close: { pull: open.number, reason } };
  }
  if (open) return { action: 'wait', pull: open.number };
  // Merged once: the repository was onboarded. A config file removed since then means the org's
  // config applies, not a second onboarding.
  if (facts.pulls.some((p) => p.merged)) return { action: 'normal' };
  const declined = facts.pulls.find((p) => !p.closedByApp);
  if (declined) return { action: 'leave-alone', pull: declined.number };
  return { action: 'onboard' };
}
