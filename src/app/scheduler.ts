// The periodic sweep (FRESHBASE_SCAN_CRON): enqueue every repository of every installation.
// In one process croner fires it; with Redis the queue's cluster-wide job scheduler does, so that
// one replica sweeps per tick however many run.
import { Cron } from 'croner';
import type { Logger, Probot } from 'probot';
import { listInstallations } from './installations.js';
import type { JobQueue } from './queue.js';
import { SCHEDULED_SWEEP } from './sweep-pacer.js';
import { describeError, errorMessage } from '../errors.js';

/** Every 6 hours at minute 17 (UTC): off the top of the hour, when registries and GitHub are busiest. */
export const DEFAULT_SCAN_CRON = '17 */6 * * *';

/** The schedule's cron pattern, or null when `off`. Throws, naming the variable, when invalid. */
export function readScanCron(env: NodeJS.ProcessEnv): string | null {
  const value = env.FRESHBASE_SCAN_CRON?.trim() || DEFAULT_SCAN_CRON;
  if (value.toLowerCase() === 'off') return null;
  try {
    // 5 fields, or 6 with seconds: what both croner and BullMQ's scheduler read alike.
    new Cron(value, { paused: true, mode: '5-or-6-parts' }).stop();
  } catch (error) {
    throw new Error(
      `FRESHBASE_SCAN_CRON: invalid cron pattern "${value}" (${errorMessage(error)}); use "off" to disable`,
      { cause: error },
    );
  }
  return value;
}

/** Enqueues one listing job per installation; each fans out to its repositories' scans. */
export async function enqueueAllInstallations(app: Probot, queue: JobQueue, log: Logger): Promise<number> {
  // One moment for the whole sweep, so each tag is looked up once across all its repositories.
  const requestedAt = Date.now();
  const installations = await listInstallations(app);
  for (const installation of installations) {
    await queue.enqueueInstallation({
      installationId: installation.id,
      reason: SCHEDULED_SWEEP,
      requestedAt,
    });
  }
  log.info({ installations: installations.length }, 'sweep enqueued');
  return installations.length;
}

export interface Scheduler {
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** From readScanCron; null disables. */
  cron: string | null;
  sweep: () => Promise<unknown>;
  log: Logger;
  /** The Redis queue's cluster-wide scheduler; without it, an in-process croner job. */
  distributed?: { scheduleSweep(pattern: string | null): Promise<void> };
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { cron, log } = options;
  if (options.distributed) {
    // Also when off: removing the shared schedule is how `off` reaches the other replicas.
    await options.distributed.scheduleSweep(cron);
    log.info({ cron: cron ?? 'off', mode: 'redis' }, 'scan schedule set');
    // The schedule lives in Redis and outlives this replica; the other replicas keep running it.
    return { stop: async () => undefined };
  }
  if (cron === null) {
    log.info({ cron: 'off' }, 'scan schedule off');
    return { stop: async () => undefined };
  }
  const job = new Cron(
    cron,
    {
      timezone: 'UTC',
      mode: '5-or-6-parts',
      // A sweep still enqueueing when the next tick comes is not started twice.
      protect: true,
      catch: (error) => log.error({ err: describeError(error) }, 'scheduled sweep failed'),
    },
    async () => {
      await options.sweep();
    },
  );
  log.info({ cron, mode: 'in-process', next: job.nextRun()?.toISOString() }, 'scan schedule set');
  return {
    stop: async () => job.stop(),
  };
}
