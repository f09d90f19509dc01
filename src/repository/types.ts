// What one repository's reconcile did: the report the job runner logs and the sweep sums up.
import type { PullRequestCounts } from '../github/types.js';

export type RepositorySkipReason =
  | 'archived'
  | 'disabled'
  | 'fork'
  | 'empty'
  | 'disabled-by-config'
  /** Its maintainers closed the onboarding pull request unmerged: left alone. */
  | 'onboarding-declined';

export interface RepositoryReport {
  repository: string;
  status: 'skipped' | 'invalid-config' | 'done';
  reason?: RepositorySkipReason;
  /** Selected files read from the default branch. */
  files: number;
  /** Selected files not read (over 1 MiB, not UTF-8, symlinks). */
  skippedFiles: number;
  images: number;
  updates: number;
  /** Registry lookups the scan asked for. */
  lookups: number;
  /** Images the scan could not update: failed registry lookups and failed rewrites. */
  errors: number;
  /**
   * Images not looked up now because a registry's pull budget is nearly spent (Docker Hub): the
   * next sweep tries again; like a failure, it never closes a PR.
   */
  deferred: number;
  pullRequests: PullRequestCounts;
  /**
   * Onboarding (org config `onboarding: true`): the repository has no config of its own, and its
   * onboarding pull request was opened, updated, left as it was, or held (branch not the app's).
   */
  onboarding?: 'opened' | 'updated' | 'unchanged' | 'held' | 'dry-run';
  /** Updates were held back by the schedule window: when it next opens, to scan again then. */
  rescanAt?: Date;
}
