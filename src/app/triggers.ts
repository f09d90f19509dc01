// Which webhook deliveries call for a scan. Pure functions over payload fields, so the handlers
// stay thin and the decisions are tested without a server.
import path from 'node:path';
import { CONFIG_PATH } from '../config/load.js';
import { DASHBOARD_MARKER, hasRequests, parseRequests } from '../dashboard/body.js';

/**
 * Whether a changed path may matter to a scan. The file globs are per-repository config that a
 * handler does not read, so this is inclusive: any file named like a Dockerfile or Containerfile
 * (`Dockerfile`, `Dockerfile.prod`, `api.dockerfile`, …) or the config itself.
 */
export function isScanRelevantPath(file: string): boolean {
  const base = path.posix.basename(file).toLowerCase();
  return file === CONFIG_PATH || base.includes('dockerfile') || base.includes('containerfile');
}

interface PushCommit {
  added?: string[] | null;
  modified?: string[] | null;
  removed?: string[] | null;
}

export interface PushFields {
  ref: string;
  deleted?: boolean;
  commits?: PushCommit[] | null;
  repository: { default_branch?: string };
}

/** Above this many commits the payload's commit list may be cut short, so its files are not trusted. */
const TRUSTED_COMMIT_COUNT = 20;

function isPushToDefaultBranch(push: PushFields): boolean {
  const defaultBranch = push.repository.default_branch;
  return Boolean(defaultBranch) && push.ref === `refs/heads/${defaultBranch}` && !push.deleted;
}

/** The paths a push changed, or null when the payload cannot tell. */
export function changedPaths(push: PushFields): string[] | null {
  const commits = push.commits ?? [];
  // No commit list (a force-push back to an older commit) or a possibly cut one: files unknown.
  if (commits.length === 0 || commits.length >= TRUSTED_COMMIT_COUNT) return null;
  const paths: string[] = [];
  for (const commit of commits) {
    if (!commit.added || !commit.modified || !commit.removed) return null;
    paths.push(...commit.added, ...commit.modified, ...commit.removed);
  }
  return paths;
}

/** A push to the default branch that touched a scanned file or the config (or might have). */
export function pushNeedsScan(push: PushFields): boolean {
  if (!isPushToDefaultBranch(push)) return false;
  const paths = changedPaths(push);
  return paths === null || paths.some(isScanRelevantPath);
}

/**
 * A push to the org-wide `.github` repository's config changes the config of every repository
 * that falls back to it, so the whole installation is rescanned.
 */
export function pushChangesOrgConfig(push: PushFields & { repository: { name: string } }): boolean {
  if (push.repository.name !== '.github' || !isPushToDefaultBranch(push)) return false;
  const paths = changedPaths(push);
  return paths === null || paths.includes(CONFIG_PATH);
}

/** `package` / `registry_package` events for container images (not npm, maven, …). */
export function isContainerPackage(pkg: { package_type?: string | null } | null | undefined): boolean {
  const type = pkg?.package_type?.toLowerCase();
  return type === 'container' || type === 'docker';
}

/** `owner/name` → parts; the payload's `full_name` is authoritative for both. */
export function splitFullName(fullName: string): { owner: string; repo: string } {
  const slash = fullName.indexOf('/');
  return { owner: fullName.slice(0, slash), repo: fullName.slice(slash + 1) };
}

/**
 * An edit of the app's dashboard issue that leaves a box ticked: a maintainer asked for an update
 * now or a retry. The app's own rewrite of the dashboard unticks every box, so it never loops.
 */
export function dashboardAsksForScan(
  issue: { body?: string | null; user?: { login: string } | null; pull_request?: unknown },
  botLogin: string,
): boolean {
  if (issue.pull_request || issue.user?.login !== botLogin) return false;
  const body = issue.body ?? '';
  return body.startsWith(DASHBOARD_MARKER) && hasRequests(parseRequests(body));
}
