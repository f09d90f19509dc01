// The registry answers the plan needs, as plain data. The I/O layer (repository/lookup-rounds.ts)
// fills them in rounds:
//
//   let answers = emptyAnswers();
//   for (let needed = lookupsNeeded(uses, config, answers); !isNothingNeeded(needed);
//        needed = lookupsNeeded(uses, config, answers)) {
//     for (const t of needed.digests) answers.digests.set(manifestKey(t), await digest(t) or error);
//     for (const t of needed.manifests) answers.manifests.set(manifestKey(t), await resolve(t) or error);
//     for (const r of needed.tags) answers.tags.set(imageName(r), await listTags(r) or error);
//     for (const q of needed.platformManifests)
//       answers.platformManifests.set(platformManifestKey(q), await resolvePlatform(q.target, q.platform) or error);
//   }
//   planUpdates({ uses, answers, config });
//
// Rounds exist because later questions depend on earlier answers: which new tag to resolve
// depends on the tag list, a platform query on whether the pinned digest is single-platform, and
// a first-seen time on which digest a candidate resolved to. A pinned reference asks its tag's
// digest first (a HEAD): only when that moved, or a newer tag exists, are manifests read at all.
import { imageName, manifestName } from '../image/reference.js';
import { formatPlatform } from '../registry/platform.js';
import type {
  LookupTarget,
  ManifestInfo,
  Platform,
  RegistryError,
  RepositoryRef,
} from '../registry/types.js';

/** A lookup that failed; `code` lets the plan tell a deleted digest from an outage. */
export interface LookupError {
  error: string;
  code?: RegistryError['code'];
}

export type { RepositoryRef };

/** The manifest for `platform` inside the index that `target` (a tag) resolves to. */
export interface PlatformQuery {
  target: LookupTarget;
  platform: Platform;
}

export interface LookupAnswers {
  /** Key: manifestKey(target) — `docker.io/library/python:3.12`. The digest the tag names (HEAD). */
  digests: Map<string, string | LookupError>;
  /** Key: manifestKey(target) — `docker.io/library/python:3.12` or `…/python@sha256:…`. */
  manifests: Map<string, ManifestInfo | LookupError>;
  /** Key: imageName(ref) — `docker.io/library/python`. All tags of the repository. */
  tags: Map<string, string[] | LookupError>;
  /** Key: platformManifestKey(query) — `docker.io/library/python:3.12|linux/arm64/v8`. */
  platformManifests: Map<string, ManifestInfo | LookupError>;
  /** Key: sightingKey — `docker.io/library/python:3.12@sha256:…`. When Freshbase first saw it. */
  firstSeen: Map<string, Date | LookupError>;
}

/** One observation: `registry/repository:tag` resolved to `digest`. */
export interface DigestSighting {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
}

/** What the I/O layer must still fetch; each list deduplicated and sorted by key. */
export interface LookupsNeeded {
  digests: LookupTarget[];
  manifests: LookupTarget[];
  tags: RepositoryRef[];
  platformManifests: PlatformQuery[];
  firstSeen: DigestSighting[];
}

export function emptyAnswers(): LookupAnswers {
  return {
    digests: new Map(),
    manifests: new Map(),
    tags: new Map(),
    platformManifests: new Map(),
    firstSeen: new Map(),
  };
}

export function isLookupError(value: unknown): value is LookupError {
  return typeof value === 'object' && value !== null && 'error' in value && !Array.isArray(value);
}

/** The manifest's name, as the registry client names it too. */
export function manifestKey(target: LookupTarget): string {
  return manifestName(target, target.reference);
}

export function platformManifestKey(query: PlatformQuery): string {
  return `${manifestKey(query.target)}|${formatPlatform(query.platform)}`;
}

/** Tags cannot hold `:` or `@` and repositories cannot hold `:`, so the key is unambiguous. */
export function sightingKey(s: DigestSighting): string {
  return `${s.registry}/${s.repository}:${s.tag}@${s.digest}`;
}

/** Registry questions only: first-seen times come from the state store, not the registry. */
export function registryLookupCount(needed: LookupsNeeded): number {
  return (
    needed.digests.length + needed.manifests.length + needed.tags.length + needed.platformManifests.length
  );
}

export function isNothingNeeded(needed: LookupsNeeded): boolean {
  return registryLookupCount(needed) + needed.firstSeen.length === 0;
}

/**
 * Read access to the answers that records every question not answered yet. The plan asks
 * through it; lookupsNeeded collects the questions, planUpdates reports them as failures.
 */
export class AnswerReader {
  private readonly missingDigests = new Map<string, LookupTarget>();
  private readonly missingManifests = new Map<string, LookupTarget>();
  private readonly missingTags = new Map<string, RepositoryRef>();
  private readonly missingPlatforms = new Map<string, PlatformQuery>();
  private readonly missingSightings = new Map<string, DigestSighting>();

  constructor(private readonly answers: LookupAnswers) {}

  digest(target: LookupTarget): string | LookupError | undefined {
    const key = manifestKey(target);
    const answer = this.answers.digests.get(key);
    if (answer === undefined) this.missingDigests.set(key, target);
    return answer;
  }

  manifest(target: LookupTarget): ManifestInfo | LookupError | undefined {
    const key = manifestKey(target);
    const answer = this.answers.manifests.get(key);
    if (answer === undefined) this.missingManifests.set(key, target);
    return answer;
  }

  tags(ref: RepositoryRef): string[] | LookupError | undefined {
    const key = imageName(ref);
    const answer = this.answers.tags.get(key);
    if (answer === undefined)
      this.missingTags.set(key, { registry: ref.registry, repository: ref.repository });
    return answer;
  }

  platformManifest(query: PlatformQuery): ManifestInfo | LookupError | undefined {
    const key = platformManifestKey(query);
    const answer = this.answers.platformManifests.get(key);
    if (answer === undefined) this.missingPlatforms.set(key, query);
    return answer;
  }

  firstSeen(sighting: DigestSighting): Date | LookupError | undefined {
    const key = sightingKey(sighting);
    const answer = this.answers.firstSeen.get(key);
    if (answer === undefined) this.missingSightings.set(key, sighting);
    return answer;
  }

  missing(): LookupsNeeded {
    const sorted = <T>(map: Map<string, T>): T[] =>
      [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
    return {
      digests: sorted(this.missingDigests),
      manifests: sorted(this.missingManifests),
      tags: sorted(this.missingTags),
      platformManifests: sorted(this.missingPlatforms),
      firstSeen: sorted(this.missingSightings),
    };
  }
}
