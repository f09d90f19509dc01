// Content-creating calls (POST/PATCH/PUT/DELETE) of one installation run one at a time: GitHub's
// secondary rate limits punish bursts of concurrent writes, and one installation's writes share
// one budget. The use case (repository/reconcile.ts) hands every repository of an installation the
// same queue, `installationWriteQueue(installationId)`, through its RepoContext's `write`.
import PQueue from 'p-queue';
import pRetry from 'p-retry';
import { httpStatus, isGitHubError, responseHeader } from './request-error.js';

export interface WriteQueue {
  run<T>(call: () => Promise<T>): Promise<T>;
}

const MAX_WAIT_SECONDS = 120;
const RATE_LIMIT_RETRIES = 3;

const queues = new Map<string, PQueue>();

/** The shared queue of one installation (key: installation id, or the account login). */
export function installationWriteQueue(installation: string | number): WriteQueue {
  const key = String(installation);
  return {
    run<T>(call: () => Promise<T>): Promise<T> {
      let queue = queues.get(key);
      if (!queue) {
        const created = new PQueue({ concurrency: 1 });
        // Forget idle queues so a long-running process does not keep one per installation ever seen.
        created.on('idle', () => {
          if (queues.get(key) === created && created.size === 0 && created.pending === 0) queues.delete(key);
        });
        queues.set(key, created);
        queue = created;
      }
      return queue.add(() => withRateLimitBackoff(call));
    },
  };
}

/**
 * Seconds GitHub asks us to wait, when the error is a (secondary) rate limit: 429, or 403 with
 * `retry-after`, an exhausted `x-ratelimit-remaining`, or the secondary-rate-limit message.
 */
function rateLimitWaitSeconds(error: unknown, nowMs = Date.now()): number | null {
  const status = httpStatus(error);
  const retryAfter = responseHeader(error, 'retry-after');
  const remaining = responseHeader(error, 'x-ratelimit-remaining');
  const limited =
    status === 429 ||
    (status === 403 &&
      (retryAfter !== undefined || remaining === '0' || isGitHubError(error, 403, 'secondary rate limit')));
  if (!limited) return null;
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Number(retryAfter);
  const reset = Number(responseHeader(error, 'x-ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(reset)) return Math.max(0, reset - Math.floor(nowMs / 1000));
  return 60; // GitHub's advice for a secondary limit without a header: wait at least a minute.
}

/**
 * Probot's throttling plugin normally absorbs rate limits; this is the backstop when it is off or
 * gives up. The wait happens inside the queue slot, so nothing else of the installation writes meanwhile.
 */
function withRateLimitBackoff<T>(call: () => Promise<T>): Promise<T> {
  return pRetry(call, {
    retries: RATE_LIMIT_RETRIES,
    minTimeout: 0,
    shouldRetry: ({ error }) => rateLimitWaitSeconds(error) !== null,
    onFailedAttempt: async ({ error }) => {
      const seconds = rateLimitWaitSeconds(error);
      if (seconds === null) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(seconds, MAX_WAIT_SECONDS) * 1000));
    },
  });
}
