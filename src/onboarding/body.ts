// The onboarding pull request's text: the config file it adds (a commented default) and a body
// that says what Freshbase would change once it is merged. Pure. The body holds no timestamp, so
// an unchanged plan renders byte for byte the same body and the pull request is not edited.
import { stringify } from 'yaml';
import { CONFIG_PATH, validateConfig } from '../config/load.js';
import type { RepoConfig } from '../config/types.js';
import { shortDigest } from '../image/reference.js';
import { repositoryMarkdown } from '../inventory/render.js';
import type { RepositoryInventory } from '../inventory/types.js';
import { code } from '../plan/markdown.js';
import type { BranchPlan } from '../plan/types.js';
import { ONBOARDING_BRANCH } from './decide.js';

/** Finds the onboarding pull request's body as the app's; never shown. */
export const ONBOARDING_MARKER = '<!-- freshbase:onboarding -->';
export const ONBOARDING_TITLE = 'Configure Freshbase';
export const ONBOARDING_COMMIT_MESSAGE = `Add ${CONFIG_PATH}`;

/** GitHub refuses pull request bodies over 65536 characters. */
const MAX_BODY_CHARS = 60_000;
/** Keys that mean something only in the org's `.github` repository. */
const ORG_KEYS = new Set<keyof RepoConfig>(['orgDashboard', 'onboarding']);

/**
 * The config file the onboarding pull request adds: every key commented out at its default, so
 * merging it changes nothing but "this repository is configured". With `extendsOrg` the org's
 * `.github` config keeps applying through `_extends` (without it, a repository's own file replaces
 * the org's), so what the body lists is what happens after the merge.
 */
export function configTemplate(extendsOrg: boolean): string {
  const defaults = validateConfig({});
  if (!defaults.ok) throw new Error('the config schema rejects an empty config');
  const keys = Object.entries(defaults.config).filter(([key]) => !ORG_KEYS.has(key as keyof RepoConfig));
  return [
    '# Freshbase keeps the base images of the Dockerfiles in this repository up to date.',
    '# Uncomment a key to change it; each line shows its default. See the Freshbase README.',
    ...(extendsOrg
      ? ["# The organisation's settings (its `.github` repository) apply under yours:", '_extends: .github']
      : []),
    ...keys.map(
      ([key, value]) => `# ${key}: ${stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim()}`,
    ),
    '',
  ].join('\n');
}

function describePlan(plan: BranchPlan): string {
  const lines = plan.updates.map((u) => {
    const from = `${u.from.tag ?? ''}@${u.from.digest ? shortDigest(u.from.digest) : '(no digest)'}`;
    const to = `${u.to.tag ?? ''}@${u.to.digest ? shortDigest(u.to.digest) : ''}`;
    return `  - ${code(`${u.file}:${u.line}`)} ${code(u.image)}: ${code(from)} → ${code(to)} (${u.kind})`;
  });
  return [`- ${code(plan.title)} on ${code(plan.branch)}`, ...lines].join('\n');
}

export interface OnboardingBodyInput {
  /** The scan under the config in effect: the pull requests Freshbase would open. */
  plans: BranchPlan[];
  /** Every image use and what Freshbase would do about it. */
  inventory: RepositoryInventory;
}

export function onboardingBody(input: OnboardingBodyInput): string {
  const parts = [
    ONBOARDING_MARKER,
    'Freshbase keeps the base images of Dockerfiles fresh: it pins each `FROM` to a digest and ' +
      'proposes newer digests and tags in pull requests. This pull request adds ' +
      `${code(CONFIG_PATH)}; until it is merged, Freshbase opens nothing else in this repository.\n`,
    `- **Merge it** to turn Freshbase on here: it then opens the pull requests listed below.`,
    `- **Close it without merging** to have Freshbase leave this repository alone: no pull ` +
      `requests, no dashboard. Adding ${code(CONFIG_PATH)} yourself later turns it on after all.`,
    `- **Edit the file on ${code(ONBOARDING_BRANCH)}** before merging to change what Freshbase ` +
      'does. What follows is planned under the config in effect now, and kept up to date here.\n',
    `## Pull requests Freshbase would open\n`,
    input.plans.length > 0 ? input.plans.map(describePlan).join('\n') : '_None: every image is up to date._',
    `\n## Base images\n`,
    repositoryMarkdown(input.inventory),
  ];
  const body = parts.join('\n');
  if (body.length <= MAX_BODY_CHARS) return body;
  const cut = body.lastIndexOf('\n', MAX_BODY_CHARS);
  return `${body.slice(0, cut)}\n\n_Cut short: too many entries to list; run \`freshbase report\`._\n`;
}
