// Manifest, index and image-config documents: media types, parsing, platforms and OCI labels.
// Pure: no I/O.
import { isSha256Digest } from '../image/reference.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { samePlatform } from './platform.js';
import type { Platform } from './types.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/** Accept for manifest requests: an index where there is one, so a multi-arch tag gives its index digest. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);

const digestSchema = z.string().refine(isSha256Digest, 'must be a sha256 digest');
const annotationsSchema = z.record(z.string(), z.string()).nullish();
const platformSchema = z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() });
const descriptorSchema = z.object({ mediaType: z.string().optional(), digest: digestSchema });

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  annotations: annotationsSchema,
  manifests: z
    .array(descriptorSchema.extend({ platform: platformSchema.optional(), annotations: annotationsSchema }))
    .optional(),
  config: descriptorSchema.optional(),
  layers: z
    .array(
      descriptorSchema.extend({
        mediaType: z.string(),
        size: z.number().int().min(0),
        annotations: annotationsSchema,
      }),
    )
    .optional(),
});

const configSchema = z.object({
  os: z.string().optional(),
  architecture: z.string().optional(),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: z.object({ Labels: z.record(z.string(), z.string()).nullish() }).nullish(),
});

export interface IndexChild {
  digest: string;
  platform: Platform;
  /** Digest of the attestation manifest BuildKit attached to this image (SBOM, provenance), if any. */
  attestation: string | null;
}

export interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; annotations: Record<string, string>; children: IndexChild[] }
  | {
      kind: 'image';
      mediaType: string;
      annotations: Record<string, string>;
      configDigest: string;
      layers: Layer[];
    };

/** BuildKit's annotations on the index entry of an attestation manifest. */
export const ATTESTATION_ANNOTATIONS = {
  type: 'vnd.docker.reference.type',
  attestationManifest: 'attestation-manifest',
  subject: 'vnd.docker.reference.digest',
} as const;

export interface ImageConfig {
  platform: Platform | null;
  created: string | null;
  labels: Record<string, string>;
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${what} is not JSON`);
  }
}

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
}

/** Attestations and other non-runnable entries of an index carry `unknown/unknown`. */
function isRunnable(platform: Platform | undefined): platform is Platform {
  return platform !== undefined && platform.os !== 'unknown' && platform.architecture !== 'unknown';
}

/** Parses manifest bytes; the media type comes from the document, else the Content-Type, else its shape. */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  const parsed = manifestSchema.safeParse(parseJson(bytes, 'manifest'));
  if (!parsed.success) throw new Error(`unsupported manifest: ${issues(parsed.error)}`);
  const document = parsed.data;
  const headerType = contentType?.split(';')[0]?.trim();
  const known = (type: string | undefined): type is string =>
    type !== undefined && (INDEX_TYPES.has(type) || IMAGE_TYPES.has(type));
  const mediaType =
    [document.mediaType, headerType].find(known) ??
    (document.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  const annotations = document.annotations ?? {};
  if (INDEX_TYPES.has(mediaType)) {
    if (!document.manifests) throw new Error(`${mediaType} without manifests`);
    // Attestation manifests stand beside the images as unknown/unknown entries naming their subject.
    const attestations = new Map<string, string>();
    for (const entry of document.manifests) {
      const subject = entry.annotations?.[ATTESTATION_ANNOTATIONS.subject];
      const type = entry.annotations?.[ATTESTATION_ANNOTATIONS.type];
      if (!isRunnable(entry.platform) && type === ATTESTATION_ANNOTATIONS.attestationManifest && subject) {
        if (isSha256Digest(subject) && !attestations.has(subject)) attestations.set(subject, entry.digest);
      }
    }
    const children = document.manifests.flatMap((child) =>
      isRunnable(child.platform)
        ? [
            {
              digest: child.digest,
              platform: child.platform,
              attestation: attestations.get(child.digest) ?? null,
            },
          ]
        : [],
    );
    return { kind: 'index', mediaType, annotations, children };
  }
  if (!document.config) throw new Error(`${mediaType} without config`);
  const layers = (document.layers ?? []).map((layer) => ({
    mediaType: layer.mediaType,
    digest: layer.digest,
    size: layer.size,
    annotations: layer.annotations ?? {},
  }));
  return { kind: 'image', mediaType, annotations, configDigest: document.config.digest, layers };
}

export function parseImageConfig(bytes: Buffer): ImageConfig {
  const parsed = configSchema.safeParse(parseJson(bytes, 'image config'));
  if (!parsed.success) throw new Error(`unsupported image config: ${issues(parsed.error)}`);
  const { os, architecture, variant, created, config } = parsed.data;
  const platform = os && architecture ? { os, architecture, ...(variant ? { variant } : {}) } : null;
  return { platform, created: created ?? null, labels: config?.Labels ?? {} };
}

/** The child whose config stands for the whole index: linux/amd64, else the first. */
export function representativeChild(children: IndexChild[]): IndexChild | undefined {
  return (
    children.find((c) => samePlatform(c.platform, { os: 'linux', architecture: 'amd64' })) ?? children[0]
  );
}

export interface ImageLabels {
  source: string | null;
  revision: string | null;
  version: string | null;
}

/** OCI source/revision/version, taking each from the first of `sources` that has it. */
export function imageLabels(...sources: Array<Record<string, string>>): ImageLabels {
  const pick = (key: string): string | null =>
    sources.map((s) => s[`org.opencontainers.image.${key}`]).find((v) => v !== undefined && v !== '') ?? null;
  return { source: pick('source'), revision: pick('revision'), version: pick('version') };
}
