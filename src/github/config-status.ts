// The repository config's state as GitHub shows it: when invalid, a failing "Freshbase config"
// check run on the default-branch head plus one issue saying what to fix — kept, not duplicated;
// when valid again, the issue closed and a passing check run.
import { CONFIG_PATH } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { ConfigProblem } from '../config/types.js';
import type { BotItem } from './repository-reads.js';
import type { LoadedConfig } from './config-load.js';
import type { RepoContext } from './types.js';

export const CONFIG_CHECK_NAME = 'Freshbase config';
export const CONFIG_ISSUE_TITLE = 'Freshbase config is invalid';

export interface ConfigStatusOutcome {
  issue: 'none' | 'created' | 'updated' | 'unchanged' | 'closed';
  checkRun: 'none' | 'created' | 'updated' | 'unchanged';
}

/**
 * Makes GitHub show the config's state. Invalid: failing check run on `headSha` and the open issue
 * (created or brought up to date). Valid again: the issue is closed with a comment and `headSha`
 * gets a success check run. A valid config without an open issue costs one read and no writes.
 */
export async function syncConfigStatus(
  ctx: RepoContext,
  headSha: string,
  loaded: LoadedConfig,
  /** The bot's open issues and pull requests (`listOpenBotItems`), where the config issue would be. */
  botItems: readonly BotItem[],
): Promise<ConfigStatusOutcome> {
  const issue = botItems.find((i) => i.title === CONFIG_ISSUE_TITLE && !i.pull);
  if (loaded.ok) {
    if (!issue) return { issue: 'none', checkRun: 'none' };
    const checkRun = await publishCheckRun(ctx, headSha, 'success', {
      title: 'Config is valid',
      summary: `\`${CONFIG_PATH}\` is valid.`,
    });
    await ctx.write(() =>
      ctx.octokit.rest.issues.createComment({
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issue.number,
        body: `\`${CONFIG_PATH}\` is valid again (checked at ${headSha}); Freshbase scans this repository again.`,
      }),
    );
    await ctx.write(() =>
      ctx.octokit.rest.issues.update({
        owner: ctx.owner,
        repo: ctx.repo,
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'completed',
      }),
    );
    return { issue: 'closed', checkRun };
  }

  const body = issueBody(loaded, headSha);
  const checkRun = await publishCheckRun(ctx, headSha, 'failure', {
    title: `${loaded.problems.length} problem${loaded.problems.length === 1 ? '' : 's'} in ${CONFIG_PATH}`,
    summary: 'Freshbase skips this repository until the config is fixed.',
    text: problemList(loaded.problems),
  });
  if (!issue) {
    await ctx.write(() =>
      ctx.octokit.rest.issues.create({ owner: ctx.owner, repo: ctx.repo, title: CONFIG_ISSUE_TITLE, body }),
    );
    return { issue: 'created', checkRun };
  }
  if (issue.body === body) return { issue: 'unchanged', checkRun };
  await ctx.write(() =>
    ctx.octokit.rest.issues.update({ owner: ctx.owner, repo: ctx.repo, issue_number: issue.number, body }),
  );
  return { issue: 'updated', checkRun };
}

/** One check run per head commit: re-running on the same commit updates it only when it changed. */
async function publishCheckRun(
  ctx: RepoContext,
  headSha: string,
  conclusion: 'success' | 'failure',
  output: { title: string; summary: string; text?: string },
): Promise<'created' | 'updated' | 'unchanged'> {
  const { owner, repo, octokit } = ctx;
  const { data } = await octokit.rest.checks.listForRef({
    owner,
    repo,
    ref: headSha,
    check_name: CONFIG_CHECK_NAME,
    filter: 'latest',
  });
  const mine = data.check_runs.find((run) => run.app?.slug === ctx.identity.slug);
  if (mine) {
    const same =
      mine.conclusion === conclusion &&
      mine.output.title === output.title &&
      mine.output.summary === output.summary &&
      (mine.output.text ?? undefined) === output.text;
    if (same) return 'unchanged';
    await ctx.write(() =>
      octokit.rest.checks.update({
        owner,
        repo,
        check_run_id: mine.id,
        status: 'completed',
        conclusion,
        output,
      }),
    );
    return 'updated';
  }
  await ctx.write(() =>
    octokit.rest.checks.create({
      owner,
      repo,
      name: CONFIG_CHECK_NAME,
      head_sha: headSha,
      status: 'completed',
      conclusion,
      output,
    }),
  );
  return 'created';
}

function problemList(problems: ConfigProblem[]): string {
  return problems.map((p) => `- ${formatProblem(p)}`).join('\n');
}

function issueBody(loaded: Extract<LoadedConfig, { ok: false }>, headSha: string): string {
  const sources = loaded.sources?.length
    ? loaded.sources.map((s) => `\`${s}\``).join(', ')
    : `\`${CONFIG_PATH}\``;
  return [
    `Freshbase could not use its config (read from ${sources} at ${headSha}).`,
    '',
    'Problems:',
    '',
    problemList(loaded.problems),
    '',
    `Fix these keys in \`${CONFIG_PATH}\` on the default branch. Until then Freshbase skips this`,
    'repository: it opens and updates no pull requests. This issue closes itself once the config is valid.',
  ].join('\n');
}
