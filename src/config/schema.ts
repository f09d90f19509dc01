// The zod schema of `.github/freshbase.yml`: validation, defaults, and the source of the published
// JSON Schema. Its output type is exactly RepoConfig (checked at compile time below).
import { z } from 'zod';

import { DURATION, DURATION_HELP, parseDuration } from './duration.js';
import { cronProblem, isValidTimezone } from './schedule.js';
import { OFFERED_KINDS, UPDATE_KINDS } from '../image/update-kind.js';
import type { RepoConfig } from './types.js';

export const DEFAULT_FILES: readonly string[] = [
  '**/Dockerfile',
  '**/Dockerfile.*',
  '**/*.Dockerfile',
  '**/*.dockerfile',
  '**/Containerfile',
];

/** Every minute: the schedule does not hold anything back unless asked to. */
const DEFAULT_CRON = '* * * * *';
const DEFAULT_TIMEZONE = 'UTC';

const offeredKinds = z.array(z.enum(OFFERED_KINDS));
const globs = z.array(z.string().min(1));

/** Whether a pattern names images only: a `:` may only be a registry port, never a tag. */
function namesImagesOnly(pattern: string): boolean {
  const [first = '', ...rest] = pattern.split('/');
  if (pattern.includes('@') || rest.some((segment) => segment.includes(':'))) return false;
  return rest.length > 0 || !first.includes(':');
}

const imagePattern = z.string().min(1).refine(namesImagesOnly, {
  message: 'an image pattern names images without a tag or digest (e.g. "node", "ghcr.io/acme/*")',
});

/** `--platform` syntax: os/architecture[/variant], lower-case as Docker writes them. */
const PLATFORM = /^[a-z0-9_.-]+\/[a-z0-9_.-]+(?:\/[a-z0-9_.-]+)?$/;

// Git ref rules (git check-ref-format) that a prefix followed by a slug could break.
const BRANCH_PREFIX =
  /^(?!.*\.\.)(?!.*\/\/)(?!.*\/\.)(?!.*@\{)(?!.*\.lock(?:\/|$))[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

const platforms = z
  .array(
    z.string().regex(PLATFORM, {
      message: 'a platform is os/architecture[/variant], e.g. "linux/amd64", "linux/arm64/v8"',
    }),
  )
  .min(1);
const PLATFORMS_HELP =
  'Platforms the images are built for (os/architecture[/variant]); a new tag or digest must provide ' +
  "each, and a digest that changes none of them is not proposed. Default: the FROM's --platform, " +
  "else every platform of the image's current index.";

const duration = z
  .string()
  .regex(DURATION, { message: `must be ${DURATION_HELP}` })
  .refine((text) => !DURATION.test(text) || parseDuration(text) !== null, {
    message: 'must be at most a year',
  });
const MINIMUM_RELEASE_AGE_HELP =
  'Propose a digest only once Freshbase has seen it this long (e.g. "3 days"); until then the update ' +
  'is held and reported with its due date. Counted from when Freshbase first saw the digest, not the ' +
  "image's created date.";

const automergeKinds = z.array(z.enum(UPDATE_KINDS));
const AUTOMERGE_HELP =
  "Update kinds (pin, digest, patch, minor, major) whose PRs get GitHub's auto-merge, so GitHub " +
  'merges them once the required checks pass; only when every update of the PR is such a kind and ' +
  'passes the SBOM gate (see README).';

export const imageRuleSchema = z.strictObject({
  images: z
    .array(imagePattern)
    .min(1)
    .describe('Image patterns on the normalised name; "node" = docker.io/library/node.'),
  updates: offeredKinds.optional().describe('Kinds offered for these images.'),
  pin: z.boolean().optional().describe('Add a digest to references of these images that have none.'),
  enabled: z.boolean().optional().describe('false leaves these images alone.'),
  platforms: platforms.optional().describe(PLATFORMS_HELP),
  minimumReleaseAge: duration.optional().describe(MINIMUM_RELEASE_AGE_HELP),
  automerge: automergeKinds.optional().describe(AUTOMERGE_HELP),
});

export const scheduleSchema = z.strictObject({
  cron: z
    .string()
    .default(DEFAULT_CRON)
    .superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron "${cron}": ${problem}` });
    })
    .describe('Five-field cron; PRs are opened or updated only in minutes it matches.'),
  timezone: z
    .string()
    .default(DEFAULT_TIMEZONE)
    .refine(isValidTimezone, { message: 'unknown IANA timezone (e.g. "UTC", "Europe/Berlin")' })
    .describe('IANA timezone of the cron.'),
});

export const configObjectSchema = z
  .strictObject({
    _extends: z
      .string()
      .optional()
      .describe("Inherit from another repository's config (resolved by Probot)."),
    enabled: z.boolean().default(true).describe('false turns Freshbase off for this repository.'),
    files: globs.default([...DEFAULT_FILES]).describe('Globs of the Dockerfiles to scan.'),
    ignorePaths: globs.default([]).describe('Globs of paths not to scan.'),
    ignoreImages: z
      .array(imagePattern)
      .default([])
      .describe('Image patterns to leave alone, e.g. "ghcr.io/acme/*".'),
    pin: z.boolean().default(true).describe('Add a digest to references that have none.'),
    updates: offeredKinds
      .default(['digest', 'patch'])
      .describe('Kinds offered: digest, patch, minor, major.'),
    platforms: platforms.optional().describe(PLATFORMS_HELP),
    minimumReleaseAge: duration.optional().describe(MINIMUM_RELEASE_AGE_HELP),
    automerge: automergeKinds.default([]).describe(AUTOMERGE_HELP),
    automergeMethod: z
      .enum(['merge', 'squash', 'rebase'])
      .default('merge')
      .describe('How GitHub merges a PR it auto-merges.'),
    rules: z
      .array(imageRuleSchema)
      .default([])
      .describe('Later rules override earlier ones for the images they match.'),
    group: z
      .enum(['repository', 'file', 'image'])
      .default('repository')
      .describe('One pull request per repository, per file or per image.'),
    schedule: scheduleSchema.default({ cron: DEFAULT_CRON, timezone: DEFAULT_TIMEZONE }),
    maxOpenPullRequests: z.number().int().min(0).default(5).describe('Open at most this many Freshbase PRs.'),
    labels: z.array(z.string().min(1).max(50)).default(['dependencies', 'docker']),
    reviewers: z.array(z.string().min(1)).default([]).describe('Users, or org/team for teams.'),
    assignees: z.array(z.string().min(1)).default([]),
    branchPrefix: z
      .string()
      .max(100)
      .regex(BRANCH_PREFIX, {
        message:
          'must be usable in a git branch name: letters, digits, ".", "_", "-", "/" (no "..", "//", ".lock")',
      })
      .default('freshbase/'),
    commitMessagePrefix: z.string().max(100).default('chore(deps):'),
    dashboard: z
      .boolean()
      .default(false)
      .describe('Keep a "Freshbase dashboard" issue listing every base image and its state.'),
    orgDashboard: z
      .boolean()
      .default(false)
      .describe(
        "Only in the org's .github repository: keep an issue there with the fleet table of every repository.",
      ),
    onboarding: z
      .boolean()
      .default(false)
      .describe(
        "In the org's .github repository: a repository without its own .github/freshbase.yml first gets one pull request adding it, and nothing else until that is merged.",
      ),
  })
  .meta({ title: 'Freshbase repository config (.github/freshbase.yml)' });

export const repoConfigSchema = configObjectSchema
  // Probot resolves `_extends` before the config reaches us; it is not part of the policy.
  .transform(({ _extends: _ignored, ...config }) => config);

// Fails to compile when the schema's output drifts from the RepoConfig interface, either way.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const outputIsRepoConfig: Same<z.output<typeof repoConfigSchema>, RepoConfig> = true;
void outputIsRepoConfig;

/** The keys allowed in the mapping at `path`, to suggest a fix for an unknown key. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  if (path[0] === 'schedule') return Object.keys(scheduleSchema.shape);
  if (path[0] === 'rules') return Object.keys(imageRuleSchema.shape);
  return Object.keys(configObjectSchema.shape);
}
