// The fleet view of an inventory: per image and tag, how many repositories use it, how many pin
// it, how many are behind, and the oldest digest in use. Pure.
import { shortDigest } from '../image/reference.js';
import type { Inventory, InventoryUse, UseState } from './types.js';

export interface FleetImage {
  image: string;
  tag: string | null;
  /** Repositories that use this image and tag. */
  repositories: number;
  /** Of those, repositories whose every use of it is pinned to a digest. */
  pinned: number;
  /** Of those, repositories with at least one use behind. */
  behind: number;
  /** The oldest digest in use, by its image's `created` time, when the registry says. */
  oldest: { digest: string; created: string } | null;
}

interface Tally {
  image: string;
  tag: string | null;
  repositories: Map<string, { pinned: boolean; behind: boolean }>;
  oldest: FleetImage['oldest'];
}

export function fleetImages(inventory: Inventory): FleetImage[] {
  const tallies = new Map<string, Tally>();
  for (const repository of inventory.repositories) {
    for (const use of repository.files.flatMap((f) => f.images)) {
      const key = JSON.stringify([use.image, use.tag]);
      const tally = tallies.get(key) ?? {
        image: use.image,
        tag: use.tag,
        repositories: new Map(),
        oldest: null,
      };
      tallies.set(key, tally);
      const seen = tally.repositories.get(repository.repository) ?? { pinned: true, behind: false };
      seen.pinned &&= use.digest !== null;
      seen.behind ||= use.behind !== null;
      tally.repositories.set(repository.repository, seen);
      if (use.digest !== null && use.currentCreated !== null) {
        if (tally.oldest === null || use.currentCreated < tally.oldest.created)
          tally.oldest = { digest: use.digest, created: use.currentCreated };
      }
    }
  }
  return [...tallies.values()]
    .map((t) => {
      const repos = [...t.repositories.values()];
      return {
        image: t.image,
        tag: t.tag,
        repositories: repos.length,
        pinned: repos.filter((r) => r.pinned).length,
        behind: repos.filter((r) => r.behind).length,
        oldest: t.oldest,
      };
    })
    .sort(
      (a, b) =>
        b.repositories - a.repositories || compare(a.image, b.image) || compare(a.tag ?? '', b.tag ?? ''),
    );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One line for people: what Freshbase does about the use. */
export function describeState(state: UseState): string {
  switch (state.kind) {
    case 'current':
      return 'up to date';
    case 'pull-request':
      return `PR #${state.number}`;
    case 'planned':
      return 'PR on next scan';
    case 'held':
      return `held: ${state.reason}`;
    case 'declined':
      return 'declined';
    case 'not-offered':
      return 'update not offered by config';
    case 'ignored':
      return 'ignored by config';
    case 'error':
      return 'lookup failed';
  }
}

/** `python:3.12@1a2b3c4d5e6f` — the reference as written, digest shortened. */
export function shortReference(use: Pick<InventoryUse, 'image' | 'tag' | 'digest'>): string {
  return `${use.image}${use.tag !== null ? `:${use.tag}` : ''}${use.digest !== null ? `@${shortDigest(use.digest)}` : ''}`;
}

/** The newest release, shown as what changes: a new tag, or the tag's new digest. */
export function describeLatest(use: Pick<InventoryUse, 'latest' | 'behind' | 'tag'>): string {
  if (use.latest === null) return '—';
  if (use.behind === null) return 'current';
  const tag = use.latest.tag !== null && use.latest.tag !== use.tag ? `${use.latest.tag}@` : '@';
  return `${tag}${shortDigest(use.latest.digest)}`;
}
