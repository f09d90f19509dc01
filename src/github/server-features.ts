// What a GitHub server lacks that github.com has: older GitHub Enterprise Server has no GraphQL
// `createCommitOnBranch`. The first refusal is remembered per server (its API base URL), so later
// commits go straight to the Git Data API instead of spending a scratch ref and a failed mutation
// on every update. Remembered for a day, not for the process's life: a server upgraded meanwhile
// gets Verified commits again within a day, for the price of one refused try per day. With
// REDIS_URL the memory sits in the GitHub cache's Redis store, so the replicas (and successive
// `freshbase sweep` runs) learn it once between them. github.com has the mutation: nothing is ever
// remembered for it (nor read, so an entry a misread answer left there does nothing).
import { type CacheStore, MemoryCacheStore } from '../registry/cache-store.js';
import type { GitHubClient } from './types.js';

/** How long a server is taken to lack the mutation after it refused it. */
export const MISSING_MUTATION_TTL_MS = 24 * 3600_000;

export interface GitHubServerFeatures {
  /** Whether `octokit`'s server refused `createCommitOnBranch` within MISSING_MUTATION_TTL_MS. */
  lacksCommitMutation(octokit: GitHubClient): Promise<boolean>;
  /** Records that `octokit`'s server has no `createCommitOnBranch`. */
  rememberLacksCommitMutation(octokit: GitHubClient): Promise<void>;
}

/** The server a client talks to: `https://api.github.com`, `https://ghe.example/api/v3`. */
const serverOf = (octokit: GitHubClient): string => octokit.request.endpoint.DEFAULTS.baseUrl;
/** github.com's API, which has `createCommitOnBranch`. */
const GITHUB_COM = 'https://api.github.com';
const isGitHubCom = (octokit: GitHubClient): boolean => serverOf(octokit).replace(/\/+$/, '') === GITHUB_COM;
const keyOf = (octokit: GitHubClient): string => `server:${serverOf(octokit)}:no-createCommitOnBranch`;

/** `store`: the GitHub cache's (Redis with REDIS_URL); by default a small one in process. */
export function createServerFeatures(
  store: CacheStore = new MemoryCacheStore({ maxEntries: 100 }),
): GitHubServerFeatures {
  return {
    // A store that cannot answer (Redis down) is taken as "not known": the mutation is tried.
    lacksCommitMutation: async (octokit) =>
      !isGitHubCom(octokit) && (await store.get<boolean>(keyOf(octokit)).catch(() => undefined)) === true,
    rememberLacksCommitMutation: async (octokit) => {
      if (isGitHubCom(octokit)) return;
      await store.set(keyOf(octokit), true, MISSING_MUTATION_TTL_MS).catch(() => undefined);
    },
  };
}
