// GitHub's native auto-merge on the app's PRs (config `automerge`): turned on through GraphQL
// when the pure gate (plan/automerge.ts) allows every update the PR holds, and off again when one
// no longer passes — but only auto-merge the app turned on itself: a maintainer's (or another
// app's) "Enable auto-merge" is never undone. A repository that refuses auto-merge (not allowed in
// its settings, no required checks so the PR is merged at once, a merge method it forbids) gets
// one note on the PR, never an error, and is not asked again until the PR's proposal or the
// config's merge method changes.
import { policyFor } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { type AutomergeDecision, automergeDecision } from '../plan/automerge.js';
import type { BranchPlan, PlanMetadata } from '../plan/types.js';
import { type AutoMergeState, sameMetadata } from './app-pulls.js';
import { graphqlErrors } from './branch-writer.js';
import type { RepoContext } from './types.js';
import { hasMarker } from './body-markers.js';

/** Marks the one note that auto-merge could not be turned on. */
export const AUTOMERGE_REFUSED_MARKER = '<!-- freshbase:automerge-refused -->';

/**
 * Added to the PR's body once GitHub refused auto-merge with `mergeMethod`: later scans do not ask
 * again. Rewriting the body for a new proposal drops it, so an updated PR is asked about once more.
 */
export function automergeRefusedMark(mergeMethod: string): string {
  return `<!-- freshbase:automerge-refused-for:${mergeMethod} -->`;
}

const ENABLE = `mutation($input: EnablePullRequestAutoMergeInput!) {
  enablePullRequestAutoMerge(input: $input) { clientMutationId }
}`;
const DISABLE = `mutation($input: DisablePullRequestAutoMergeInput!) {
  disablePullRequestAutoMerge(input: $input) { clientMutationId }
}`;

export interface AutomergePull {
  number: number;
  nodeId: string;
  autoMerge: AutoMergeState;
  /** The PR's body as it is now: a refusal is remembered in it. */
  body: string;
  /** What the PR proposes (its metadata block); null when unknown. */
  metadata: PlanMetadata | null;
}

/** 'enabled' / 'disabled' when it changed it, 'refused' when GitHub would not, else 'unchanged'. */
export async function syncAutomerge(
  ctx: RepoContext,
  pull: AutomergePull,
  plan: BranchPlan,
  config: RepoConfig,
): Promise<'enabled' | 'disabled' | 'refused' | 'unchanged'> {
  const log = { pull: pull.number, branch: plan.branch };
  const decision = judgePull(pull, plan, config);
  if (decision === null) {
    ctx.log.debug(log, 'auto-merge left as it is: the pull request holds updates this scan did not look up');
    return 'unchanged';
  }
  if (!decision.enable) {
    if (pull.autoMerge !== 'by-app') return 'unchanged';
    await ctx.write(() => ctx.octokit.graphql(DISABLE, { input: { pullRequestId: pull.nodeId } }));
    ctx.log.info({ ...log, reason: decision.reason }, 'auto-merge turned off');
    return 'disabled';
  }
  if (pull.autoMerge !== 'off') return 'unchanged';
  const mergeMethod = config.automergeMethod.toUpperCase();
  if (hasMarker(pull.body, automergeRefusedMark(mergeMethod))) return 'unchanged';
  try {
    await ctx.write(() =>
      ctx.octokit.graphql(ENABLE, { input: { pullRequestId: pull.nodeId, mergeMethod } }),
    );
  } catch (error) {
    const errors = graphqlErrors(error);
    if (!errors) throw error;
    const refusal = errors.map((e) => e.message ?? '').join('; ') || errorMessage(error);
    ctx.log.info({ ...log, refusal }, 'auto-merge refused by GitHub');
    await noteRefusalOnce(ctx, pull.number, refusal);
    await rememberRefusal(ctx, pull, mergeMethod);
    return 'refused';
  }
  ctx.log.info({ ...log, mergeMethod }, 'auto-merge turned on');
  return 'enabled';
}

/**
 * The gate's answer for what the PR holds, or null when this scan cannot judge it. The plan's
 * updates carry the SBOM comparisons; they are what the PR holds only when its proposal is the
 * plan's. Otherwise the PR kept updates whose lookup failed or was deferred this scan
 * (pull-decision.ts leaves it unchanged then): auto-merge is never turned on for them, but a kind
 * the config no longer lists for an image still turns it off.
 */
function judgePull(pull: AutomergePull, plan: BranchPlan, config: RepoConfig): AutomergeDecision | null {
  if (sameMetadata(pull.metadata, plan.metadata)) return automergeDecision(plan.updates, config);
  const unlisted = (pull.metadata?.updates ?? []).find(
    (u) => !policyFor(config, u.imageName).automerge.includes(u.kind),
  );
  if (!unlisted) return null;
  return {
    enable: false,
    reason: `${unlisted.imageName}: ${unlisted.kind} updates are not set to automerge`,
  };
}

/**
 * Comments GitHub's reason unless the app's note is already there: a run that stopped between
 * commenting and marking the body, or a PR updated since, has it. The note is the PR's first
 * comments' business (it comes right after the PR opens or changes), so one page is read, not all.
 */
async function noteRefusalOnce(ctx: RepoContext, number: number, refusal: string): Promise<void> {
  const { owner, repo, octokit } = ctx;
  const { data: comments } = await octokit.rest.issues.listComments({
    owner,
    repo,
    issue_number: number,
    per_page: 100,
  });
  const noted = comments.some(
    (c) => c.user?.login === ctx.identity.botLogin && c.body?.includes(AUTOMERGE_REFUSED_MARKER),
  );
  if (noted) return;
  const body = [
    AUTOMERGE_REFUSED_MARKER,
    `Freshbase's config asks for auto-merge on this pull request, but GitHub did not turn it on: ${refusal}`,
    '',
    'Auto-merge needs "Allow auto-merge" in the repository settings and a branch protection rule with ' +
      'required checks (otherwise GitHub merges nothing automatically), and `automergeMethod` must be a ' +
      'merge method the repository allows. Freshbase asks again when it updates this pull request or ' +
      '`automergeMethod` changes; once the settings allow it, you can also turn auto-merge on here ' +
      'yourself (Freshbase never turns off auto-merge it did not turn on). Until then, merge this pull ' +
      'request yourself.',
  ].join('\n');
  await ctx.write(() => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }));
}

async function rememberRefusal(ctx: RepoContext, pull: AutomergePull, mergeMethod: string): Promise<void> {
  const body = `${pull.body}\n${automergeRefusedMark(mergeMethod)}`;
  await ctx.write(() =>
    ctx.octokit.rest.pulls.update({ owner: ctx.owner, repo: ctx.repo, pull_number: pull.number, body }),
  );
}
