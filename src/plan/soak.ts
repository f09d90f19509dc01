// The soak time (config `minimumReleaseAge`): a digest is proposed only once Freshbase has seen it
// for that long. First-seen times come from the state store; a store that cannot answer leaves an
// update with a soak time unproposed (never early) and one without a soak time unaffected.
import { formatDuration } from '../config/duration.js';
import { isLookupError, type LookupError } from './lookups.js';

export type SoakState =
  /** Old enough (or no soak time): proposed, showing when it was first seen when known. */
  | { kind: 'ready'; firstSeen: Date | null }
  /** Too young: held until `due`. */
  | YoungDigest
  /** The store could not say, and a soak time applies. */
  | { kind: 'unknown'; failure: string };

export interface YoungDigest {
  kind: 'young';
  firstSeen: Date;
  due: Date;
  minimumAgeMs: number;
}

export function soakState(seen: Date | LookupError, minimumAgeMs: number, now: Date): SoakState {
  // Without a soak time nothing waits, even for a first sighting a concurrent scan stored a moment
  // after this scan's `now` (replicas scanning repositories with the same image).
  if (minimumAgeMs === 0) return { kind: 'ready', firstSeen: isLookupError(seen) ? null : seen };
  if (isLookupError(seen)) {
    return {
      kind: 'unknown',
      failure: `first-seen time unknown, so minimumReleaseAge cannot be checked: ${seen.error}`,
    };
  }
  const due = new Date(seen.getTime() + minimumAgeMs);
  if (due.getTime() <= now.getTime()) return { kind: 'ready', firstSeen: seen };
  return { kind: 'young', firstSeen: seen, due, minimumAgeMs };
}

const utcMinute = (time: Date): string => time.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

export function soakReason(soak: YoungDigest): string {
  return `minimumReleaseAge ${formatDuration(soak.minimumAgeMs)}: first seen ${utcMinute(soak.firstSeen)}, due ${utcMinute(soak.due)}`;
}
