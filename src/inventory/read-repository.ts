// One repository's inventory, read without writing anything to GitHub: the same reads as a scan
// (metadata, config, open and closed app PRs, Dockerfiles) and the same registry lookups, but no
// check run, issue, branch or PR. The context's write queue refuses every call to make sure.
import { isPathSelected } from '../config/policy.js';
import { formatProblem } from '../config/problems.js';
import { listOpenAppPulls } from '../github/app-pulls.js';
import { loadRepoConfig } from '../github/config-load.js';
import { withoutDeclined } from '../github/declined.js';
import { readRepositoryFiles } from '../github/repo-files.js';
import { scannableHead } from '../github/repository-reads.js';
import type { AppIdentity, GitHubClient, Log, RepoContext } from '../github/types.js';
import { scanRepository } from '../repository/scan.js';
import type { RegistryLookup } from '../registry/types.js';
import type { StateStore } from '../state/types.js';
import { soakHeld, unscannedRepository } from './classify.js';
import { surveyRepository } from './survey.js';
import type { RepositoryInventory } from './types.js';

export interface InventoryDeps {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  log: Log;
  registry: RegistryLookup;
  /** First-seen times (the soak time is judged as the scans do). */
  state: StateStore;
  now: Date;
  identity: AppIdentity;
  /** Registry answers cached before this are fetched again. */
  freshAfter?: Date;
}

export class ReadOnlyViolation extends Error {
  constructor() {
    super('the inventory is read-only: a write to GitHub was attempted');
    this.name = 'ReadOnlyViolation';
  }
}

export async function readRepositoryInventory(deps: InventoryDeps): Promise<RepositoryInventory> {
  const { octokit, owner, repo } = deps;
  const repository = `${owner}/${repo}`;
  const ctx: RepoContext = {
    octokit,
    owner,
    repo,
    log: deps.log.child({ repo: repository }),
    identity: deps.identity,
    write: () => Promise.reject(new ReadOnlyViolation()),
  };
  const { data: meta } = await octokit.rest.repos.get({ owner, repo });
  const head = await scannableHead(ctx, meta);
  if ('skip' in head) {
    const reason = head.skip === 'fork' ? 'fork without its own config' : head.skip;
    return unscannedRepository(repository, 'skipped', reason);
  }
  const { headSha } = head;

  const loaded = await loadRepoConfig({ octokit, owner, repo, ref: headSha });
  if (!loaded.ok)
    return unscannedRepository(repository, 'invalid-config', loaded.problems.map(formatProblem).join('; '));
  const config = loaded.config;
  if (!config.enabled) return unscannedRepository(repository, 'skipped', 'disabled by config');

  const open = await listOpenAppPulls(ctx);
  const snapshot = await readRepositoryFiles(ctx, headSha, (path) => isPathSelected(config, path));
  const scanInput = {
    repoFullName: repository,
    files: snapshot.files,
    registry: deps.registry,
    state: deps.state,
    now: deps.now,
    freshAfter: deps.freshAfter,
  };
  const proposed = await scanRepository({ ...scanInput, config });
  const accepted = await withoutDeclined(ctx, {
    scan: proposed,
    open,
    config,
    repoFullName: repository,
    now: deps.now,
  });
  return surveyRepository({ scanInput, config, proposed, accepted, open, heldFor: soakHeld(proposed.held) });
}
