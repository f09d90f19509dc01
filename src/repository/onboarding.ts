// The onboarding step of a repository scan (org config `onboarding: true`): decides from the
// app's pull requests on the onboarding branch whether this repository is scanned as usual, is
// offered Freshbase (one pull request adding the config, listing what would change), waits for
// that pull request, or is left alone because its maintainers closed it unmerged.
import { isPathSelected } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import type { AppPull } from '../github/app-pulls.js';
import { unlessDryRun } from '../github/dry-run.js';
import {
  listOnboardingPulls,
  openOnboardingPull,
  openOnboardingPulls,
  updateOnboardingPull,
  type OnboardingPullOnGitHub,
  type OnboardingWrite,
} from '../github/onboarding-pull.js';
import { readRepositoryFiles } from '../github/repo-files.js';
import type { RepoContext } from '../github/types.js';
import { surveyRepository } from '../inventory/survey.js';
import {
  configTemplate,
  ONBOARDING_COMMIT_MESSAGE,
  ONBOARDING_TITLE,
  onboardingBody,
} from '../onboarding/body.js';
import {
  decideOnboarding,
  needsAllPulls,
  ONBOARDING_BRANCH,
  type OnboardingDecision,
} from '../onboarding/decide.js';
import { scanRepository, type ScanInput } from './scan.js';

export interface OnboardingInput {
  config: RepoConfig;
  /** The repository has its own config file (LoadedConfig.ownFile). */
  ownConfig: boolean;
  /** The config was composed from the org's `.github` file (so the added file extends it). */
  orgConfigApplies: boolean;
  /** The app's open pull requests (listed by the scan anyway). */
  open: readonly AppPull[];
}

export interface OnboardingState {
  decision: OnboardingDecision;
  pulls: OnboardingPullOnGitHub[];
}

/** What to do here; reads the closed onboarding pull requests only when they can matter. */
export async function readOnboarding(ctx: RepoContext, input: OnboardingInput): Promise<OnboardingState> {
  const facts = { enabled: input.config.onboarding, ownConfig: input.ownConfig };
  const pulls = needsAllPulls(facts) ? await listOnboardingPulls(ctx) : openOnboardingPulls(input.open);
  return { decision: decideOnboarding({ ...facts, pulls }), pulls };
}

/** The open pull requests without the onboarding one, which the update reconcile must not see. */
export function withoutOnboardingPull(open: readonly AppPull[]): AppPull[] {
  return open.filter((p) => p.branch !== ONBOARDING_BRANCH);
}

export interface OnboardingScan {
  defaultBranch: string;
  headSha: string;
  orgConfigApplies: boolean;
  scanInput: Omit<ScanInput, 'files' | 'config'>;
}

export interface OnboardingOutcome {
  write: OnboardingWrite | 'dry-run';
  files: number;
  images: number;
  updates: number;
  lookups: number;
  errors: number;
}

/**
 * Opens the onboarding pull request, or keeps the open one's body up to date: the repository is
 * scanned under the config in effect (the org's) exactly as a normal scan would, and the body
 * lists the pull requests that scan plans and every image use — nothing else is written.
 */
export async function keepOnboardingPull(
  ctx: RepoContext,
  state: OnboardingState & { decision: { action: 'onboard' | 'wait' } },
  config: RepoConfig,
  scan: OnboardingScan,
): Promise<OnboardingOutcome> {
  const snapshot = await readRepositoryFiles(ctx, scan.headSha, (path) => isPathSelected(config, path));
  const scanInput = { ...scan.scanInput, files: snapshot.files };
  const planned = await scanRepository({ ...scanInput, config });
  const inventory = await surveyRepository({
    scanInput,
    config,
    proposed: planned,
    accepted: planned,
    open: [],
  });
  const text = { title: ONBOARDING_TITLE, body: onboardingBody({ plans: planned.plans, inventory }) };
  ctx.log.info(
    { branch: ONBOARDING_BRANCH, plans: planned.plans.map((p) => p.title), updates: planned.updates.length },
    'planned onboarding pull request',
  );
  const { decision } = state;
  let write: OnboardingOutcome['write'] = 'dry-run';
  const step = async () => {
    if (decision.action === 'wait') {
      const pull = state.pulls.find((p) => p.number === decision.pull)!;
      write = await updateOnboardingPull(ctx, pull, text);
    } else {
      const target = {
        defaultBranch: scan.defaultBranch,
        snapshot,
        config: configTemplate(scan.orgConfigApplies),
        message: ONBOARDING_COMMIT_MESSAGE,
      };
      write = await openOnboardingPull(ctx, target, text);
    }
  };
  await unlessDryRun(step, ctx.log, { step: 'onboarding' });
  return {
    write,
    files: snapshot.files.length,
    images: planned.extracted.reduce((n, f) => n + f.images.length, 0),
    updates: planned.updates.length,
    lookups: planned.lookups,
    errors: planned.errors.length,
  };
}
