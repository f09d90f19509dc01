// First-seen times of (registry, repository, tag, digest): when Freshbase first observed that a
// tag pointed at a digest. An image's `created` is not its publish time (Docker Official Images set
// it to the commit time of their Dockerfile), so the soak time and the ages in PR bodies use these.
// Sightings are keyed by the plan's sightingKey (`docker.io/library/python:3.12@sha256:…`).
import type { StateStore } from './types.js';

const NAMESPACE = 'first-seen';

/**
 * When each sighting was first seen; a sighting not recorded before is recorded as `now`. A stored
 * value that is not a time counts as seen now; one later than `now` (another replica's clock, or a
 * race it won) is kept: either way the answer is never earlier than what is stored.
 */
export async function recordFirstSeen(
  store: StateStore,
  sightingKeys: readonly string[],
  now: Date,
): Promise<Date[]> {
  const stamp = now.toISOString();
  const stored = await store.putIfAbsent(
    NAMESPACE,
    sightingKeys.map((key) => [key, stamp] as const),
  );
  return stored.map((value) => {
    const time = Date.parse(value);
    return Number.isNaN(time) ? now : new Date(time);
  });
}
