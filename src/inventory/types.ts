// The fleet inventory: for every repository, every base image use (file → line → reference), how
// far behind it is, and what Freshbase does about it. Plain data: built by a read-only sweep,
// rendered as a table, JSON or Markdown, and shown on the dashboard issues.
import type { OfferedKind } from '../image/update-kind.js';

/** How far a use is behind the newest release of its line; null when it is up to date. */
export type Behind = OfferedKind;

/** What Freshbase does about one use under the repository's config, as of this sweep. */
export type UseState =
  /** Nothing to do: up to date, or only behind in a way the config does not offer. */
  | { kind: 'current' }
  /** An open Freshbase PR covers it. */
  | { kind: 'pull-request'; number: number }
  /** Freshbase would open a PR for it on its next scan. */
  | { kind: 'planned' }
  /** An update exists but is held back (schedule window, PR cap, soak time). */
  | { kind: 'held'; reason: string }
  /** The update was declined: its PR was closed without merge. */
  | { kind: 'declined' }
  /** Behind, but the config does not offer that kind of update. */
  | { kind: 'not-offered' }
  /** The config leaves the image alone (`ignoreImages`, a rule with `enabled: false`). */
  | { kind: 'ignored' }
  /** A registry lookup or rewrite failed: the image is not being kept fresh. */
  | { kind: 'error' };

export interface DigestRef {
  tag: string | null;
  digest: string;
}

export interface InventoryUse {
  line: number;
  /** Familiar name (`python`, `ghcr.io/acme/app`). */
  image: string;
  /** Normalised name (`docker.io/library/python`). */
  imageName: string;
  tag: string | null;
  digest: string | null;
  behind: Behind | null;
  /** The newest release of its line (same tag re-published, or a newer tag); null if unknown. */
  latest: DigestRef | null;
  /** The update Freshbase proposes (or would) under the config, when there is one. */
  proposed: (DigestRef & { kind: string }) | null;
  /** Open Freshbase PR that changes this use, if any. */
  pullRequest: number | null;
  state: UseState;
  error: string | null;
  /** Image config `created` of the digest in use and of `latest`, when the registry says. */
  currentCreated: string | null;
  latestCreated: string | null;
  /** When Freshbase first saw `latest`'s digest (the state store's time, ISO); null if unknown. */
  latestFirstSeen: string | null;
}

/** A reference Freshbase cannot follow (built from a variable without default, invalid). */
export interface UntrackedUse {
  line: number;
  written: string;
  reason: string;
}

export interface InventoryFile {
  path: string;
  images: InventoryUse[];
  untracked: UntrackedUse[];
}

export interface OpenPull {
  number: number;
  title: string;
  branch: string;
}

export interface RepositoryInventory {
  repository: string;
  /** `scanned`, or why not: skipped (archived, fork, …), invalid config, or the read failed. */
  status: 'scanned' | 'skipped' | 'invalid-config' | 'failed';
  /** The skip reason, the config problems or the failure, for people. */
  detail: string | null;
  files: InventoryFile[];
  pullRequests: OpenPull[];
}

export interface Inventory {
  generatedAt: string;
  repositories: RepositoryInventory[];
}
