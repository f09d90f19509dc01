// Image reference parsing and normalisation (Docker's reference grammar, distribution/reference).
// Pure: no I/O.

export interface ImageRef {
  /** Normalised registry host (`docker.io`, `ghcr.io`, `localhost:5000`). */
  registry: string;
  /** Full repository path (`library/python`). */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export type ParseResult = { ok: true; ref: ImageRef } | { ok: false; error: string };

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's namespace of official images: `python` there is `library/python`. */
const OFFICIAL_NAMESPACE = 'library/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// Grammar from the distribution reference package.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;

/** Whether the first path segment names a registry host rather than a Docker Hub namespace. */
function looksLikeHost(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost' || segment.startsWith('[');
}

export function normaliseRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/** A reference split into its written parts, without validation: `name[:tag][@digest]`. */
export interface ReferenceParts {
  name: string;
  tag: string | null;
  digest: string | null;
}

export function splitReference(text: string): ReferenceParts {
  let name = text;
  let digest: string | null = null;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  let tag: string | null = null;
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  if (colon >= 0) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  return { name, tag, digest };
}

/** Inverse of `splitReference`. */
export function joinReference({ name, tag, digest }: ReferenceParts): string {
  return name + (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`);
}

/** A repository path as the registry API names it (`library/python`), without the registry host. */
export function isValidRepository(repository: string): boolean {
  return repository.length <= 255 && repository.split('/').every((segment) => PATH_COMPONENT.test(segment));
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** Digest grammar, with sha256 digests held to their exact form. */
export function isValidDigest(digest: string): boolean {
  return DIGEST.test(digest) && (!digest.startsWith('sha256:') || SHA256.test(digest));
}

export function parseImageReference(text: string): ParseResult {
  if (text.length === 0) return { ok: false, error: 'empty reference' };
  if (text.length > 1024) return { ok: false, error: 'reference longer than 1024 characters' };
  const { name, tag, digest } = splitReference(text);
  if (digest !== null && !isValidDigest(digest)) return { ok: false, error: `invalid digest "${digest}"` };
  if (tag !== null && !isValidTag(tag)) return { ok: false, error: `invalid tag "${tag}"` };
  const segments = name.split('/');
  let registry = DOCKER_HUB;
  if (segments.length > 1 && looksLikeHost(segments[0]!)) {
    const host = segments.shift()!;
    if (!DOMAIN.test(host)) return { ok: false, error: `invalid registry host "${host}"` };
    registry = normaliseRegistry(host);
  }
  for (const seg of segments) {
    if (!PATH_COMPONENT.test(seg)) {
      return {
        ok: false,
        error: /[A-Z]/.test(seg)
          ? `repository name must be lowercase: "${name}"`
          : `invalid repository name "${name}"`,
      };
    }
  }
  const repository = qualifiedRepository(registry, segments.join('/'));
  if (repository.length > 255) return { ok: false, error: 'repository name longer than 255 characters' };
  return { ok: true, ref: { registry, repository, tag, digest } };
}

/**
 * Docker's name normalisation without validation, so patterns with globs can use it too:
 * `node` → `docker.io/library/node`, `bitnami/x` → `docker.io/bitnami/x`, `ghcr.io/a/b` as is.
 */
export function normaliseName(name: string): string {
  const segments = name.split('/');
  const registry =
    segments.length > 1 && looksLikeHost(segments[0]!) ? normaliseRegistry(segments.shift()!) : DOCKER_HUB;
  return `${registry}/${qualifiedRepository(registry, segments.join('/'))}`;
}

/**
 * The repository path a registry serves for a written one: on Docker Hub a single segment is an
 * official image (`python` → `library/python`); elsewhere, and for longer paths, the path as is.
 */
export function qualifiedRepository(registry: string, path: string): string {
  return registry === DOCKER_HUB && !path.includes('/') ? `${OFFICIAL_NAMESPACE}${path}` : path;
}

/** Normalised name without tag or digest: `docker.io/library/python`. */
export function imageName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * One manifest's name, which is also how lookups are keyed: `docker.io/library/python:3.12` or
 * `…/python@sha256:…`. Digests contain `:` and tags cannot, so the separator tells them apart.
 */
export function manifestName(ref: Pick<ImageRef, 'registry' | 'repository'>, reference: string): string {
  return `${imageName(ref)}${reference.includes(':') ? '@' : ':'}${reference}`;
}

/** Short, familiar name as a person would write it: `python`, `ghcr.io/acme/app`. */
export function familiarName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  if (ref.registry !== DOCKER_HUB) return imageName(ref);
  return ref.repository.startsWith(OFFICIAL_NAMESPACE)
    ? ref.repository.slice(OFFICIAL_NAMESPACE.length)
    : ref.repository;
}

/** A digest as people compare them: its first 12 hex digits (`1a2b3c4d5e6f`). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export function isSha256Digest(value: string): boolean {
  return SHA256.test(value);
}
