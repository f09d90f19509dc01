// Each installation's primary rate limit as GitHub reports it on every answer
// (`x-ratelimit-limit` / `-remaining` / `-reset`), and the pacing rule a sweep follows: it may
// spend at most a share of the limit (default 80 %), leaving the rest for webhook-driven work.
import type { GitHubClient } from './types.js';
import { readFraction } from '../config/env-fraction.js';

export const DEFAULT_SWEEP_SHARE = 0.8;

interface RateSnapshot {
  limit: number;
  remaining: number;
  /** When the window resets, ms since the epoch. */
  resetAt: number;
}

export interface RateBudget {
  /** Records the rate-limit headers of `octokit`'s answers for `installationId`. */
  observe(octokit: GitHubClient, installationId: number): void;
  /**
   * How long the sweep must wait before its next repository of `installationId` (0: go on): once
   * the installation has less than `1 − share` of its limit left, until the window resets.
   */
  waitMs(installationId: number, now?: number): number;
  snapshot(installationId: number): RateSnapshot | undefined;
}

/** The share from FRESHBASE_SWEEP_BUDGET (a fraction in (0, 1], e.g. `0.8`); throws when invalid. */
export function readSweepShare(env: NodeJS.ProcessEnv): number {
  return readFraction(env, 'FRESHBASE_SWEEP_BUDGET', DEFAULT_SWEEP_SHARE);
}

export function createRateBudget(share = DEFAULT_SWEEP_SHARE): RateBudget {
  const byInstallation = new Map<number, RateSnapshot>();
  const record = (installationId: number, headers: Record<string, unknown>) => {
    // GraphQL and search have budgets of their own; the sweep paces on the core REST one.
    const resource = headers['x-ratelimit-resource'];
    if (resource !== undefined && resource !== 'core') return;
    const limit = Number(headers['x-ratelimit-limit']);
    const remaining = Number(headers['x-ratelimit-remaining']);
    const reset = Number(headers['x-ratelimit-reset']);
    if (![limit, remaining, reset].every(Number.isFinite) || limit <= 0) return;
    byInstallation.set(installationId, { limit, remaining, resetAt: reset * 1000 });
  };
  return {
    observe(octokit, installationId) {
      octokit.hook.after('request', (response) => record(installationId, response.headers));
      octokit.hook.error('request', (error) => {
        const headers = (error as { response?: { headers?: Record<string, unknown> } }).response?.headers;
        if (headers) record(installationId, headers);
        throw error;
      });
    },
    waitMs(installationId, now = Date.now()) {
      const seen = byInstallation.get(installationId);
      if (!seen || seen.resetAt <= now) return 0;
      return seen.remaining < seen.limit * (1 - share) ? seen.resetAt - now : 0;
    },
    snapshot: (installationId) => byInstallation.get(installationId),
  };
}
