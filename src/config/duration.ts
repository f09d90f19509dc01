// Durations written in the config (`minimumReleaseAge: 3 days`): a whole number and a unit from
// minutes to weeks. Shorter units make no sense between scans, longer ones are written in weeks.

const UNIT_MS: Record<string, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};
export const DURATION = /^(\d{1,6}) ?(minute|hour|day|week)s?$/;
/** More than a year is a mistake (and longer than the state store keeps an unseen record). */
export const MAX_DURATION_MS = 365 * UNIT_MS.day!;

export const DURATION_HELP = 'a whole number and a unit, e.g. "3 days", "12 hours", "2 weeks", "30 minutes"';

/** Milliseconds, or null when `text` is not a duration this config accepts. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms <= MAX_DURATION_MS ? ms : null;
}

/** `3 days`, `36 hours`: the largest unit that divides the duration. */
export function formatDuration(ms: number): string {
  for (const unit of ['week', 'day', 'hour', 'minute'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms === size ? '' : 's'}`;
  }
  return `${Math.round(ms / 60_000)} minutes`;
}
