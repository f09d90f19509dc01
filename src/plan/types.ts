// Shapes of the plan: what Freshbase intends to change, and how it is grouped into branches.
import type { ExtractResult, ImageUse } from '../dockerfile/types.js';
import type { ChangeReport } from '../attestations/types.js';
import type { UpdateKind } from '../image/update-kind.js';
import type { ManifestInfo, Platform } from '../registry/types.js';

/** A file read from a repository (or a local checkout), as text. */
export interface RepoFile {
  path: string;
  content: string;
}

export interface PlannedUpdate {
  file: string;
  line: number;
  /** Familiar image name (`python`, `ghcr.io/acme/app`). */
  image: string;
  /** Normalised image name (`docker.io/library/python`). */
  imageName: string;
  from: { tag: string | null; digest: string | null };
  to: { tag: string | null; digest: string | null };
  kind: UpdateKind;
  use: ImageUse;
  /** Manifest of the new target (verified). */
  target: ManifestInfo;
  /** Manifest of what is written now, when it could be looked up (for age / publish date). */
  current: ManifestInfo | null;
  /** The platforms the reference is built for (see platforms.ts); the new image's own when unknown. */
  platforms: Platform[];
  /** When Freshbase first saw the new digest under its tag; null when the state store could not say. */
  firstSeen: Date | null;
  /** What changed between the two images, when their attestations were read (proposed updates only). */
  changes?: ChangeReport;
}

/** An update that exists but is not proposed now, and why. */
export interface HeldUpdate {
  file: string;
  line: number;
  column: number;
  image: string;
  from: { tag: string | null; digest: string | null };
  /** The candidate: a tag (digest null when only the tag was judged) or a new digest of the same tag. */
  to: { tag: string | null; digest: string | null };
  reason: string;
  /** Held by the soak time (minimumReleaseAge): when the digest was first seen and when it is due. */
  soak?: { firstSeen: Date; due: Date };
}

/**
 * Why an image reference is not looked up: not an image (`stage`, `scratch`), built from ARGs
 * without defaults (`variable`), left out by the config (`ignored`: ignoreImages, `enabled: false`),
 * pinned to a digest with no tag to follow (`digest-only`), a digest that a variable's tag cannot
 * change (`not-editable`), or nothing the policy offers applies (`not-offered`).
 */
export type NotLookedUpReason =
  'stage' | 'scratch' | 'variable' | 'ignored' | 'digest-only' | 'not-editable' | 'not-offered';

export interface SkippedReference {
  file: string;
  line: number;
  /** The reference as written (after ARG substitution where that was possible). */
  image: string;
  reason: NotLookedUpReason;
}

export interface LookupFailure {
  file: string;
  line: number;
  image: string;
  error: string;
  /** Every lookup behind it was deferred to stay inside a registry's pull budget. */
  deferred?: boolean;
}

/** Read back from a PR body's hidden block: exactly what that PR proposes. */
export interface PlanMetadata {
  version: 1;
  group: string;
  updates: Array<{
    file: string;
    imageName: string;
    fromTag: string | null;
    fromDigest: string | null;
    toTag: string | null;
    toDigest: string | null;
    kind: UpdateKind;
  }>;
}

export interface BranchPlan {
  /** Group key: `repository`, a file path, or an image name, per config `group`. */
  group: string;
  branch: string;
  title: string;
  body: string;
  commitMessage: string;
  updates: PlannedUpdate[];
  metadata: PlanMetadata;
}

/** What one repository scan found and planned. */
export interface RepositoryScan {
  extracted: ExtractResult[];
  updates: PlannedUpdate[];
  errors: LookupFailure[];
  /** Updates found but not proposed, with why (platforms missing, unchanged for the platforms built). */
  held: HeldUpdate[];
  /** References not looked up, with why: so "up to date" and "not tracked" look different. */
  skipped: SkippedReference[];
  plans: BranchPlan[];
  /** Registry lookups the scan asked for (each question once per repository). */
  lookups: number;
}
