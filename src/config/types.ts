// The repository config `.github/freshbase.yml` as the rest of the code sees it (after validation
// and defaults). The zod schema in schema.ts must produce exactly this shape.
import type { OfferedKind, UpdateKind } from '../image/update-kind.js';

export interface ImageRule {
  images: string[];
  updates?: OfferedKind[];
  pin?: boolean;
  enabled?: boolean;
  platforms?: string[];
  minimumReleaseAge?: string;
  automerge?: UpdateKind[];
}

export interface RepoConfig {
  enabled: boolean;
  files: string[];
  ignorePaths: string[];
  ignoreImages: string[];
  pin: boolean;
  updates: OfferedKind[];
  /** Platforms the repository builds (`linux/amd64`); absent: each reference's own (see plan). */
  platforms?: string[];
  /** How long a digest must have been seen before it is proposed (`3 days`); absent: at once. */
  minimumReleaseAge?: string;
  /** Update kinds whose PRs get GitHub's auto-merge (see plan/automerge.ts); none by default. */
  automerge: UpdateKind[];
  automergeMethod: 'merge' | 'squash' | 'rebase';
  rules: ImageRule[];
  group: 'repository' | 'file' | 'image';
  schedule: { cron: string; timezone: string };
  maxOpenPullRequests: number;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  branchPrefix: string;
  commitMessagePrefix: string;
  /** Keep one dashboard issue in the repository (see src/dashboard). */
  dashboard: boolean;
  /** In the org's `.github` repository only: keep the fleet dashboard issue there. */
  orgDashboard: boolean;
  /**
   * From the org's `.github` config: a repository without its own config file is onboarded first
   * (see src/onboarding).
   */
  onboarding: boolean;
}

/** Effective policy for one image after rules. */
export interface ImagePolicy {
  enabled: boolean;
  pin: boolean;
  updates: OfferedKind[];
  /** Configured platforms, or null to use the reference's `--platform` / the current index. */
  platforms: string[] | null;
  /** Soak time in milliseconds (minimumReleaseAge); 0 proposes a digest as soon as it is seen. */
  minimumReleaseAgeMs: number;
  /** Update kinds that may be merged automatically. */
  automerge: UpdateKind[];
}

export interface ConfigProblem {
  /** Dotted path of the key (`rules.0.updates`), or '' for the whole file. */
  path: string;
  message: string;
  line?: number;
}

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };
