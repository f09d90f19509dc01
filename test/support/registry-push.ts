// Pushes images to a distribution registry through its HTTP API (blob upload, then manifest PUT), so
// tests see exactly what a real `docker push` leaves behind: blobs, manifests, indexes and digests.
import { createHash } from 'node:crypto';
import type { Platform } from '../../src/registry/types.js';

export interface RegistryAuth {
  username: string;
  password: string;
}

export interface PushTarget {
  /** Registry origin, e.g. http://127.0.0.1:5000 */
  url: string;
  auth: RegistryAuth | null;
  /** Authorization for pushing to `repository` (token auth); wins over `auth`. */
  authorization?: (repository: string) => string;
}

export interface ImageSpec {
  /** Default linux/amd64. */
  platform?: Platform;
  /** Config `created`; default a fixed date. */
  created?: string;
  /** Config Labels (org.opencontainers.image.*). */
  labels?: Record<string, string>;
  /** Manifest annotations. */
  annotations?: Record<string, string>;
  /** Docker v2 (default) or OCI media types. */
  format?: 'docker' | 'oci';
  /** Varies the layer bytes: re-pushing a tag with another seed gives a new digest. */
  seed?: string;
}

export interface PushedImage {
  digest: string;
  configDigest: string;
  config: Buffer;
  manifest: Buffer;
  mediaType: string;
  platform: Platform;
}

export interface PushedIndex {
  digest: string;
  manifest: Buffer;
  mediaType: string;
  children: PushedImage[];
}

export interface IndexSpec {
  /** Default linux/amd64 and linux/arm64/v8. */
  images?: ImageSpec[];
  annotations?: Record<string, string>;
  format?: 'docker' | 'oci';
}

const MEDIA = {
  oci: {
    index: 'application/vnd.oci.image.index.v1+json',
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
  docker: {
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
} as const;

export const DEFAULT_INDEX_PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function headers(
  target: PushTarget,
  repository: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  if (target.authorization) return { authorization: target.authorization(repository), ...extra };
  if (!target.auth) return extra;
  const basic = Buffer.from(`${target.auth.username}:${target.auth.password}`).toString('base64');
  return { authorization: `Basic ${basic}`, ...extra };
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) {
    throw new Error(`${what}: registry answered ${response.status}: ${await response.text()}`);
  }
}

/** Monolithic upload: POST /blobs/uploads/, then PUT <location>?digest=. */
export async function pushBlob(target: PushTarget, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${target.url}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers: headers(target, repository),
  });
  await expectStatus(start, 202, `start upload to ${repository}`);
  const location = new URL(start.headers.get('location')!, target.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: headers(target, repository, { 'content-type': 'application/octet-stream' }),
    body: new Uint8Array(bytes),
  });
  await expectStatus(put, 201, `upload ${digest} to ${repository}`);
  return digest;
}

export async function pushManifest(
  target: PushTarget,
  repository: string,
  reference: string,
  mediaType: string,
  bytes: Buffer,
): Promise<string> {
  const response = await fetch(`${target.url}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: headers(target, repository, { 'content-type': mediaType }),
    body: new Uint8Array(bytes),
  });
  await expectStatus(response, 201, `put manifest ${repository}:${reference}`);
  const digest = sha256(bytes);
  const claimed = response.headers.get('docker-content-digest');
  if (claimed !== digest)
    throw new Error(`registry stored ${repository}:${reference} as ${claimed}, not ${digest}`);
  return digest;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, null, 2));
}

/** Pushes config + one layer + a single-platform manifest; `tag` null pushes by digest only. */
export async function pushImage(
  target: PushTarget,
  repository: string,
  tag: string | null,
  spec: ImageSpec = {},
): Promise<PushedImage> {
  const media = MEDIA[spec.format ?? 'docker'];
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layer = Buffer.from(`layer of ${repository} ${platform.architecture} ${spec.seed ?? ''}`);
  const layerDigest = await pushBlob(target, repository, layer);
  const config = json({
    ...platform,
    created: spec.created ?? '2024-01-02T03:04:05Z',
    config: { Labels: spec.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: [layerDigest] },
  });
  const configDigest = await pushBlob(target, repository, config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: media.manifest,
    config: { mediaType: media.config, digest: configDigest, size: config.length },
    layers: [{ mediaType: media.layer, digest: layerDigest, size: layer.length }],
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  const reference = tag ?? sha256(manifest);
  const digest = await pushManifest(target, repository, reference, media.manifest, manifest);
  return { digest, configDigest, config, manifest, mediaType: media.manifest, platform };
}

/** Pushes each platform's image by digest, then the index under `tag`. */
export async function pushIndex(
  target: PushTarget,
  repository: string,
  tag: string,
  spec: IndexSpec = {},
): Promise<PushedIndex> {
  const format = spec.format ?? 'oci';
  const media = MEDIA[format];
  const images = spec.images ?? DEFAULT_INDEX_PLATFORMS.map((platform) => ({ platform }));
  const children: PushedImage[] = [];
  for (const image of images) children.push(await pushImage(target, repository, null, { format, ...image }));
  const manifest = json({
    schemaVersion: 2,
    mediaType: media.index,
    manifests: children.map((child) => ({
      mediaType: child.mediaType,
      digest: child.digest,
      size: child.manifest.length,
      platform: child.platform,
    })),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  const digest = await pushManifest(target, repository, tag, media.index, manifest);
  return { digest, manifest, mediaType: media.index, children };
}
