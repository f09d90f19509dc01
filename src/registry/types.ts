// What the registry adapter answers; the plan consumes these without doing I/O.
import type { ParsedManifest } from './manifest.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** One runnable image of an index (or a single manifest itself) and its platform. */
export interface PlatformImage {
  platform: Platform;
  digest: string;
  /** The attestation manifest (SBOM, provenance) the index attaches to this image, if any. */
  attestation: string | null;
}

export interface ManifestInfo {
  /** sha256 digest of the manifest bytes, verified against the bytes fetched. */
  digest: string;
  mediaType: string;
  /** True for an OCI index / Docker manifest list. */
  isIndex: boolean;
  /** Platforms of an index; the single platform of a manifest when its config says. */
  platforms: Platform[];
  /**
   * The image for each platform: an index's runnable children, or a single manifest itself when its
   * platform is known. Lets the plan tell which platforms a new digest actually changed.
   */
  images: PlatformImage[];
  /** Image config `created`, ISO 8601, when known. */
  created: string | null;
  /** org.opencontainers.image.source / .revision / .version from labels or annotations. */
  source: string | null;
  revision: string | null;
  version: string | null;
}

export interface RepositoryRef {
  registry: string;
  repository: string;
}

export interface LookupTarget {
  registry: string;
  repository: string;
  /** Tag or digest to resolve. */
  reference: string;
}

/** How fresh a tag's answer must be. Digests never change, so this only concerns tags. */
export interface Freshness {
  /** Reuse a cached answer only if it was fetched at or after this time (ms since the epoch). */
  notBefore?: number;
}

export interface RegistryLookup {
  /** Resolve a tag (or digest) to its verified manifest info. */
  resolve(target: LookupTarget, freshness?: Freshness): Promise<ManifestInfo>;
  /**
   * The digest a tag names now, as the registry's HEAD says (a digest answers itself): enough to
   * see that a pinned digest is still current. Not verified, so never a digest to write: one that
   * gets pinned comes from `resolve`, which hashes the manifest's bytes.
   */
  digest(target: LookupTarget, freshness?: Freshness): Promise<string>;
  /**
   * The manifest for `platform` inside the index `target` (a tag) resolves to; a single-platform
   * tag answers itself when its platform matches. not-found when the platform is missing.
   */
  resolvePlatform(target: LookupTarget, platform: Platform, freshness?: Freshness): Promise<ManifestInfo>;
  listTags(registry: string, repository: string, freshness?: Freshness): Promise<string[]>;
}

/**
 * Lookups on behalf of one GitHub account's repositories: host rules that name installations serve
 * only theirs, so one organisation's registry credentials never read images for another's.
 */
export interface AccountRegistries {
  forAccount(login: string): RegistryLookup;
}

/**
 * Documents addressed by digest, verified against it: what the attestation reader needs. Blobs are
 * read up to `maxBytes` (a larger one fails as too-large).
 */
export interface DocumentSource {
  readManifest(repo: RepositoryRef, digest: string): Promise<ParsedManifest>;
  readBlob(repo: RepositoryRef, digest: string, maxBytes: number): Promise<Buffer>;
}

export type RegistryErrorCode =
  | 'auth'
  | 'not-found'
  | 'rate-limited'
  /** Not looked up now, to stay inside the registry's pull budget: the next sweep tries again. */
  | 'deferred'
  | 'server'
  | 'timeout'
  | 'digest-mismatch'
  | 'too-large'
  | 'forbidden-address'
  | 'protocol'
  | 'network';

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code: RegistryErrorCode,
    readonly image: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
