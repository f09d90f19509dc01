// Reads the attestations BuildKit attaches to an image index (SBOM and provenance statements) and
// compares an update's old and new images. Only for updates that will be proposed: the caller decides.
// Every document is fetched by digest and verified against it (the registry client does), blobs are
// capped, and what was parsed from a blob is kept by its digest, so an SBOM is read once per process.
import { errorMessage } from '../errors.js';
import { LRUCache } from 'lru-cache';
import { formatPlatform, imageFor } from '../registry/platform.js';
import type { DocumentSource, ManifestInfo, Platform, RepositoryRef } from '../registry/types.js';
import { compareImages, type PlatformAttestations } from './diff.js';
import {
  IN_TOTO_LAYER,
  parseProvenanceRevision,
  parseSbomStatement,
  PREDICATE_TYPE_ANNOTATION,
  statementKind,
} from './statements.js';
import type { ChangeReport, ImageAttestations } from './types.js';

/** Largest statement read (Docker Official Images' SBOMs are about 2 MB per platform). */
export const MAX_STATEMENT_BYTES = 40 * 1024 * 1024;
/** Parsed attestations kept, by attestation manifest digest. */
const CACHED_ATTESTATIONS = 512;

export interface UpdateImages {
  repo: RepositoryRef;
  /** The platforms the repository builds; only these are compared. */
  platforms: Platform[];
  /** The image written now (null when it could not be looked up). */
  before: ManifestInfo | null;
  after: ManifestInfo;
}

const NONE: ImageAttestations = { packages: null, revision: null };

export class AttestationReader {
  private readonly cache = new LRUCache<string, Promise<ImageAttestations>>({ max: CACHED_ATTESTATIONS });

  constructor(
    private readonly source: DocumentSource,
    private readonly maxStatementBytes = MAX_STATEMENT_BYTES,
  ) {}

  /** What the attestation manifest `digest` states; cached by digest (its content never changes). */
  read(repo: RepositoryRef, digest: string): Promise<ImageAttestations> {
    let entry = this.cache.get(digest);
    if (!entry) {
      entry = this.readUncached(repo, digest);
      // A failure is not kept: the next sweep tries again.
      entry.catch(() => this.cache.delete(digest));
      this.cache.set(digest, entry);
    }
    return entry;
  }

  private async readUncached(repo: RepositoryRef, digest: string): Promise<ImageAttestations> {
    const manifest = await this.source.readManifest(repo, digest);
    if (manifest.kind !== 'image') throw new Error(`attestation ${digest} is not an image manifest`);
    const result: ImageAttestations = { packages: null, revision: null };
    for (const layer of manifest.layers) {
      const kind = statementKind(layer.annotations[PREDICATE_TYPE_ANNOTATION]);
      if (layer.mediaType !== IN_TOTO_LAYER || kind === null) continue;
      if (kind === 'sbom' && result.packages !== null) continue;
      if (kind === 'provenance' && result.revision !== null) continue;
      if (layer.size > this.maxStatementBytes) {
        throw new Error(
          `${kind} statement of ${layer.size} bytes is over the ${this.maxStatementBytes}-byte cap`,
        );
      }
      const bytes = await this.source.readBlob(repo, layer.digest, this.maxStatementBytes);
      if (kind === 'sbom') result.packages = parseSbomStatement(bytes);
      else result.revision = parseProvenanceRevision(bytes);
    }
    return result;
  }

  /** Compares the SBOMs (and provenance) of an update's old and new image on the platforms built. */
  async compare(update: UpdateImages): Promise<ChangeReport> {
    const sides = update.platforms.map((platform) => ({
      platform,
      before: update.before ? (imageFor(update.before, platform)?.attestation ?? null) : null,
      after: imageFor(update.after, platform)?.attestation ?? null,
    }));
    if (!sides.some((side) => side.after !== null)) {
      return { status: 'no-sbom', reason: 'the new image publishes no attestations' };
    }
    try {
      const read = (digest: string | null) => (digest === null ? NONE : this.read(update.repo, digest));
      const platforms: PlatformAttestations[] = await Promise.all(
        sides.map(async (side) => ({
          platform: formatPlatform(side.platform),
          before: await read(side.before),
          after: await read(side.after),
        })),
      );
      if (!platforms.some((p) => p.after.packages !== null)) {
        return { status: 'no-sbom', reason: 'the new image has attestations but no SBOM' };
      }
      const changes = compareImages(platforms);
      if (!changes) return { status: 'no-sbom', reason: 'the old image publishes no SBOM to compare with' };
      return { status: 'compared', changes };
    } catch (error) {
      return { status: 'unreadable', error: errorMessage(error) };
    }
  }
}
