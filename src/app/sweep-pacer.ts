// A sweep's pace, the same for `freshbase sweep` and the app's scheduled sweep: its repositories
// start spread evenly over a window (FRESHBASE_SWEEP_SPREAD) instead of all at once, and an
// installation that has used the sweep's share of GitHub's rate limit (FRESHBASE_SWEEP_BUDGET) starts
// no more of its repositories until the window resets, leaving the rest for webhook-driven work.
import { Cron } from 'croner';
import { LRUCache } from 'lru-cache';
import type { RateBudget } from '../github/rate-budget.js';

interface PacerLog {
  warn(obj: object, msg: string): void;
}

export interface SweepPacer {
  /** When repository `index` of an installation's `count` may start (ms since the epoch). */
  slotAt(index: number, count: number): number;
  /**
   * How long a repository of `installationId` whose slot is `slotAt` must still wait (0: start now).
   * The first time an installation's budget runs out in this sweep, says so in the log.
   */
  waitMs(installationId: number, slotAt: number, repositoriesLeft?: number): number;
  /**
   * Called once an installation's repositories are listed: says in the log when they cannot fit
   * in what is left of its share before the window resets (each costs at least one request).
   */
  planned(installationId: number, repositories: number): void;
}

export interface SweepPacerOptions {
  budget: RateBudget;
  /** The sweep's share of each installation's rate limit (readSweepShare). */
  share: number;
  /** Repositories start evenly over this long after `startedAt` (0: all at once). */
  spreadMs: number;
  startedAt: number;
  log: PacerLog;
  now?: () => number;
}

/** The trigger reason of the scheduled sweep's jobs. */
export const SCHEDULED_SWEEP = 'schedule';
/** The trigger reason of `freshbase sweep`'s jobs: its command name, as listFleet gives it. */
export const COMMAND_SWEEP = 'sweep';
/** The reasons whose jobs the queues pace: a sweep's, never a webhook's. */
const PACED_REASONS: ReadonlySet<string> = new Set([SCHEDULED_SWEEP, COMMAND_SWEEP]);

/** When repository `index` of a sweep's `count` starting at `startedAt` may start (ms since the epoch). */
export function sweepSlot(startedAt: number, spreadMs: number, index: number, count: number): number {
  return startedAt + (count > 1 ? Math.floor((spreadMs * index) / count) : 0);
}

/** The pacer of the sweep that started at `startedAt`. */
export type SweepPacing = (startedAt: number) => SweepPacer;

/** Sweeps whose pacers are kept: more than ever overlap (a sweep's spread is half its interval). */
const KEPT_SWEEPS = 8;

/**
 * The queues' pacers: one per sweep (its start time), shared by all its installations, so an
 * installation's "does not fit" is said once per sweep; null for any trigger but a sweep's. An
 * older sweep's pacer is kept while a newer sweep runs: made again, it would say it again.
 */
export function sweepPacers(
  pacing: SweepPacing | undefined,
): (job: { reason: string; requestedAt: number }) => SweepPacer | null {
  const pacers = new LRUCache<number, SweepPacer>({ max: KEPT_SWEEPS });
  return ({ reason, requestedAt }) => {
    if (!pacing || !PACED_REASONS.has(reason)) return null;
    const pacer = pacers.get(requestedAt) ?? pacing(requestedAt);
    pacers.set(requestedAt, pacer);
    return pacer;
  };
}

/** A paced sweep that cannot start yet looks again at least this often (an answer may reset early). */
export const PACING_POLL_MS = 60_000;

export function createSweepPacer(options: SweepPacerOptions): SweepPacer {
  const { budget, share, spreadMs, startedAt, log } = options;
  const now = options.now ?? Date.now;
  const warned = new Set<number>();
  /** Requests of the share still unspent before the window resets; undefined when not yet seen. */
  const leftInShare = (installationId: number): number | undefined => {
    const seen = budget.snapshot(installationId);
    if (!seen || seen.resetAt <= now()) return undefined;
    return Math.max(0, Math.floor(seen.remaining - seen.limit * (1 - share)));
  };
  return {
    slotAt: (index, count) => sweepSlot(startedAt, spreadMs, index, count),
    waitMs(installationId, slotAt, repositoriesLeft) {
      const untilSlot = slotAt - now();
      if (untilSlot > 0) return untilSlot;
      const wait = budget.waitMs(installationId, now());
      if (wait > 0 && !warned.has(installationId)) {
        warned.add(installationId);
        log.warn(
          { installationId, share, ...budget.snapshot(installationId), repositoriesLeft },
          'sweep does not fit its rate-limit budget: pausing this installation until the window resets',
        );
      }
      return wait;
    },
    planned(installationId, repositories) {
      const left = leftInShare(installationId);
      if (left === undefined || repositories <= left || warned.has(installationId)) return;
      warned.add(installationId);
      log.warn(
        {
          installationId,
          share,
          repositories,
          requestsLeftInShare: left,
          ...budget.snapshot(installationId),
        },
        'sweep does not fit its rate-limit budget: the rest waits for the window to reset',
      );
    },
  };
}

/** Waits out `pacer.waitMs` (in steps of at most PACING_POLL_MS, since an answer may reset early). */
export async function waitForTurn(
  pacer: SweepPacer,
  installationId: number,
  slotAt: number,
  repositoriesLeft: () => number,
  sleep: (ms: number) => Promise<unknown>,
): Promise<void> {
  for (
    let wait = pacer.waitMs(installationId, slotAt, repositoriesLeft());
    wait > 0;
    wait = pacer.waitMs(installationId, slotAt, repositoriesLeft())
  ) {
    await sleep(Math.min(wait, PACING_POLL_MS));
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * FRESHBASE_SWEEP_SPREAD: how long a sweep takes to start all its repositories — `90m`, `2h`,
 * `45s`, `0` (all at once). Unset: null, and each kind of sweep picks its default. Throws when invalid.
 */
export function readSweepSpread(env: NodeJS.ProcessEnv): number | null {
  const text = env.FRESHBASE_SWEEP_SPREAD?.trim();
  if (!text) return null;
  const match = DURATION.exec(text);
  if (!match) {
    throw new Error(`FRESHBASE_SWEEP_SPREAD must be a duration such as 90m, 2h or 0 (got "${text}")`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS]);
}

/** The scheduled sweep's default spread: half the time between two ticks of its cron pattern. */
export function defaultScheduledSpread(cron: string, from = new Date()): number {
  const [first, second] = new Cron(cron, { paused: true, timezone: 'UTC', mode: '5-or-6-parts' }).nextRuns(
    2,
    from,
  );
  if (!first || !second) return 0;
  return Math.floor((second.getTime() - first.getTime()) / 2);
}
