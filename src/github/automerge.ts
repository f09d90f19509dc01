// GitHub's native auto-merge on the app's PRs (config `automerge`): turned on through GraphQL
// when the pure gate (plan/automerge.ts) allows the PR's plan, and off again when an update of the
// PR no longer passes it. A repository that refuses auto-merge (not allowed in its settings, no
// required checks so the PR is merged at once, a merge method it forbids) gets one note on the
// PR, never an error.
import type { RepoConfig } from '../config/types.js';
import { errorMessage } from '../errors.js';
import { automergeDecision } from '../plan/automerge.js';
import type { BranchPlan } from '../plan/types.js';
import { graphqlErrors } from './branch-writer.js';
import type { RepoContext } from './types.js';

/** Marks the one note that auto-merge could not be turned on. */
export const AUTOMERGE_REFUSED_MARKER = '<!-- freshbase:automerge-refused -->';

const ENABLE = `mutation($input: EnablePullRequestAutoMergeInput!) {
  enablePullRequestAutoMerge(input: $input) { clientMutationId }
}`;
const DISABLE = `mutation($input: DisablePullRequestAutoMergeInput!) {
  disablePullRequestAutoMerge(input: $input) { clientMutationId }
}`;

export interface AutomergePull {
  number: number;
  nodeId: string;
  autoMerge: boolean;
}

/** 'enabled' / 'disabled' when it changed it, 'refused' when GitHub would not, else 'unchanged'. */
export async function syncAutomerge(
  ctx: RepoContext,
  pull: AutomergePull,
  plan: BranchPlan,
  config: RepoConfig,
): Promise<'enabled' | 'disabled' | 'refused' | 'unchanged'> {
  const decision = automergeDecision(plan.updates, config);
  if (decision.enable === pull.autoMerge) return 'unchanged';
  const log = { pull: pull.number, branch: plan.branch };
  if (!decision.enable) {
    // Only a PR the app set to auto-merge, or one on which someone did, gets here; its plan changed.
    await ctx.write(() => ctx.octokit.graphql(DISABLE, { input: { pullRequestId: pull.nodeId } }));
    ctx.log.info({ ...log, reason: decision.reason }, 'auto-merge turned off');
    return 'disabled';
  }
  const mergeMethod = config.automergeMethod.toUpperCase();
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
    return 'refused';
  }
  ctx.log.info({ ...log, mergeMethod }, 'auto-merge turned on');
  return 'enabled';
}

async function noteRefusalOnce(ctx: RepoContext, number: number, refusal: string): Promise<void> {
  const { owner, repo, octokit } = ctx;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
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
      'merge method the repository allows. Until then, merge this pull request yourself.',
  ].join('\n');
  await ctx.write(() => octokit.rest.issues.createComment({ owner, repo, issue_number: number, body }));
}
