// Platform comparison and display, shared by the registry client and the plan core. Pure: no I/O,
// no dependencies.
import type { ManifestInfo, Platform, PlatformImage } from './types.js';

/** containerd's normalisation, so `arm64` from a config matches `arm64/v8` from an index. */
function normalise(platform: Platform): string {
  const aliases: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armhf: 'arm' };
  const architecture = aliases[platform.architecture] ?? platform.architecture;
  let variant = (platform.variant ?? '').replace(/^(\d)/, 'v$1');
  if (architecture === 'arm64' && (variant === 'v8' || variant === 'v8.0')) variant = '';
  if (architecture === 'arm' && variant === '') variant = 'v7';
  if (architecture === 'amd64' && variant === 'v1') variant = '';
  return `${platform.os}/${architecture}/${variant}`;
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return normalise(a) === normalise(b);
}

/** `linux/arm64/v8`, as written in `--platform`. */
export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * A `--platform` value or config entry as a Platform (`linux/arm64/v8`); null for anything else,
 * including build arguments (`$BUILDPLATFORM`) whose value only the build knows.
 */
export function parsePlatform(text: string): Platform | null {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p))) return null;
  const [os = '', architecture = '', variant] = parts;
  return {
    os: os.toLowerCase(),
    architecture: architecture.toLowerCase(),
    ...(variant ? { variant: variant.toLowerCase() } : {}),
  };
}

/** The manifest's image for `platform` (an index's child, or a single manifest itself). */
export function imageFor(info: ManifestInfo, platform: Platform): PlatformImage | undefined {
  return info.images.find((image) => samePlatform(image.platform, platform));
}
