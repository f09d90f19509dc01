// Shapes shared by the GitHub adapter: the client as Probot hands it out, a pino-like logger, the
// per-repository context every module works with, and what reconciling pull requests did.
import type { ProbotOctokit } from 'probot';
import type { GitHubServerFeatures } from './server-features.js';

export type GitHubClient = InstanceType<typeof ProbotOctokit>;

type LogFn = (obj: object | string, msg?: string) => void;

/** The subset of pino that this adapter uses; Probot's `app.log` / `context.log` fit it. */
export interface Log {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Log;
}

/** Who the app is on GitHub, looked up once per process (`GET /app`). */
export interface AppIdentity {
  /** The app's slug (`freshbase`): what check runs name as their app. */
  slug: string;
  /** `<slug>[bot]`: the bot user that authors the app's PRs, issues and commits. */
  botLogin: string;
}

export interface RepoContext {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  log: Log;
  identity: AppIdentity;
  /** GraphQL node id of the repository; without it branch moves cannot be compare-and-swap. */
  repositoryId?: string;
  /** What the server is known to lack (older GHES); without it each commit finds out again. */
  serverFeatures?: GitHubServerFeatures;
  /** Runs a content-creating call through the installation's serialized write queue. */
  write<T>(call: () => Promise<T>): Promise<T>;
}

export interface PullRequestCounts {
  created: number;
  updated: number;
  unchanged: number;
  closed: number;
  commented: number;
  /** Updates not proposed now: outside the schedule window, over the PR cap, or blocked. */
  heldBack: number;
  failed: number;
}
