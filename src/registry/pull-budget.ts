// Docker Hub's pull budget: Hub counts manifest GETs as pulls (HEADs are free) and says how many
// are left on each answer (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`). Once
// a host has less than the unspent share left, manifest GETs to it are deferred — failed as
// `deferred`, so the image waits for the next sweep — instead of spending the pulls that the org's
// own CI needs (they often share the address) or running into 429s. Hub counts per caller, so
// the budget is kept per host and credentials (pullAccount), and a GET let through counts as a pull
// until its answer says how many are left. Any registry sending these headers is treated alike.
import { RegistryError } from './types.js';
import type { RegistryEndpoint } from './host-rules.js';
import { readFraction } from '../config/env-fraction.js';

export const DEFAULT_PULL_SHARE = 0.8;

interface PullWindow {
  limit: number;
  remaining: number;
  /** When the window the counts belong to ends at the latest (ms since the epoch). */
  until: number;
}

/** `76;w=21600` → { count: 76, windowSeconds: 21600 }; null when absent or malformed. */
export function parseRateLimitHeader(
  value: string | string[] | undefined,
): { count: number; windowSeconds: number | null } | null {
  const text = Array.isArray(value) ? value[0] : value;
  const match = text ? /^\s*(\d+)\s*(?:;\s*w=(\d+))?/.exec(text) : null;
  if (!match) return null;
  return { count: Number(match[1]), windowSeconds: match[2] ? Number(match[2]) : null };
}

/** FRESHBASE_REGISTRY_PULL_BUDGET: a fraction in (0, 1]; throws when invalid. */
export function readPullShare(env: NodeJS.ProcessEnv): number {
  return readFraction(env, 'FRESHBASE_REGISTRY_PULL_BUDGET', DEFAULT_PULL_SHARE);
}

/**
 * Whose pulls a request to `endpoint` spends, as Hub counts them: anonymous ones per address (one
 * count for every rule without credentials), authenticated ones per account (one per rule scope).
 */
function pullAccount(endpoint: RegistryEndpoint): string {
  const host = endpoint.baseUrl.host;
  return endpoint.credentials
    ? `${host} as ${endpoint.credentialScope || 'everyone'}`
    : `${host} anonymously`;
}

export class PullBudget {
  private readonly windows = new Map<string, PullWindow>();
  /** Manifest GETs let through and not answered yet: pulls the last count seen may not include. */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly share = DEFAULT_PULL_SHARE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records what an answer from `endpoint` says about the pull budget of its host and credentials. */
  observe(endpoint: RegistryEndpoint, headers: Record<string, string | string[] | undefined>): void {
    const limit = parseRateLimitHeader(headers['ratelimit-limit']);
    const remaining = parseRateLimitHeader(headers['ratelimit-remaining']);
    if (!limit || !remaining || limit.count <= 0) return;
    const windowSeconds = remaining.windowSeconds ?? limit.windowSeconds ?? 0;
    this.windows.set(pullAccount(endpoint), {
      limit: limit.count,
      remaining: remaining.count,
      until: this.now() + windowSeconds * 1000,
    });
  }

  /**
   * Lets a manifest GET to `endpoint` through, counted as a pull until `done` is called (after its
   * answer is observed, or it failed), so concurrent GETs cannot all spend the last pulls before the
   * share; throws `deferred` when it would spend pulls beyond the share.
   */
  admit(endpoint: RegistryEndpoint, image: string): { done: () => void } {
    const account = pullAccount(endpoint);
    const seen = this.windows.get(account);
    if (seen && seen.until <= this.now()) this.windows.delete(account);
    else if (seen) {
      const left = seen.remaining - (this.inFlight.get(account) ?? 0);
      // Pulls kept back, rounded up (and clear of float noise: 10 × (1 − 0.8) is 1.999…).
      const keptBack = Math.ceil(seen.limit * (1 - this.share) - 1e-9);
      if (left <= keptBack) {
        throw new RegistryError(
          `${image}: ${endpoint.baseUrl.host} has ${Math.max(0, left)} of ${seen.limit} pulls left in its ` +
            `window, under the ${Math.round((1 - this.share) * 100)} % kept back; lookup deferred to the next sweep`,
          'deferred',
          image,
        );
      }
    }
    this.inFlight.set(account, (this.inFlight.get(account) ?? 0) + 1);
    let counted = true;
    return {
      done: () => {
        if (!counted) return;
        counted = false;
        const pending = (this.inFlight.get(account) ?? 1) - 1;
        if (pending > 0) this.inFlight.set(account, pending);
        else this.inFlight.delete(account);
      },
    };
  }
}
