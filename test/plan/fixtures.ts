// Builders for plan tests: image uses, manifests and a registry given as plain data.
import { validateConfig } from '../../src/config/load.js';
import type { RepoConfig } from '../../src/config/types.js';
import type { ImageUse } from '../../src/dockerfile/types.js';
import { imageName, parseImageReference } from '../../src/image/reference.js';
import {
  emptyAnswers,
  isLookupError,
  isNothingNeeded,
  manifestKey,
  platformManifestKey,
  sightingKey,
  type LookupAnswers,
  type LookupError,
} from '../../src/plan/lookups.js';
import { lookupsNeeded, MAX_LOOKUP_ROUNDS, type FileUse } from '../../src/plan/plan.js';
import { formatPlatform } from '../../src/registry/platform.js';
import type { ManifestInfo, Platform } from '../../src/registry/types.js';

/** `sha256:` and 64 times the given hex digit. */
export const digest = (hex: string): string => `sha256:${hex.repeat(64).slice(0, 64)}`;

export function config(value: unknown = {}): RepoConfig {
  const result = validateConfig(value);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

export function use(written: string, line = 1, edit: 'reference' | 'tag-only' = 'reference'): ImageUse {
  const parsed = parseImageReference(written);
  if (!parsed.ok) throw new Error(parsed.error);
  return {
    line,
    column: 1,
    source: 'from',
    written,
    ...parsed.ref,
    stage: null,
    platform: null,
    edit: {
      kind: edit,
      range: { start: 5, end: 5 + written.length },
      viaArg: edit === 'tag-only' ? 'TAG' : null,
    },
  };
}

export const at = (file: string, written: string, line = 1, edit?: 'reference' | 'tag-only'): FileUse => ({
  file,
  use: use(written, line, edit),
});

export const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
export const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };

/** An index; each platform's image digest derives from `hex` and its position unless `images` is given. */
export function index(hex: string, extra: Partial<ManifestInfo> = {}): ManifestInfo {
  const platforms = extra.platforms ?? [AMD64, ARM64];
  return {
    digest: digest(hex),
    mediaType: 'application/vnd.oci.image.index.v1+json',
    isIndex: true,
    platforms,
    images: platforms.map((platform, i) => ({ platform, digest: digest(`${hex}${i}`), attestation: null })),
    created: '2024-05-01T10:00:00Z',
    source: null,
    revision: null,
    version: null,
    ...extra,
  };
}

export function single(
  hex: string,
  platform: Platform | null,
  extra: Partial<ManifestInfo> = {},
): ManifestInfo {
  return index(hex, {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    isIndex: false,
    platforms: platform ? [platform] : [],
    images: platform ? [{ platform, digest: digest(hex), attestation: null }] : [],
    ...extra,
  });
}

/** What a registry holds, keyed like the answers: `docker.io/library/python:3.12`, `…@sha256:…`. */
export interface FakeRegistry {
  manifests?: Record<string, ManifestInfo | LookupError>;
  tags?: Record<string, string[] | LookupError>;
  /** `docker.io/library/python:3.12|linux/arm64/v8` */
  platforms?: Record<string, ManifestInfo | LookupError>;
  /** First-seen times by sighting (`docker.io/library/python:3.12@sha256:…`); others: LONG_AGO. */
  firstSeen?: Record<string, Date | LookupError>;
}

/** The plan's clock in these tests, and when a sighting not listed in `firstSeen` was first seen. */
export const PLAN_NOW = new Date('2025-06-02T10:00:00Z');
export const LONG_AGO = new Date('2024-01-01T00:00:00Z');

const notFound = (what: string): LookupError => ({ error: `${what} not found`, code: 'not-found' });

/** The I/O layer's loop, answering from data; returns the answers and the questions per round. */
export function answerAll(uses: FileUse[], cfg: RepoConfig, registry: FakeRegistry, now = PLAN_NOW) {
  const answers: LookupAnswers = emptyAnswers();
  const rounds = [];
  for (
    let needed = lookupsNeeded(uses, cfg, now, answers);
    !isNothingNeeded(needed);
    needed = lookupsNeeded(uses, cfg, now, answers)
  ) {
    rounds.push(needed);
    if (rounds.length > MAX_LOOKUP_ROUNDS) throw new Error('lookups do not converge');
    for (const sighting of needed.firstSeen) {
      const key = sightingKey(sighting);
      answers.firstSeen.set(key, registry.firstSeen?.[key] ?? LONG_AGO);
    }
    // A tag's digest is what its manifest says (the real client asks HEAD, and GET only without one).
    for (const target of needed.digests) {
      const key = manifestKey(target);
      const manifest = registry.manifests?.[key] ?? notFound(key);
      answers.digests.set(key, isLookupError(manifest) ? manifest : manifest.digest);
    }
    for (const target of needed.manifests) {
      const key = manifestKey(target);
      answers.manifests.set(key, registry.manifests?.[key] ?? notFound(key));
    }
    for (const ref of needed.tags) {
      answers.tags.set(imageName(ref), registry.tags?.[imageName(ref)] ?? notFound(imageName(ref)));
    }
    for (const query of needed.platformManifests) {
      const key = platformManifestKey(query);
      answers.platformManifests.set(
        key,
        registry.platforms?.[key] ?? notFound(formatPlatform(query.platform)),
      );
    }
  }
  return { answers, rounds };
}
