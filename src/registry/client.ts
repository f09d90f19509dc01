// The registry client: tags → verified digests and manifest info, platform-preserving updates and tag
// listing, behind one process-wide cache. Wire format and HTTP policy live in the modules it uses.
import {
  imageName,
  isSha256Digest,
  isValidRepository,
  isValidTag,
  manifestName,
  qualifiedRepository,
} from '../image/reference.js';
import { systemResolver, type Resolver } from './address-guard.js';
import { CoalescingCache, DEFAULT_ERROR_TTL_MS, type CacheStore, type LookupCounts } from './cache-store.js';
import { credentialSources } from './credentials/index.js';
import {
  endpointFor,
  MAX_CONCURRENT_PER_HOST,
  ruleFor,
  type HostRule,
  type RegistryEndpoint,
} from './host-rules.js';
import { createHttpTransport, observeTransport, type TransportExchange } from './http-transport.js';
import {
  imageLabels,
  MANIFEST_ACCEPT,
  parseImageConfig,
  parseManifest,
  representativeChild,
  sha256Digest,
  type ImageConfig,
  type ParsedManifest,
} from './manifest.js';
import { formatPlatform, samePlatform } from './platform.js';
import { RegistryHttp, type RegistryLogger, type RequestKind } from './registry-http.js';
import {
  RegistryError,
  type AccountRegistries,
  type DocumentSource,
  type LookupTarget,
  type RepositoryRef,
  type ManifestInfo,
  type Freshness,
  type Platform,
  type RegistryLookup,
} from './types.js';
import { errorMessage } from '../errors.js';
import pLimit, { type LimitFunction } from 'p-limit';
import { PullBudget, readPullShare } from './pull-budget.js';
import { CompactMemoryCacheStore } from './compact-memory-store.js';

export interface RegistryLimits {
  manifestBytes: number;
  configBytes: number;
  tagPageBytes: number;
  tagPageSize: number;
  maxTagPages: number;
  /** Tags kept from one listing; what a hostile registry pages out past it is not held in memory. */
  maxTags: number;
  maxRedirects: number;
}

export interface RegistryClientOptions {
  rules?: HostRule[];
  /** Environment the rules' credential sources read (DOCKER_CONFIG, …). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where answers are kept; default an in-memory LRU of `cacheBytes`. */
  cache?: CacheStore;
  /** Bound of the default in-memory store (deflated bytes and a per-entry overhead). Default 64 MiB. */
  cacheBytes?: number;
  /** Per HTTP request, connect to last byte. Default 15 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and network errors. Default 3. */
  retries?: number;
  /** First backoff delay, doubling per retry. Default 500 ms. */
  retryDelayMs?: number;
  /** Longest Retry-After waited for; a longer one fails the image as rate-limited. Default 30 s. */
  maxRetryAfterMs?: number;
  /** Longest a tag's answer (and a tag list) is reused, whatever the caller's freshness. Default 6 h. */
  tagTtlMs?: number;
  /**
   * How long a failed lookup (RegistryError) is reused under the same freshness rule as answers, so an
   * outage or a missing tag costs one lookup per sweep. Digests included. Default 5 min.
   */
  errorTtlMs?: number;
  logger?: RegistryLogger;
  /** Sees every HTTP exchange (metrics). */
  onExchange?: (exchange: TransportExchange) => void;
  /** DNS for the address guard; tests inject one. */
  resolver?: Resolver;
  /** Certificates (PEM) trusted beside Node's own roots; tests trust a loopback registry's. */
  extraCaCertificates?: readonly string[];
  limits?: Partial<RegistryLimits>;
  /**
   * Requests in flight to one registry host at once where no rule's `concurrency` says otherwise.
   * Default FRESHBASE_REGISTRY_CONCURRENCY or 8.
   */
  maxConcurrentPerHost?: number;
  /** Share of a registry's announced pull budget the client may use. Default FRESHBASE_REGISTRY_PULL_BUDGET or 0.8. */
  pullShare?: number;
}

export interface RegistryStats {
  /** HTTP requests sent (every redirect hop and token fetch counts). */
  requests: { total: number; byKind: Record<RequestKind, number> };
  /** resolve/resolvePlatform/listTags calls and how they were answered. */
  lookups: LookupCounts;
}

/**
 * Lookups for no installation in particular (rules that serve every installation only), and for the
 * repositories of one GitHub account (its own rules first). Both share one cache; answers read with an
 * account's own credentials are cached for that account alone.
 */
/**
 * Attestation documents (DocumentSource) are read with the rules that serve every installation only.
 */
export interface RegistryClient extends RegistryLookup, AccountRegistries, DocumentSource {
  stats(): RegistryStats;
  /** Closes pooled connections. */
  close(): void;
}

const DEFAULT_LIMITS: RegistryLimits = {
  manifestBytes: 4 * 1024 * 1024,
  configBytes: 8 * 1024 * 1024,
  tagPageBytes: 4 * 1024 * 1024,
  tagPageSize: 1000,
  maxTagPages: 100,
  maxTags: 100_000,
  maxRedirects: 5,
};
/**
 * Upper bound on reusing a tag's answer. Callers say how fresh they need it (a sweep: fetched since
 * it started; a webhook: since it arrived), so this mainly bounds memory; it spans a long sweep.
 */
const DEFAULT_TAG_TTL_MS = 6 * 60 * 60 * 1000;
/**
 * Manifests and configs are addressed by digest, so they never change: kept for good, as far as
 * the store's byte bound allows (the in-memory store is an LRU bounded by bytes; in Redis, a year).
 */
const DOCUMENT_TTL_MS = 365 * 24 * 60 * 60 * 1000;
/**
 * The in-memory store's bound, in deflated bytes: tag lists and indexes come from any registry a
 * Dockerfile names, so what they may hold of the heap is capped, not their number alone.
 */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_CONCURRENT_PER_HOST = 8;
const silentLogger: RegistryLogger = { debug: () => {}, warn: () => {} };

/** The registry API requests the client makes itself (token fetches are the auth layer's). */
type RegistryRequestKind = Exclude<RequestKind, 'token'>;

/** One image in one repository, as requests and errors need it. */
interface Subject {
  endpoint: RegistryEndpoint;
  /** The repository as the endpoint serves it: under a mirror's prefix (`hub/library/python`). */
  remote: string;
  /** `registry/repository` (with the rule's credential scope), the cache prefix. */
  key: string;
  /** `registry/repository:tag` or `@digest`, named in errors. */
  image: string;
}

interface ManifestDocument {
  digest: string;
  manifest: ParsedManifest;
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const rules = options.rules ?? [];
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const logger = options.logger ?? silentLogger;
  const tagTtlMs = options.tagTtlMs ?? DEFAULT_TAG_TTL_MS;
  const store = options.cache ?? new CompactMemoryCacheStore(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  const cacheOptions = { errorTtlMs: options.errorTtlMs ?? DEFAULT_ERROR_TTL_MS };
  const lookups = new CoalescingCache(store, cacheOptions);
  // Documents by digest, shared by lookups (an index's children, configs); counted apart from lookups.
  const documents = new CoalescingCache(store, cacheOptions);
  // A tag's digest as HEAD says, shared by `digest` and `resolve`: one HEAD per tag and freshness.
  const heads = new CoalescingCache(store, cacheOptions);
  const byKind: Record<RequestKind, number> = { 'manifest-head': 0, manifest: 0, blob: 0, tags: 0, token: 0 };
  const direct = createHttpTransport({
    resolver: options.resolver ?? systemResolver,
    ...(options.extraCaCertificates ? { extraCaCertificates: options.extraCaCertificates } : {}),
  });
  const transport = options.onExchange ? observeTransport(direct, options.onExchange) : direct;
  const maxBytes: Record<RegistryRequestKind, number> = {
    'manifest-head': 0,
    manifest: limits.manifestBytes,
    blob: limits.configBytes,
    tags: limits.tagPageBytes,
  };
  const env = options.env ?? process.env;
  const sourceOf = credentialSources(env);
  const perHost = options.maxConcurrentPerHost ?? readConcurrencyPerHost(env);
  const ruleCaps = concurrencyByOrigin(rules);
  const hostLimits = new Map<string, LimitFunction>();
  const pulls = new PullBudget(options.pullShare ?? readPullShare(env));
  const http = new RegistryHttp({
    transport,
    timeoutMs: options.timeoutMs ?? 15_000,
    retries: options.retries ?? 3,
    retryDelayMs: options.retryDelayMs ?? 500,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 30_000,
    maxRedirects: limits.maxRedirects,
    logger,
    onRequest: (kind) => byKind[kind]++,
  });

  function subject(
    account: string | null,
    registry: string,
    rawRepository: string,
    reference: string | null,
  ): Subject {
    const rule = ruleFor(registry, rules, account);
    const endpoint = endpointFor(registry, rule, sourceOf(rule));
    const repository = qualifiedRepository(endpoint.registry, rawRepository);
    const named = { registry: endpoint.registry, repository };
    const name = imageName(named);
    const image = reference === null ? name : manifestName(named, reference);
    if (!isValidRepository(repository))
      throw new RegistryError(`${image}: invalid repository name`, 'protocol', image);
    // Digests other than sha256 cannot be verified here, so they are refused like any invalid reference.
    if (reference !== null && !isValidTag(reference) && !isSha256Digest(reference)) {
      throw new RegistryError(`${image}: invalid tag or digest`, 'protocol', image);
    }
    const remote = endpoint.repositoryPrefix ? `${endpoint.repositoryPrefix}/${repository}` : repository;
    return { endpoint, remote, key: `${endpoint.credentialScope}${name}`, image };
  }

  function apiUrl(s: Subject, path: string): URL {
    return new URL(`/v2/${s.remote}/${path}`, s.endpoint.baseUrl);
  }

  /**
   * One registry API request for the subject; the kind decides method, Accept and size limit. At
   * most the host's rule cap (else `perHost`) in flight per registry host; a manifest GET (a "pull" to Docker Hub) is deferred
   * when the announced pull budget of the host and credentials is spent down to the part kept back.
   */
  function send(s: Subject, kind: RegistryRequestKind, url: URL, limit = maxBytes[kind]) {
    const manifest = kind === 'manifest-head' || kind === 'manifest';
    const host = s.endpoint.baseUrl.host;
    let hostLimit = hostLimits.get(host);
    if (!hostLimit) hostLimits.set(host, (hostLimit = pLimit(ruleCaps.get(host) ?? perHost)));
    return hostLimit(async () => {
      const pull = kind === 'manifest' ? pulls.admit(s.endpoint, s.image) : null;
      try {
        const response = await http.request({
          endpoint: s.endpoint,
          repository: s.remote,
          method: kind === 'manifest-head' ? 'HEAD' : 'GET',
          url,
          ...(manifest ? { accept: MANIFEST_ACCEPT } : {}),
          maxBytes: limit,
          kind,
          image: s.image,
        });
        pulls.observe(s.endpoint, response.headers);
        return response;
      } finally {
        pull?.done();
      }
    });
  }

  function mismatch(s: Subject, what: string): RegistryError {
    return new RegistryError(`${s.image}: ${what}; refusing to use it`, 'digest-mismatch', s.image);
  }

  /** The tag's current digest from HEAD; null when the registry does not say (then GET decides). */
  async function headDigest(s: Subject, tag: string): Promise<string | null> {
    const response = await send(s, 'manifest-head', apiUrl(s, `manifests/${tag}`));
    const digest = response.headers['docker-content-digest'];
    if (typeof digest !== 'string' || digest === '') return null;
    if (!isSha256Digest(digest)) throw mismatch(s, `registry named a digest that is not sha256 (${digest})`);
    return digest;
  }

  /** Manifest bytes by tag or digest, accepted only when sha256(bytes) equals every digest claimed. */
  async function fetchManifest(
    s: Subject,
    reference: string,
    expected: string | null,
  ): Promise<ManifestDocument> {
    const response = await send(s, 'manifest', apiUrl(s, `manifests/${reference}`));
    const digest = sha256Digest(response.body);
    const claimed = response.headers['docker-content-digest'];
    if (expected !== null && digest !== expected)
      throw mismatch(s, `manifest bytes hash to ${digest}, not ${expected}`);
    if (typeof claimed === 'string' && claimed !== '' && claimed !== digest) {
      throw mismatch(s, `manifest bytes hash to ${digest}, but the registry says ${claimed}`);
    }
    const contentType = response.headers['content-type'];
    try {
      return { digest, manifest: parseManifest(response.body, contentType) };
    } catch (error) {
      throw new RegistryError(`${s.image}: ${errorMessage(error)}`, 'protocol', s.image);
    }
  }

  function manifestByDigest(s: Subject, digest: string): Promise<ManifestDocument> {
    return documents.get(`registry:manifest:${s.key}@${digest}`, DOCUMENT_TTL_MS, () =>
      fetchManifest(s, digest, digest),
    );
  }

  /** A blob's bytes, accepted only when they hash to its digest. */
  async function verifiedBlob(s: Subject, digest: string, limit?: number): Promise<Buffer> {
    const response = await send(s, 'blob', apiUrl(s, `blobs/${digest}`), limit);
    const actual = sha256Digest(response.body);
    if (actual !== digest) throw mismatch(s, `blob hashes to ${actual}, not ${digest}`);
    return response.body;
  }

  function imageConfig(s: Subject, digest: string): Promise<ImageConfig> {
    return documents.get(`registry:config:${s.key}@${digest}`, DOCUMENT_TTL_MS, async () => {
      const body = await verifiedBlob(s, digest);
      try {
        return parseImageConfig(body);
      } catch (error) {
        throw new RegistryError(`${s.image}: ${errorMessage(error)}`, 'protocol', s.image);
      }
    });
  }

  async function describe(s: Subject, { digest, manifest }: ManifestDocument): Promise<ManifestInfo> {
    const base = { digest, mediaType: manifest.mediaType };
    if (manifest.kind === 'image') {
      const config = await imageConfig(s, manifest.configDigest);
      return {
        ...base,
        isIndex: false,
        platforms: config.platform ? [config.platform] : [],
        images: config.platform ? [{ platform: config.platform, digest, attestation: null }] : [],
        created: config.created,
        ...imageLabels(manifest.annotations, config.labels),
      };
    }
    const platforms = manifest.children.map((c) => c.platform);
    const images = manifest.children.map(({ platform, digest: image, attestation }) => ({
      platform,
      digest: image,
      attestation,
    }));
    const child = representativeChild(manifest.children);
    const childManifest = child ? (await manifestByDigest(s, child.digest)).manifest : null;
    if (childManifest?.kind !== 'image') {
      return {
        ...base,
        isIndex: true,
        platforms,
        images,
        created: null,
        ...imageLabels(manifest.annotations),
      };
    }
    const config = await imageConfig(s, childManifest.configDigest);
    const labels = imageLabels(manifest.annotations, childManifest.annotations, config.labels);
    return { ...base, isIndex: true, platforms, images, created: config.created, ...labels };
  }

  /** headDigest, cached like a tag's answer (the key names the tag, with the rule's scope). */
  function cachedHeadDigest(s: Subject, tag: string, freshness: Freshness): Promise<string | null> {
    return heads.get(
      `registry:head:${s.endpoint.credentialScope}${s.image}`,
      tagTtlMs,
      () => headDigest(s, tag),
      freshness.notBefore,
    );
  }

  async function resolveUncached(s: Subject, reference: string, freshness: Freshness): Promise<ManifestInfo> {
    if (isSha256Digest(reference)) return describe(s, await manifestByDigest(s, reference));
    const digest = await cachedHeadDigest(s, reference, freshness);
    if (digest !== null) return describe(s, await manifestByDigest(s, digest));
    // No digest on HEAD: the GET's own bytes decide, checked against its header when it has one.
    const document = await fetchManifest(s, reference, null);
    return describe(s, document);
  }

  function resolve(
    account: string | null,
    target: LookupTarget,
    freshness: Freshness = {},
  ): Promise<ManifestInfo> {
    return run(() => {
      const s = subject(account, target.registry, target.repository, target.reference);
      const byDigest = isSha256Digest(target.reference);
      // The key names ManifestInfo's shape version: a shared Redis cache never answers an older shape.
      return lookups.get(
        `registry:resolve:v3:${s.endpoint.credentialScope}${s.image}`,
        byDigest ? DOCUMENT_TTL_MS : tagTtlMs,
        () => resolveUncached(s, target.reference, freshness),
        byDigest ? 0 : freshness.notBefore,
      );
    });
  }

  function digestOf(
    account: string | null,
    target: LookupTarget,
    freshness: Freshness = {},
  ): Promise<string> {
    return run(async () => {
      const s = subject(account, target.registry, target.repository, target.reference);
      if (isSha256Digest(target.reference)) return target.reference;
      const digest = await cachedHeadDigest(s, target.reference, freshness);
      // A registry whose HEAD names no digest: the manifest's own bytes decide.
      return digest ?? (await resolve(account, target, freshness)).digest;
    });
  }

  async function resolvePlatform(
    account: string | null,
    target: LookupTarget,
    platform: Platform,
    freshness: Freshness = {},
  ): Promise<ManifestInfo> {
    const info = await resolve(account, target, freshness);
    const s = subject(account, target.registry, target.repository, target.reference);
    const wanted = formatPlatform(platform);
    if (!info.isIndex) {
      const own = info.platforms[0];
      if (own && !samePlatform(own, platform)) {
        throw new RegistryError(
          `${s.image}: is ${formatPlatform(own)} only, not ${wanted}`,
          'not-found',
          s.image,
        );
      }
      return info;
    }
    const { manifest } = await manifestByDigest(s, info.digest);
    const child =
      manifest.kind === 'index' ? manifest.children.find((c) => samePlatform(c.platform, platform)) : null;
    if (!child) throw new RegistryError(`${s.image}: has no ${wanted} image`, 'not-found', s.image);
    return resolve(account, {
      registry: target.registry,
      repository: target.repository,
      reference: child.digest,
    });
  }

  async function listTagsUncached(s: Subject): Promise<string[]> {
    const tags = new Set<string>();
    let url: URL | null = apiUrl(s, `tags/list?n=${limits.tagPageSize}`);
    let full = false;
    for (let page = 0; url && !full && page < limits.maxTagPages; page++) {
      const response = await send(s, 'tags', url);
      for (const tag of parseTagPage(s, response.body)) {
        // A name no reference can carry is dropped: it could never be an update, only memory.
        if (!isValidTag(tag)) continue;
        tags.add(tag);
        if ((full = tags.size >= limits.maxTags)) break;
      }
      url = nextPage(s, url, response.headers.link);
    }
    if (full) logger.warn(`${s.image}: tag list cut at ${limits.maxTags} tags`);
    else if (url) logger.warn(`${s.image}: tag list cut at ${limits.maxTagPages} pages`);
    return [...tags];
  }

  function listTags(
    account: string | null,
    registry: string,
    repository: string,
    freshness: Freshness = {},
  ): Promise<string[]> {
    return run(() => {
      const s = subject(account, registry, repository, null);
      return lookups.get(`registry:tags:${s.key}`, tagTtlMs, () => listTagsUncached(s), freshness.notBefore);
    });
  }

  function lookupFor(account: string | null): RegistryLookup {
    return {
      resolve: (target, freshness) => resolve(account, target, freshness),
      digest: (target, freshness) => digestOf(account, target, freshness),
      resolvePlatform: (target, platform, freshness) => resolvePlatform(account, target, platform, freshness),
      listTags: (registry, repository, freshness) => listTags(account, registry, repository, freshness),
    };
  }

  // No account: an installation's own registry credentials never read another's attestations.
  function readManifest(repo: RepositoryRef, digest: string): Promise<ParsedManifest> {
    return run(async () => {
      const s = subject(null, repo.registry, repo.repository, digest);
      return (await manifestByDigest(s, digest)).manifest;
    });
  }

  /** Not cached here: blobs can be large, so callers keep what they parsed from them, by digest. */
  function readBlob(repo: RepositoryRef, digest: string, limit: number): Promise<Buffer> {
    return run(() => verifiedBlob(subject(null, repo.registry, repo.repository, digest), digest, limit));
  }

  return {
    ...lookupFor(null),
    forAccount: (login) => lookupFor(login),
    readManifest,
    readBlob,
    stats: () => ({
      requests: { total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind: { ...byKind } },
      lookups: lookups.stats(),
    }),
    close: () => transport.close(),
  };
}

/** FRESHBASE_REGISTRY_CONCURRENCY: a whole number from 1 to MAX_CONCURRENT_PER_HOST; throws when invalid. */
export function readConcurrencyPerHost(env: NodeJS.ProcessEnv): number {
  const text = env.FRESHBASE_REGISTRY_CONCURRENCY;
  if (text === undefined || text === '') return DEFAULT_CONCURRENT_PER_HOST;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENT_PER_HOST) {
    throw new Error(
      `FRESHBASE_REGISTRY_CONCURRENCY must be a whole number from 1 to ${MAX_CONCURRENT_PER_HOST} (got "${text}")`,
    );
  }
  return value;
}

/**
 * The rules' own caps by the origin host their requests go to (a mirror's, or the registry's). The
 * cap guards that origin, so rules that reach the same one (per installation, or several
 * registries behind one mirror) share one limit: the smallest any of them gives.
 */
export function concurrencyByOrigin(rules: readonly HostRule[]): Map<string, number> {
  const caps = new Map<string, number>();
  for (const rule of rules) {
    if (rule.concurrency === undefined) continue;
    const host = endpointFor(rule.host, rule).baseUrl.host;
    caps.set(host, Math.min(caps.get(host) ?? rule.concurrency, rule.concurrency));
  }
  return caps;
}

/** Turns a synchronous validation throw into a rejection, as callers of a lookup expect. */
async function run<T>(lookup: () => Promise<T>): Promise<T> {
  return lookup();
}

function parseTagPage(s: Subject, body: Buffer): string[] {
  try {
    const { tags } = JSON.parse(body.toString('utf8')) as { tags?: unknown };
    if (tags === null || tags === undefined) return [];
    if (Array.isArray(tags) && tags.every((t) => typeof t === 'string')) return tags as string[];
  } catch {
    // fall through to the protocol error
  }
  throw new RegistryError(`${s.image}: tag list is not {"tags": [...]}`, 'protocol', s.image);
}

/** `Link: <url>; rel="next"`, relative or absolute; paging never leaves the registry's origin. */
function nextPage(s: Subject, current: URL, link: string | string[] | undefined): URL | null {
  const value = Array.isArray(link) ? link.join(', ') : link;
  const match = value ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(value) : null;
  if (!match) return null;
  const next = new URL(match[1]!, current);
  if (next.origin !== current.origin) {
    throw new RegistryError(`${s.image}: tag list paging points to another origin`, 'protocol', s.image);
  }
  return next;
}
