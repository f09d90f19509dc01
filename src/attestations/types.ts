// What Freshbase learns from an image's attestations (BuildKit SBOM and provenance), and what it
// reports about an update: the shapes of `scan --json`'s `changes` and of the PR's "What changed".

/** One package of an SBOM: its name and version as the SPDX document gives them. */
export interface SbomPackage {
  name: string;
  version: string;
}

/** What one image's attestation manifest says; null where it carries no such statement. */
export interface ImageAttestations {
  /** SPDX packages, or null without an SBOM statement. */
  packages: SbomPackage[] | null;
  /** SLSA provenance's source revision (a commit), null when absent or without provenance. */
  revision: string | null;
}

export interface PackageDiff {
  changed: Array<{ name: string; from: string; to: string }>;
  added: Array<{ name: string; version: string }>;
  removed: Array<{ name: string; version: string }>;
}

/** What changed between the old and the new image, over the platforms the repository builds. */
export interface ImageChanges {
  /** Platforms compared (each had an SBOM in both images), e.g. `linux/amd64`. */
  platforms: string[];
  /** Every platform's differences together (a change listed once). */
  packages: PackageDiff;
  /** Whether the provenance names another source revision; null when either side does not say. */
  sourceChanged: boolean | null;
  /** Per platform, only when the platforms' differences are not all the same. */
  byPlatform: Array<{ platform: string; packages: PackageDiff }>;
}

/** The outcome of comparing one update's images. */
export type ChangeReport =
  | { status: 'compared'; changes: ImageChanges }
  /** No SBOM to compare: the new (or the old) image publishes none for the platforms built. */
  | { status: 'no-sbom'; reason: string }
  /** The attestations exist but could not be read (registry failure, too large, malformed). */
  | { status: 'unreadable'; error: string };
