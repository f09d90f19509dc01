// The config's schedule window: PRs are opened or updated only in minutes the cron matches.
import { Cron } from 'croner';

import type { RepoConfig } from './types.js';
import { errorMessage } from '../errors.js';

const NICKNAME = /^@(?:yearly|annually|monthly|weekly|daily|midnight|hourly)$/i;

/** Why a cron pattern is unusable, or null when it is a valid five-field (minute) pattern. */
export function cronProblem(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (!NICKNAME.test(pattern.trim()) && fields.length !== 5) {
    return `expected five fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  try {
    // A pattern that names no real date (`0 0 30 2 *`) would hold every update back forever.
    if (new Cron(pattern).nextRun() === null) return 'never matches any date';
    return null;
  } catch (error) {
    return errorMessage(error).replace(/^CronPattern: /, '');
  }
}

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function scheduleCron(config: Pick<RepoConfig, 'schedule'>): Cron {
  return new Cron(config.schedule.cron, { timezone: config.schedule.timezone });
}

/** Whether the minute that contains `now` is matched by the schedule, in its timezone. */
export function inScheduleWindow(config: Pick<RepoConfig, 'schedule'>, now: Date): boolean {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  return scheduleCron(config).match(minute);
}

/** The start of the next minute the schedule matches after `now`, or null if it never does again. */
export function nextScheduleWindow(config: Pick<RepoConfig, 'schedule'>, now: Date): Date | null {
  return scheduleCron(config).nextRun(now);
}
