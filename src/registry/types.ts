// What the registry adapter answers; the plan consumes these without doing I/O.

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ManifestInfo {
  /** sha256 digest of the manifest bytes, verified against the bytes fetched. */
  digest: string;
  mediaType: string;
  /** True for an OCI index / Docker manifest list. */
  isIndex: boolean;
  /** Platforms of an index; the single platform of a manifest when its config says. */
  platforms: Platform[];
  /** Image config `created`, ISO 8601, when known. */
  created: string | null;
  /** org.opencontainers.image.source / .revision / .version from labels or annotations. */
  source: string | null;
  revision: string | null;
  version: string | null;
}

export interface LookupTarget {
  registry: string;
  repository: string;
  /** Tag or digest to resolve. */
  reference: string;
}

export interface RegistryLookup {
  /** Resolve a tag (or digest) to its verified manifest info. */
  resolve(target: LookupTarget): Promise<ManifestInfo>;
  /**
   * Given the current digest is a single-platform manifest inside `indexOf`'s index, return the
   * manifest for the same platform in the new index. Null when it is not single-platform.
   */
  platformOf(target: LookupTarget): Promise<Platform | null>;
  resolvePlatform(target: LookupTarget, platform: Platform): Promise<ManifestInfo>;
  listTags(registry: string, repository: string): Promise<string[]>;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'auth'
      | 'not-found'
      | 'rate-limited'
      | 'server'
      | 'timeout'
      | 'digest-mismatch'
      | 'too-large'
      | 'forbidden-address'
      | 'protocol'
      | 'network',
    readonly image: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
