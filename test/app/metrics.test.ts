// The metrics at their seams: the GitHub client counts every attempt (retries included) and keeps
// each installation's rate limit, and bounds an attempt that gets no answer; the registry transport
// counts exchanges by host and status against the real registry; finished jobs count by outcome
// with their pull requests and config problems.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { serviceOctokit } from '../../src/app/github-client.js';
import { createMetrics, type Metrics } from '../../src/app/metrics.js';
import type { JobOutcome } from '../../src/app/runner.js';
import { createRegistryClient } from '../../src/registry/client.js';
import type { RepositoryReport } from '../../src/repository/types.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const API = 'https://api.github.com';

/** The sample lines of one metric, e.g. `freshbase_jobs_total{outcome="done"} 2`. */
async function samples(metrics: Metrics, name: string): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('GitHub client', () => {
  let metrics: Metrics;
  beforeEach(() => {
    metrics = createMetrics();
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  function client(timeoutMs?: number, baseUrl = API) {
    const Octokit = serviceOctokit({ metrics, timeoutMs });
    return new Octokit({
      baseUrl,
      auth: { token: 'ghs_test', installationId: 7 },
      retry: { retryAfterBaseValue: 1 },
      throttle: { enabled: false },
    });
  }

  test('every attempt is counted by method and status, and the rate limit left is kept per installation', async () => {
    nock(API)
      .get('/repos/acme/app')
      .times(2)
      .reply(502, { message: 'Bad Gateway' })
      .get('/repos/acme/app')
      .reply(200, { name: 'app' }, { 'x-ratelimit-remaining': '4987' })
      .post('/repos/acme/app/issues')
      .reply(201, { number: 1 }, { 'x-ratelimit-remaining': '4986' });
    const octokit = client();
    await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
    await octokit.rest.issues.create({ owner: 'acme', repo: 'app', title: 't' });
    expect(await samples(metrics, 'freshbase_github_requests_total')).toEqual([
      'freshbase_github_requests_total{method="GET",status="502"} 2',
      'freshbase_github_requests_total{method="GET",status="200"} 1',
      'freshbase_github_requests_total{method="POST",status="201"} 1',
    ]);
    expect(await samples(metrics, 'freshbase_github_rate_limit_remaining')).toEqual([
      'freshbase_github_rate_limit_remaining{installation="7"} 4986',
    ]);
  });

  test('an attempt without an answer ends at the deadline, counts as "error" and is retried', async () => {
    // A GitHub that accepts the connection and never answers the first request.
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      if (requests === 1) return;
      res.writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '10' });
      res.end('{"name":"app"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const started = Date.now();
      const { data } = await client(200, `http://127.0.0.1:${port}`).rest.repos.get({
        owner: 'acme',
        repo: 'app',
      });
      expect(data).toEqual({ name: 'app' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    expect(await samples(metrics, 'freshbase_github_requests_total')).toEqual([
      'freshbase_github_requests_total{method="GET",status="error"} 1',
      'freshbase_github_requests_total{method="GET",status="200"} 1',
    ]);
  });
});

describe('registry transport', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test('exchanges are counted by host and status; lookups by how they were answered', async () => {
    const metrics = createMetrics();
    const client = createRegistryClient({
      rules: [registry.hostRule()],
      retries: 0,
      onExchange: (exchange) => metrics.recordRegistryExchange(exchange),
    });
    metrics.observeLookups(() => client.stats().lookups);
    try {
      await registry.pushImage('acme/app', '1.0');
      const target = { registry: registry.host, repository: 'acme/app', reference: '1.0' };
      await client.resolve(target);
      await client.resolve(target);
      await expect(client.resolve({ ...target, reference: 'missing' })).rejects.toThrow();
    } finally {
      client.close();
    }
    const lines = await samples(metrics, 'freshbase_registry_requests_total');
    // HEAD, manifest GET and config blob GET answered 200; the missing tag's HEAD 404.
    expect(lines).toEqual([
      `freshbase_registry_requests_total{host="${registry.host}",status="200"} 3`,
      `freshbase_registry_requests_total{host="${registry.host}",status="404"} 1`,
    ]);
    expect(await samples(metrics, 'freshbase_registry_lookups')).toEqual([
      'freshbase_registry_lookups{result="total"} 3',
      'freshbase_registry_lookups{result="fetched"} 2',
      'freshbase_registry_lookups{result="cached"} 1',
      'freshbase_registry_lookups{result="coalesced"} 0',
    ]);
  });
});

describe('jobs', () => {
  const report = (over: Partial<RepositoryReport>): RepositoryReport => ({
    repository: 'acme/app',
    status: 'done',
    files: 1,
    skippedFiles: 0,
    images: 1,
    updates: 1,
    lookups: 1,
    errors: 0,
    deferred: 0,
    pullRequests: { created: 0, updated: 0, unchanged: 0, closed: 0, commented: 0, heldBack: 0, failed: 0 },
    ...over,
  });

  test('outcomes, durations, pull requests and config problems', async () => {
    const metrics = createMetrics();
    const pulls = (created: number, updated: number, closed: number) => ({
      ...report({}).pullRequests,
      created,
      updated,
      closed,
    });
    const outcomes: JobOutcome[] = [
      { ok: true, durationMs: 1200, report: report({ pullRequests: pulls(1, 0, 0) }) },
      { ok: true, durationMs: 300, report: report({ pullRequests: pulls(0, 2, 1) }) },
      { ok: true, durationMs: 50, report: report({ status: 'invalid-config' }) },
      { ok: true, durationMs: 10, report: report({ status: 'skipped', reason: 'archived' }) },
      { ok: false, durationMs: 40, error: 'Bad Gateway', retryable: true },
      { ok: false, durationMs: 40, error: 'Not Found', retryable: false },
    ];
    for (const outcome of outcomes) metrics.recordJob(outcome);
    expect(await samples(metrics, 'freshbase_jobs_total')).toEqual([
      'freshbase_jobs_total{outcome="done"} 2',
      'freshbase_jobs_total{outcome="invalid_config"} 1',
      'freshbase_jobs_total{outcome="skipped"} 1',
      'freshbase_jobs_total{outcome="failed_transient"} 1',
      'freshbase_jobs_total{outcome="failed"} 1',
    ]);
    expect(await samples(metrics, 'freshbase_pull_requests_total')).toEqual([
      'freshbase_pull_requests_total{action="opened"} 1',
      'freshbase_pull_requests_total{action="updated"} 2',
      'freshbase_pull_requests_total{action="closed"} 1',
    ]);
    expect(await samples(metrics, 'freshbase_config_problems_total')).toEqual([
      'freshbase_config_problems_total 1',
    ]);
    const durations = await samples(metrics, 'freshbase_job_duration_seconds');
    expect(durations).toContain('freshbase_job_duration_seconds_count{outcome="done"} 2');
    expect(durations).toContain('freshbase_job_duration_seconds_sum{outcome="done"} 1.5');
    expect(durations).toContain('freshbase_job_duration_seconds_bucket{le="1",outcome="done"} 1');
  });
});
