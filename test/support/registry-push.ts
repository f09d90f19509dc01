// Pushes images to a distribution registry through its HTTP API (blob upload, then manifest PUT), so
// tests see exactly what a real `docker push` leaves behind: blobs, manifests, indexes and digests.
import { createHash } from 'node:crypto';
import type { Platform } from '../../src/registry/types.js';
import { provenanceStatement, spdxStatement, type AttestationSpec } from './attestations.js';

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
  /** In an index: an attestation manifest for this image (SBOM and/or provenance), as BuildKit adds. */
  attestation?: AttestationSpec;
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
  /** Attestation manifest digests, by the digest of the image they attest. */
  attestations: Record<string, string>;
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
  const images: ImageSpec[] = spec.images ?? DEFAULT_INDEX_PLATFORMS.map((platform) => ({ platform }));
  const children: PushedImage[] = [];
  const attestationEntries: unknown[] = [];
  const attestations: Record<string, string> = {};
  for (const image of images) {
    const child = await pushImage(target, repository, null, { format, ...image });
    children.push(child);
    if (image.attestation) {
      const pushed = await pushAttestation(target, repository, image.attestation);
      attestations[child.digest] = pushed.digest;
      attestationEntries.push({
        mediaType: MEDIA.oci.manifest,
        digest: pushed.digest,
        size: pushed.size,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': child.digest,
        },
      });
    }
  }
  const manifest = json({
    schemaVersion: 2,
    mediaType: media.index,
    manifests: [
      ...children.map((child) => ({
        mediaType: child.mediaType,
        digest: child.digest,
        size: child.manifest.length,
        platform: child.platform,
      })),
      ...attestationEntries,
    ],
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  const digest = await pushManifest(target, repository, tag, media.index, manifest);
  return { digest, manifest, mediaType: media.index, children, attestations };
}

/** An attestation manifest as BuildKit writes it: in-toto layers annotated with their predicate type. */
async function pushAttestation(
  target: PushTarget,
  repository: string,
  spec: AttestationSpec,
): Promise<{ digest: string; size: number }> {
  const statements: Array<[string, unknown]> = [];
  if (spec.packages) statements.push(['https://spdx.dev/Document', spdxStatement(spec.packages)]);
  if (spec.revision) {
    const version = spec.provenance ?? 'v0.2';
    statements.push([`https://slsa.dev/provenance/${version}`, provenanceStatement(spec.revision, version)]);
  }
  const layers = [];
  for (const [predicateType, statement] of statements) {
    const bytes = json(statement);
    const digest = await pushBlob(target, repository, bytes);
    layers.push({
      mediaType: 'application/vnd.in-toto+json',
      digest,
      size: bytes.length,
      annotations: { 'in-toto.io/predicate-type': predicateType },
    });
  }
  const config = Buffer.from('{}');
  const configDigest = await pushBlob(target, repository, config);
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA.oci.manifest,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: configDigest,
      size: config.length,
    },
    layers,
  });
  const digest = await pushManifest(target, repository, sha256(manifest), MEDIA.oci.manifest, manifest);
  return { digest, size: manifest.length };
}
