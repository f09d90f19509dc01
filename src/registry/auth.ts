// Registry auth as the distribution spec describes it: parse the WWW-Authenticate challenge, build
// the token request for a Bearer realm, read the token answer, cache tokens until they expire.
import { LRUCache } from 'lru-cache';
import type { Credentials } from './host-rules.js';

export type Challenge =
  { scheme: 'basic' } | { scheme: 'bearer'; realm: URL; service: string | null; scope: string | null };

/** Parses `Bearer realm="…",service="…"` / `Basic realm="…"`; null when unusable. */
export function parseChallenge(header: string | undefined): Challenge | null {
  if (!header) return null;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return null;
  const scheme = match[1]!.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return null;
  const params = new Map<string, string>();
  for (const param of match[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params.set(param[1]!.toLowerCase(), (param[2] ?? param[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  const realm = params.get('realm');
  if (!realm || !URL.canParse(realm)) return null;
  return {
    scheme: 'bearer',
    realm: new URL(realm),
    service: params.get('service') ?? null,
    scope: params.get('scope') ?? null,
  };
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** GET realm?service=…&scope=… — our pull scope, which every registry accepts for public images. */
export function tokenRequestUrl(challenge: Extract<Challenge, { scheme: 'bearer' }>, scope: string): URL {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  url.searchParams.set('scope', scope);
  return url;
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

export interface IssuedToken {
  token: string;
  expiresInSeconds: number;
}

const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;

/** Reads a token endpoint's JSON answer (`token` or the OAuth2 `access_token`). */
export function parseTokenResponse(body: Buffer): IssuedToken | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const { token, access_token: accessToken, expires_in: expiresIn } = json as Record<string, unknown>;
  const value =
    typeof token === 'string' && token ? token : typeof accessToken === 'string' ? accessToken : '';
  if (!value) return null;
  const lifetime =
    typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_LIFETIME_SECONDS;
  return { token: value, expiresInSeconds: lifetime };
}

/** Tokens per (registry origin, scope), dropped a little before they expire so none is sent stale. */
export class TokenCache {
  private readonly tokens = new LRUCache<string, string>({ max: 10_000, ttlAutopurge: false });

  private static key(origin: string, scope: string): string {
    return `${origin} ${scope}`;
  }

  get(origin: string, scope: string): string | undefined {
    return this.tokens.get(TokenCache.key(origin, scope));
  }

  set(origin: string, scope: string, issued: IssuedToken): void {
    const marginSeconds = Math.min(10, issued.expiresInSeconds / 10);
    const ttl = Math.max(1, (issued.expiresInSeconds - marginSeconds) * 1000);
    this.tokens.set(TokenCache.key(origin, scope), issued.token, { ttl });
  }

  delete(origin: string, scope: string): void {
    this.tokens.delete(TokenCache.key(origin, scope));
  }
}
