// The app's Prometheus metrics (prom-client), fed only at seams: the queue's job runner, the
// GitHub client's request hook (github-metrics.ts), the registry transport, and the queue and
// registry cache read at scrape time. Per process: with Redis each replica is scraped on its own,
// except the queue gauges, which count the shared queue.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransportExchange } from '../registry/http-transport.js';
import type { JobOutcome } from './runner.js';
import type { QueueStats } from './queue.js';

/** Label values a hostile repository could multiply (registry hosts) stop being distinct here. */
const MAX_REGISTRY_HOSTS = 50;

/** What a scrape reads from the registry client: cumulative lookup counts. */
export interface LookupTotals {
  total: number;
  unique: number;
  cached: number;
  coalesced: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** One finished scan job (its outcome as the runner reports it). */
  recordJob(outcome: JobOutcome): void;
  /** One HTTP exchange with GitHub, and the rate limit left for that installation when answered. */
  recordGitHubRequest(request: { method: string; status: number | 'error'; installation: string }): void;
  recordGitHubRateLimit(installation: string, remaining: number): void;
  /** One HTTP exchange with a registry (each redirect hop and token fetch counts). */
  recordRegistryExchange(exchange: TransportExchange): void;
  /** The queue whose waiting and running jobs are reported at each scrape (null: no answer). */
  observeQueue(stats: () => Promise<QueueStats | null>): void;
  /** The registry client whose lookup counts are reported at each scrape. */
  observeLookups(totals: () => LookupTotals): void;
}

export function createMetrics(registry = new Registry()): Metrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let queueStats: (() => Promise<QueueStats | null>) | undefined;
  let lookupTotals: (() => LookupTotals) | undefined;

  // Every metric is declared one way: name, help, labels, this registry.
  const counter = <Label extends string>(name: string, help: string, labelNames: readonly Label[] = []) =>
    new Counter<Label>({ name, help, labelNames, registers });
  /** A gauge read at scrape time: one value per label value; nothing while there is no answer. */
  const scrapedGauge = (
    name: string,
    help: string,
    label: string,
    read: () => Promise<Record<string, number> | null>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers,
      async collect() {
        const values = await read();
        for (const [value, count] of Object.entries(values ?? {})) this.set({ [label]: value }, count);
      },
    });

  const jobs = counter(
    'freshbase_jobs_total',
    'Repository scan jobs finished, by outcome: done, skipped, invalid_config, failed, failed_transient (GitHub unavailable; the queue retries it with backoff)',
    ['outcome'],
  );
  const jobDuration = new Histogram({
    name: 'freshbase_job_duration_seconds',
    help: 'Duration of repository scan jobs',
    labelNames: ['outcome'] as const,
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers,
  });
  const pullRequests = counter(
    'freshbase_pull_requests_total',
    'Pull requests the app opened, updated or closed',
    ['action'],
  );
  const configProblems = counter(
    'freshbase_config_problems_total',
    'Scans that found an invalid .github/freshbase.yml (the repository is skipped until fixed)',
  );
  const githubRequests = counter(
    'freshbase_github_requests_total',
    'HTTP requests to the GitHub API (every retry counts), by method and status ("error": no answer)',
    ['method', 'status'],
  );
  const rateLimit = new Gauge({
    name: 'freshbase_github_rate_limit_remaining',
    help: 'GitHub API requests left in the current rate-limit window, per installation ("app" for the app itself)',
    labelNames: ['installation'] as const,
    registers,
  });
  const registryRequests = counter(
    'freshbase_registry_requests_total',
    `HTTP requests to registries by host and status (or failure); hosts past the first ${MAX_REGISTRY_HOSTS} count as "other"`,
    ['host', 'status'],
  );
  scrapedGauge(
    'freshbase_queue_jobs',
    'Scan jobs in the queue by state (waiting, running); with Redis, across all replicas',
    'state',
    async () => {
      const stats = await queueStats?.();
      return stats ? { waiting: stats.waiting, running: stats.running } : null;
    },
  );
  scrapedGauge(
    'freshbase_registry_lookups',
    'Registry lookups since start, by how they were answered (fetched, cached, coalesced); total = all asked for',
    'result',
    async () => {
      const totals = lookupTotals?.();
      return totals
        ? { total: totals.total, fetched: totals.unique, cached: totals.cached, coalesced: totals.coalesced }
        : null;
    },
  );

  const registryHosts = new Set<string>();
  const hostLabel = (host: string): string => {
    if (registryHosts.has(host)) return host;
    if (registryHosts.size >= MAX_REGISTRY_HOSTS) return 'other';
    registryHosts.add(host);
    return host;
  };

  return {
    registry,
    recordJob(outcome) {
      const label = jobOutcomeLabel(outcome);
      jobs.inc({ outcome: label });
      jobDuration.observe({ outcome: label }, outcome.durationMs / 1000);
      if (!outcome.ok) return;
      const { created, updated, closed } = outcome.report.pullRequests;
      if (created) pullRequests.inc({ action: 'opened' }, created);
      if (updated) pullRequests.inc({ action: 'updated' }, updated);
      if (closed) pullRequests.inc({ action: 'closed' }, closed);
      if (outcome.report.status === 'invalid-config') configProblems.inc();
    },
    recordGitHubRequest({ method, status }) {
      githubRequests.inc({ method, status: String(status) });
    },
    recordGitHubRateLimit(installation, remaining) {
      rateLimit.set({ installation }, remaining);
    },
    recordRegistryExchange({ url, status }) {
      registryRequests.inc({ host: hostLabel(url.host), status: String(status) });
    },
    observeQueue(stats) {
      queueStats = stats;
    },
    observeLookups(totals) {
      lookupTotals = totals;
    },
  };
}

function jobOutcomeLabel(outcome: JobOutcome): string {
  if (!outcome.ok) return outcome.retryable ? 'failed_transient' : 'failed';
  if (outcome.report.status === 'invalid-config') return 'invalid_config';
  return outcome.report.status;
}
