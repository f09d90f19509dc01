// Onboarding decided from facts alone: the org switch, the repository's own config file, and the
// app's pull requests on the onboarding branch.
import {
  CONFIG_ADDED_REASON,
  decideOnboarding,
  needsAllPulls,
  ONBOARDING_OFF_REASON,
  type OnboardingDecision,
  type OnboardingPull,
} from '../../src/onboarding/decide.js';

const open: OnboardingPull = { number: 7, open: true, merged: false, closedByApp: false };
const merged: OnboardingPull = { number: 3, open: false, merged: true, closedByApp: false };
const declined: OnboardingPull = { number: 5, open: false, merged: false, closedByApp: false };
const closedByApp: OnboardingPull = { number: 4, open: false, merged: false, closedByApp: true };

const cases: Array<[string, boolean, boolean, OnboardingPull[], OnboardingDecision]> = [
  ['onboarding off, no config: as usual', false, false, [], { action: 'normal' }],
  ['own config: as usual', true, true, [], { action: 'normal' }],
  ['own config, onboarding off: as usual', false, true, [], { action: 'normal' }],
  ['no config, never offered: onboard', true, false, [], { action: 'onboard' }],
  ['no config, offered and open: wait', true, false, [open], { action: 'wait', pull: 7 }],
  [
    'open one wins over an older decline (reopened)',
    true,
    false,
    [open, declined],
    { action: 'wait', pull: 7 },
  ],
  [
    'closed unmerged by a maintainer: leave alone',
    true,
    false,
    [declined],
    { action: 'leave-alone', pull: 5 },
  ],
  ['merged once, config removed since: as usual', true, false, [merged], { action: 'normal' }],
  ['merged after an older decline: as usual', true, false, [merged, declined], { action: 'normal' }],
  [
    'closed by the app only (not an answer): onboard again',
    true,
    false,
    [closedByApp],
    { action: 'onboard' },
  ],
  [
    'config added by hand while the PR is open: as usual, PR closed',
    true,
    true,
    [open],
    { action: 'normal', close: { pull: 7, reason: CONFIG_ADDED_REASON } },
  ],
  [
    'onboarding switched off while the PR is open: as usual, PR closed',
    false,
    false,
    [open],
    { action: 'normal', close: { pull: 7, reason: ONBOARDING_OFF_REASON } },
  ],
  ['own config and a decline long ago: as usual', true, true, [declined], { action: 'normal' }],
];

test.each(cases)('%s', (_name, enabled, ownConfig, pulls, expected) => {
  expect(decideOnboarding({ enabled, ownConfig, pulls })).toEqual(expected);
});

test('the closed pull requests are read only when onboarding applies', () => {
  expect(needsAllPulls({ enabled: true, ownConfig: false })).toBe(true);
  expect(needsAllPulls({ enabled: true, ownConfig: true })).toBe(false);
  expect(needsAllPulls({ enabled: false, ownConfig: false })).toBe(false);
});
