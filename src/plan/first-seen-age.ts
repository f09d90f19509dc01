// When Freshbase first saw a digest, for people: the date and how long ago. Pure.
const DAY_MS = 86_400_000;

/**
 * `2025-06-01 (3 days ago)`. Not the image's `created`: Docker Official Images set that to their
 * Dockerfile's commit time, so it says nothing about when the digest was published.
 */
export function firstSeenAge(firstSeen: Date, now: Date): string {
  const days = Math.max(0, Math.floor((now.getTime() - firstSeen.getTime()) / DAY_MS));
  const age = days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`;
  return `${firstSeen.toISOString().slice(0, 10)} (${age})`;
}
