// Which platforms an image use is built for, and what a new manifest means for them. Pure: no I/O.
//
// A candidate (new tag or new digest) must provide every platform the reference is built for, or a
// build on the missing platform breaks; and a new index digest that changes none of those platforms'
// images (only another platform, or only the attestations, were re-published) gives the build nothing.
import { formatPlatform, imageFor, parsePlatform } from '../registry/platform.js';
import type { ManifestInfo, Platform } from '../registry/types.js';

/**
 * The platforms a use is built for: a literal `--platform` (what the build really pulls), else the
 * configured `platforms`, else every platform of the current manifest (index or single image). Empty
 * when none is known (a variable `--platform` without config, an unreadable current manifest): then
 * nothing is checked.
 */
export function requiredPlatforms(
  written: string | null,
  configured: string[] | null,
  current: ManifestInfo | null,
): Platform[] {
  const literal = written === null ? null : parsePlatform(written);
  if (literal) return [literal];
  if (configured) return configured.flatMap((text) => parsePlatform(text) ?? []);
  return current ? current.images.map((image) => image.platform) : [];
}

/** The required platforms the manifest has no image for. */
export function missingPlatforms(required: Platform[], candidate: ManifestInfo): Platform[] {
  return required.filter((p) => !imageFor(candidate, p));
}

/** Whether every required platform's image is the same in both manifests (nothing to rebuild). */
export function unchangedFor(required: Platform[], before: ManifestInfo, after: ManifestInfo): boolean {
  return (
    required.length > 0 &&
    required.every((p) => {
      const old = imageFor(before, p)?.digest;
      return old !== undefined && old === imageFor(after, p)?.digest;
    })
  );
}

export function platformList(platforms: Platform[]): string {
  return platforms.map(formatPlatform).join(', ');
}
