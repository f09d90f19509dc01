// Shared set-up of the GitHub adapter tests: the fake GitHub, a real Probot Octokit pointed at it,
// the fake registry, and one call to run a reconcile of acme/app.
import { temporaryStateStore } from '../support/state.js';
import { ProbotOctokit } from 'probot';
import type { AppIdentity, GitHubClient, Log } from '../../src/github/types.js';
import { reconcileRepository, type ReconcileDeps } from '../../src/repository/reconcile.js';
import type { RepositoryReport } from '../../src/repository/types.js';
import { FakeGitHub } from '../support/fake-github.js';
import { digest, FakeRegistry } from './fake-registry.js';

export const BOT = 'freshbase[bot]';
export const IDENTITY: AppIdentity = { slug: 'freshbase', botLogin: BOT };
export const REPO = 'acme/app';
export const PY_312 = `FROM python:3.12@${digest(1)}\nRUN pip install flask\n`;

/** A pino-like logger that keeps its lines, so tests can assert on what was logged. */
export function memoryLog(
  lines: Array<Record<string, unknown>> = [],
  bindings: Record<string, unknown> = {},
): Log {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(
        typeof obj === 'string' ? { level, ...bindings, msg: obj } : { level, ...bindings, ...obj, msg },
      );
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => memoryLog(lines, { ...bindings, ...more }),
  };
}

export interface Harness {
  gh: FakeGitHub;
  registry: FakeRegistry;
  logs: Array<Record<string, unknown>>;
  run(overrides?: Partial<ReconcileDeps>): Promise<RepositoryReport>;
}

/**
 * A real Probot Octokit as the app gets it, minus retries and throttling, logging nothing; for
 * github.com unless `baseUrl` names a GitHub Enterprise Server (the fake answers GHE_API too).
 */
export function createTestOctokit(baseUrl?: string): GitHubClient {
  const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  return new ProbotOctokit({
    ...(baseUrl ? { baseUrl } : {}),
    auth: { token: 'test' },
    retry: { enabled: false },
    throttle: { enabled: false },
    log: silent,
  });
}

/** `baseUrl`: the app talks to a GitHub Enterprise Server there (GHE_API) instead of github.com. */
export function createHarness(baseUrl?: string): Harness {
  const gh = new FakeGitHub(BOT).install();
  const registry = new FakeRegistry();
  registry.digests.set('python:3.12', digest(2));
  const logs: Array<Record<string, unknown>> = [];
  const octokit = createTestOctokit(baseUrl);
  const state = temporaryStateStore();
  return {
    gh,
    registry,
    logs,
    run: (overrides = {}) =>
      reconcileRepository({
        octokit,
        owner: 'acme',
        repo: 'app',
        log: memoryLog(logs),
        registry,
        state,
        now: new Date('2025-06-02T10:00:00Z'),
        identity: IDENTITY,
        ...overrides,
      }),
  };
}
