// The GitHub client the service runs with: Probot's Octokit (retries, throttling) plus a deadline
// on every attempt, so a GitHub that stops answering fails the attempt (and the retry plugin tries
// again) instead of holding a job for minutes, and metrics: every HTTP exchange counted by method
// and status, and the rate limit each installation has left, from GitHub's own headers.
import { ProbotOctokit } from 'probot';
import type { Metrics } from './metrics.js';

/** One attempt's deadline; GitHub answers in well under a second when healthy. */
export const GITHUB_TIMEOUT_MS = 30_000;

type OctokitPlugin = (typeof ProbotOctokit.plugins)[number];
type Headers = Record<string, string | number | undefined>;
interface PluginOptions {
  auth?: { installationId?: number | string };
}
interface Answer {
  status?: number;
  headers?: Headers;
  response?: { status?: number; headers?: Headers };
}

export interface GitHubClientOptions {
  metrics: Metrics;
  timeoutMs?: number;
}

function servicePlugin({ metrics, timeoutMs = GITHUB_TIMEOUT_MS }: GitHubClientOptions): OctokitPlugin {
  return (octokit, options) => {
    const installation = String((options as PluginOptions).auth?.installationId ?? 'app');
    const record = (method: string, answer: Answer | undefined) => {
      const status = answer?.status ?? answer?.response?.status;
      // Octokit reports a request that got no answer (deadline, reset) as status 500 without headers.
      const headers = answer?.headers ?? answer?.response?.headers;
      metrics.recordGitHubRequest({ method, status: headers && status ? status : 'error', installation });
      const remaining = headers?.['x-ratelimit-remaining'];
      if (remaining !== undefined && remaining !== '') {
        metrics.recordGitHubRateLimit(installation, Number(remaining));
      }
    };
    /** Our per-attempt signals → the caller's own signal, which a retried attempt still honours. */
    const callerSignals = new WeakMap<AbortSignal, AbortSignal | undefined>();
    octokit.hook.wrap('request', async (request, requestOptions) => {
      const method = String(requestOptions.method ?? 'GET');
      const current = requestOptions.request?.signal as AbortSignal | undefined;
      const caller = current && callerSignals.has(current) ? callerSignals.get(current) : current;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = caller ? AbortSignal.any([caller, deadline]) : deadline;
      callerSignals.set(signal, caller);
      // Octokit's hooks pass options on by reference only; a new `request` object keeps the signal
      // off the defaults that every other call shares.
      requestOptions.request = { ...requestOptions.request, signal };
      try {
        const response = await request(requestOptions);
        record(method, response as Answer);
        return response;
      } catch (error) {
        record(method, error as Answer);
        throw error;
      }
    });
  };
}

/**
 * Probot's Octokit with the service plugin as its first plugin, so that its hook sits inside the
 * retry and throttling plugins' and sees (and bounds) every attempt, not only each call's final
 * answer (`Octokit.plugin()` would append it, outside them).
 */
export function serviceOctokit(options: GitHubClientOptions): typeof ProbotOctokit {
  const plugin = servicePlugin(options);
  return class extends ProbotOctokit {
    static override plugins = [plugin, ...ProbotOctokit.plugins];
  } as typeof ProbotOctokit;
}
