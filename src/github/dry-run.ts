// FRESHBASE_DRY_RUN=true: every job plans as usual, and its GitHub client refuses every write —
// the one switch sits at the seam where a job gets its installation client, so no code path
// (pull requests, check runs, issues, dashboards, onboarding) can write around it. Each refused
// write is logged with what it would have done; the use case logs the plan and carries on.
import type { GitHubClient, Log } from './types.js';

export function isDryRun(env: NodeJS.ProcessEnv): boolean {
  const value = env.FRESHBASE_DRY_RUN?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`FRESHBASE_DRY_RUN must be true or false, got "${env.FRESHBASE_DRY_RUN}"`);
}

/** What a job gets instead of a write's answer in a dry run; the use case treats it as done. */
export class DryRunRefusal extends Error {
  constructor(
    readonly method: string,
    readonly route: string,
  ) {
    super(`dry run: ${method} ${route} not sent to GitHub`);
    this.name = 'DryRunRefusal';
  }
}

const READS = new Set(['GET', 'HEAD']);
const MAX_SUMMARY = 200;

/** A short description of a write from its parameters: the title, name, ref or message it carries. */
function summary(options: Record<string, unknown>): Record<string, string> {
  const said: Record<string, string> = {};
  for (const key of ['title', 'name', 'ref', 'message', 'state', 'labels', 'reviewers'] as const) {
    const value = options[key];
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    said[key] = text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY)}…` : text;
  }
  return said;
}

function isGraphqlMutation(options: Record<string, unknown>): boolean {
  return typeof options.query === 'string' && /^\s*mutation\b/.test(options.query);
}

/** Makes `octokit` refuse (and log) every request that would change something on GitHub. */
export function refuseWrites<T extends GitHubClient>(octokit: T, log: Log): T {
  octokit.hook.wrap('request', async (request, options) => {
    const method = String(options.method).toUpperCase();
    const route = String(options.url);
    const write = route === '/graphql' ? isGraphqlMutation(options) : !READS.has(method);
    if (!write) return request(options);
    const params = options as unknown as Record<string, unknown>;
    const target = [params.owner, params.repo].filter((v) => typeof v === 'string').join('/');
    log.info(
      { method, route, repository: target || undefined, ...summary(params) },
      'dry run: write not sent to GitHub',
    );
    throw new DryRunRefusal(method, route);
  });
  return octokit;
}

/**
 * Runs a step that writes. In a dry run its first refused write ends the step (the refusal was
 * logged with what it would have written) and the job carries on; returns whether the step ran
 * to its end. Other errors propagate.
 */
export async function unlessDryRun(step: () => Promise<unknown>, log: Log, what: object): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (error) {
    if (!(error instanceof DryRunRefusal)) throw error;
    log.info({ ...what, refused: `${error.method} ${error.route}` }, 'dry run: step planned, not written');
    return false;
  }
}
