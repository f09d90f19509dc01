// Docker Hub's pull budget: Hub counts manifest GETs as pulls (HEADs are free) and says how many
// are left on each answer (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`). Once
// a host has less than the unspent share left, manifest GETs to it are deferred — failed as
// `deferred`, so the image waits for the next sweep — instead of spending the pulls that the org's
// own CI needs (they often share the address) or running into 429s. Any registry sending these
// headers is treated alike.
import { RegistryError } from './types.js';
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

export class PullBudget {
  private readonly hosts = new Map<string, PullWindow>();

  constructor(
    private readonly share = DEFAULT_PULL_SHARE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records what the host's answer says about its pull budget. */
  observe(host: string, headers: Record<string, string | string[] | undefined>): void {
    const limit = parseRateLimitHeader(headers['ratelimit-limit']);
    const remaining = parseRateLimitHeader(headers['ratelimit-remaining']);
    if (!limit || !remaining || limit.count <= 0) return;
    const windowSeconds = remaining.windowSeconds ?? limit.windowSeconds ?? 0;
    this.hosts.set(host, {
      limit: limit.count,
      remaining: remaining.count,
      until: this.now() + windowSeconds * 1000,
    });
  }

  /** Throws `deferred` when a manifest GET to `host` would spend pulls beyond the share. */
  assertMayPull(host: string, image: string): void {
    const seen = this.hosts.get(host);
    if (!seen) return;
    if (seen.until <= this.now()) {
      this.hosts.delete(host);
      return;
    }
    // Pulls kept back, rounded up (and clear of float noise: 10 × (1 − 0.8) is 1.999…).
    const keptBack = Math.ceil(seen.limit * (1 - this.share) - 1e-9);
    if (seen.remaining > keptBack) return;
    throw new RegistryError(
      `${image}: ${host} has ${seen.remaining} of ${seen.limit} pulls left in its window, under the ` +
        `${Math.round((1 - this.share) * 100)} % kept back; lookup deferred to the next sweep`,
      'deferred',
      image,
    );
  }
}
