// Conditional GitHub requests, at the one seam every call goes through (Octokit's request hook):
// a GET carries `If-None-Match` / `If-Modified-Since` from the cache and a 304 — which costs no
// rate limit — is answered with the cached body. Objects addressed by sha (trees, blobs, commits,
// file contents at a commit) never change, so a cached one is answered without asking at all.
import { RequestError } from '@octokit/request-error';
import type { CacheStore } from '../registry/cache-store.js';
import { CompactMemoryCacheStore } from '../registry/compact-memory-store.js';
import { httpStatus } from './request-error.js';
import type { GitHubClient } from './types.js';

/** How long a validator is kept: a sweep or two; after that the GET is an ordinary one again. */
const CONDITIONAL_TTL_MS = 7 * 24 * 3600_000;
/** Sha-addressed answers are valid forever; the store's byte bound decides what stays. */
const IMMUTABLE_TTL_MS = 30 * 24 * 3600_000;
/** Larger bodies (huge trees) are not cached: they would crowd out everything else. */
const MAX_CACHED_BODY_CHARS = 256 * 1024;
/** Response headers kept with a body: pagination and the media type callers look at. */
const KEPT_HEADERS = ['link', 'content-type', 'etag', 'last-modified'] as const;

const SHA = '[0-9a-f]{40}(?:[0-9a-f]{24})?';
/** Paths whose answer is fixed by a sha in them. */
const IMMUTABLE_PATH = new RegExp(`^/repos/[^/]+/[^/]+/(?:git/(?:trees|blobs|commits)|commits)/${SHA}$`, 'i');
const CONTENTS_PATH = /^\/repos\/[^/]+\/[^/]+\/contents\//;

interface CachedResponse {
  status: 200 | 404;
  /** The body as JSON text: compact, the same in memory and Redis, and never shared by reference. */
  body: string;
  headers: Record<string, string>;
  /** When it was fetched (ms since the epoch, shared by replicas). */
  at: number;
}

export interface ConditionalCounts {
  /** GETs that went to GitHub with a validator. */
  conditional: number;
  /** Of those, answered 304 (no rate limit spent). */
  notModified: number;
  /** Answered from the cache without a request. */
  cached: number;
}

export interface ConditionalRequestCache {
  /**
   * Makes `octokit`'s GETs conditional. `installationId` keeps installations' answers apart (an
   * answer one installation may see is never served to another without GitHub's say-so).
   * `freshAfter`: file contents fetched at or after this time (ms; a sweep's start, a webhook's
   * arrival) are reused without a request — the app never writes contents, so within one job
   * they cannot go stale by its own doing, and a whole sweep reads an org's config once.
   */
  attach(octokit: GitHubClient, scope: { installationId: number; freshAfter?: number }): void;
  stats(): ConditionalCounts;
}

type RequestOptions = Parameters<GitHubClient['request']['endpoint']['parse']>[0];
type OctokitResponse = Awaited<ReturnType<GitHubClient['request']>>;

/**
 * In-process default, in deflated bytes: the benchmark's org takes about 2.5 KB per repository
 * (GitHub's own answers are larger, and compress better).
 */
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;

export function createConditionalRequestCache(
  store: CacheStore = new CompactMemoryCacheStore(DEFAULT_MEMORY_BYTES),
): ConditionalRequestCache {
  const counts: ConditionalCounts = { conditional: 0, notModified: 0, cached: 0 };

  return {
    stats: () => ({ ...counts }),
    attach(octokit, scope) {
      octokit.hook.wrap('request', async (request, options) => {
        const parsed = octokit.request.endpoint.parse(options as RequestOptions);
        if (parsed.method !== 'GET' || hasValidator(parsed.headers)) return request(options);
        const url = new URL(parsed.url);
        const key = `i${scope.installationId}:${parsed.url}:${String(parsed.headers.accept ?? '')}`;
        const immutable = IMMUTABLE_PATH.test(url.pathname) || isContentsAtCommit(url);
        const reusable = immutable || CONTENTS_PATH.test(url.pathname);
        const cached = await store.get<CachedResponse>(key).catch(() => undefined);

        if (cached && reusable && (immutable || cached.at >= (scope.freshAfter ?? Infinity))) {
          counts.cached++;
          return replay(cached, parsed.url, {}, options);
        }
        const validators: Record<string, string> = {};
        if (cached?.status === 200 && cached.headers.etag) validators['if-none-match'] = cached.headers.etag;
        if (cached?.status === 200 && cached.headers['last-modified'])
          validators['if-modified-since'] = cached.headers['last-modified'];
        if (Object.keys(validators).length > 0) counts.conditional++;

        const at = Date.now();
        // Octokit's hooks share one options object (each hook's `request` ignores its argument),
        // so the validators go onto it rather than into a copy.
        options.headers = { ...options.headers, ...validators };
        try {
          const response = await request(options);
          await remember(store, key, immutable, {
            status: 200,
            body: JSON.stringify(response.data ?? null),
            headers: keptHeaders(response.headers),
            at,
          });
          return response;
        } catch (error) {
          if (cached && httpStatus(error) === 304) {
            counts.notModified++;
            // Still valid: keep serving it, now known fresh as of this request.
            await remember(store, key, immutable, { ...cached, at });
            return replay(cached, parsed.url, responseHeaders(error), options);
          }
          // Only contents 404s are kept: "no config file here" is what most repositories answer.
          if (reusable && httpStatus(error) === 404) {
            const body = JSON.stringify((error as { response?: { data?: unknown } }).response?.data ?? null);
            await remember(store, key, immutable, { status: 404, body, headers: {}, at });
          }
          throw error;
        }
      });
    },
  };
}

/** Octokit's error class may come from another copy of the package: read it by shape. */
function responseHeaders(error: unknown): Record<string, unknown> {
  return (error as { response?: { headers?: Record<string, unknown> } }).response?.headers ?? {};
}

function hasValidator(headers: Record<string, unknown>): boolean {
  return Object.keys(headers).some((h) => /^if-(none-match|modified-since)$/i.test(h));
}

/** `…/contents/<path>?ref=<sha>`: a file as of one commit. */
function isContentsAtCommit(url: URL): boolean {
  return (
    CONTENTS_PATH.test(url.pathname) && new RegExp(`^${SHA}$`, 'i').test(url.searchParams.get('ref') ?? '')
  );
}

function keptHeaders(headers: Record<string, unknown>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) if (typeof headers[name] === 'string') kept[name] = headers[name];
  return kept;
}

async function remember(store: CacheStore, key: string, immutable: boolean, entry: CachedResponse) {
  if (entry.body.length > MAX_CACHED_BODY_CHARS) return;
  // A cache that cannot store (Redis down) only costs a full request next time.
  await store.set(key, entry, immutable ? IMMUTABLE_TTL_MS : CONDITIONAL_TTL_MS).catch(() => undefined);
}

/** The cached answer as Octokit would have returned (or thrown) it. */
function replay(
  cached: CachedResponse,
  url: string,
  fresh: Record<string, unknown>,
  options: object,
): OctokitResponse {
  const headers = { ...cached.headers, ...(fresh as Record<string, string>) };
  if (cached.status === 404) {
    throw new RequestError('Not Found', 404, {
      request: { ...(options as RequestError['request']), url },
      response: { status: 404, url, headers, data: JSON.parse(cached.body) as unknown },
    });
  }
  return { status: 200, url, headers, data: JSON.parse(cached.body) as unknown } as OctokitResponse;
}
