// An in-memory registry for the lifecycle tests, whose digests tests change between runs (the
// real registry client is tested against a real registry in test/registry).
import {
  RegistryError,
  type LookupTarget,
  type AccountRegistries,
  type ManifestInfo,
  type RegistryLookup,
} from '../../src/registry/types.js';

export class FakeRegistry implements RegistryLookup, AccountRegistries {
  /** `name:tag` → digest (name without `library/`). */
  readonly digests = new Map<string, string>();
  /** Names whose lookups fail (as a registry outage would). */
  readonly failing = new Set<string>();
  /** Name (without `library/`) → its tags, for tag updates; none by default. */
  readonly tags = new Map<string, string[]>();
  lookups = 0;
  /** Accounts lookups were asked for, in order. */
  readonly accounts: string[] = [];

  forAccount(login: string): RegistryLookup {
    this.accounts.push(login);
    return this;
  }

  async resolve(target: LookupTarget): Promise<ManifestInfo> {
    this.lookups++;
    const name = target.repository.replace(/^library\//, '');
    if (this.failing.has(name)) throw new RegistryError(`lookup failed: ${name}`, 'server', name);
    // A pinned digest is looked up too (publish date, platform): answer for any well-formed one.
    const digest = target.reference.startsWith('sha256:')
      ? target.reference
      : this.digests.get(`${name}:${target.reference}`);
    if (!digest) throw new RegistryError(`no such tag: ${name}:${target.reference}`, 'not-found', name);
    return {
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      isIndex: true,
      platforms: [],
      images: [],
      created: null,
      source: null,
      revision: null,
      version: null,
    };
  }
  async digest(target: LookupTarget): Promise<string> {
    return (await this.resolve(target)).digest;
  }
  resolvePlatform(): Promise<ManifestInfo> {
    throw new Error('not used');
  }
  async listTags(_registry: string, repository: string): Promise<string[]> {
    return this.tags.get(repository.replace(/^library\//, '')) ?? [];
  }
}

export function digest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}
