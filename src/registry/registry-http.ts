// Requests to one registry: host-rule access for every hop (redirects re-checked, credentials kept to
// their origin), challenge-driven auth with at most one token refresh (a challenge counts only when
// the registry's own origin gave it), bounded retries that honour Retry-After (a wait longer than we
// allow is a rate-limited failure, not a shorter wait), and typed errors naming the image.
import pRetry from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  basicAuthorization,
  parseChallenge,
  parseTokenResponse,
  pullScope,
  TokenCache,
  tokenRequestUrl,
  type Challenge,
} from './auth.js';
import { CredentialError } from './credentials/source.js';
import { accessFor, type RegistryEndpoint } from './host-rules.js';
import { describeUrl, TransportError, type HttpResponse, type HttpTransport } from './http-transport.js';
import { RegistryError } from './types.js';

export type RequestKind = 'manifest-head' | 'manifest' | 'blob' | 'tags' | 'token';

export interface RegistryLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export interface RegistryHttpOptions {
  transport: HttpTransport;
  timeoutMs: number;
  retries: number;
  /** First backoff delay; doubles per retry. */
  retryDelayMs: number;
  /** Longest Retry-After we wait for; a longer one fails the request as rate-limited at once. */
  maxRetryAfterMs: number;
  maxRedirects: number;
  logger: RegistryLogger;
  onRequest(kind: RequestKind): void;
}

export interface RegistryRequest {
  endpoint: RegistryEndpoint;
  repository: string;
  method: 'GET' | 'HEAD';
  url: URL;
  accept?: string;
  maxBytes: number;
  kind: RequestKind;
  /** Image named in errors, e.g. `ghcr.io/acme/app:1.0`. */
  image: string;
}

const MAX_TOKEN_BYTES = 1024 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A failure worth another attempt, with the wait the server asked for. */
class RetryableError extends RegistryError {
  constructor(
    message: string,
    code: 'rate-limited' | 'server' | 'timeout' | 'network',
    image: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message, code, image);
  }
}

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class RegistryHttp {
  private readonly tokens = new TokenCache();
  /** Last challenge per registry origin, so later requests authorize without a 401 round trip. */
  private readonly challenges = new Map<string, Challenge>();
  /** Token fetches in flight, shared by concurrent requests for the same scope. */
  private readonly tokenFetches = new Map<string, Promise<string>>();

  constructor(private readonly options: RegistryHttpOptions) {}

  /** Sends the request and answers its 2xx response; anything else is a RegistryError. */
  async request(request: RegistryRequest): Promise<HttpResponse> {
    const { retries, retryDelayMs, maxRetryAfterMs, logger } = this.options;
    return pRetry(() => this.attempt(request), {
      retries,
      minTimeout: retryDelayMs,
      factor: 2,
      shouldRetry: ({ error }) => error instanceof RetryableError,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof RetryableError) || retriesLeft === 0) return;
        logger.debug(`${request.image}: attempt ${attemptNumber} failed (${error.message}); retrying`);
        // checkStatus already failed anything asking for longer; min() only guards that promise.
        if (error.retryAfterMs !== null) await sleep(Math.min(error.retryAfterMs, maxRetryAfterMs));
      },
    });
  }

  private async attempt(request: RegistryRequest): Promise<HttpResponse> {
    const { endpoint } = request;
    const scope = pullScope(request.repository);
    let authorization = await this.authorize(request, scope, false);
    let answer = await this.follow(request, request.url, authorization.header);
    if (answer.response.status === 401) {
      this.assertFromRegistry(request, answer.url);
      const challenge = parseChallenge(header(answer.response, 'www-authenticate'));
      if (!challenge)
        throw this.authError(request, 'answered 401 without a usable WWW-Authenticate challenge');
      this.challenges.set(endpoint.baseUrl.origin, challenge);
      if (authorization.fresh) throw this.authError(request, 'refused fresh credentials');
      authorization = await this.authorize(request, scope, true);
      if (!authorization.header)
        throw this.authError(request, 'requires credentials; add a host rule for it');
      answer = await this.follow(request, request.url, authorization.header);
      if (answer.response.status === 401) {
        this.assertFromRegistry(request, answer.url);
        throw this.authError(request, 'refused fresh credentials');
      }
    }
    return this.checkStatus(request, answer.response);
  }

  /**
   * A 401 from a redirect target (a CDN, or anything a registry points at) is not the registry's: its
   * challenge must never decide where the registry's credentials go.
   */
  private assertFromRegistry(request: RegistryRequest, url: URL): void {
    if (url.origin !== request.endpoint.baseUrl.origin) {
      throw this.authError(request, `redirected to ${describeUrl(url)}, which answered 401`);
    }
  }

  private checkStatus(request: RegistryRequest, response: HttpResponse): HttpResponse {
    const { status } = response;
    if (status >= 200 && status < 300) return response;
    const what = `${request.method} ${describeUrl(request.url)} answered ${status}`;
    const image = request.image;
    if (status === 404) throw new RegistryError(`${image}: not found (${what})`, 'not-found', image);
    if (status === 403) throw new RegistryError(`${image}: access denied (${what})`, 'auth', image);
    if (status !== 429 && status < 500) {
      throw new RegistryError(`${image}: unexpected answer (${what})`, 'protocol', image);
    }
    const problem = status === 429 ? `rate limited (${what})` : `registry error (${what})`;
    const retryAfter = parseRetryAfter(header(response, 'retry-after'));
    const { maxRetryAfterMs } = this.options;
    if (retryAfter !== null && retryAfter > maxRetryAfterMs) {
      // Waiting less than asked only spends the registry's patience (and ours); fail this image now.
      const retryAt = new Date(Date.now() + retryAfter).toISOString();
      throw new RegistryError(
        `${image}: ${problem}; the registry asks to retry after ${retryAt}, ` +
          `more than the ${formatWait(maxRetryAfterMs)} we wait, so it is not retried now`,
        'rate-limited',
        image,
      );
    }
    if (status === 429) throw new RetryableError(`${image}: ${problem}`, 'rate-limited', image, retryAfter);
    throw new RetryableError(`${image}: ${problem}`, 'server', image, retryAfter);
  }

  private authError(request: RegistryRequest, why: string): RegistryError {
    return new RegistryError(`${request.image}: ${request.endpoint.registry} ${why}`, 'auth', request.image);
  }

  /** Authorization header for the registry's known challenge; `fresh` when nothing cached was used. */
  private async authorize(
    request: RegistryRequest,
    scope: string,
    refresh: boolean,
  ): Promise<{ header: string | undefined; fresh: boolean }> {
    const { endpoint } = request;
    const challenge = this.challenges.get(endpoint.baseUrl.origin);
    if (!challenge) return { header: undefined, fresh: false };
    if (challenge.scheme === 'basic') {
      const basic = await this.basicCredentials(request);
      return { header: basic, fresh: basic !== undefined };
    }
    // Tokens are per credentials too: one installation's token never serves another's request.
    const holder = endpoint.baseUrl.origin + endpoint.credentialScope;
    if (!refresh) {
      const cached = this.tokens.get(holder, scope);
      if (cached) return { header: `Bearer ${cached}`, fresh: false };
    } else {
      this.tokens.delete(holder, scope);
    }
    const key = `${holder} ${scope}`;
    let fetching = this.tokenFetches.get(key);
    if (!fetching) {
      fetching = this.fetchToken(request, challenge, scope).finally(() => this.tokenFetches.delete(key));
      this.tokenFetches.set(key, fetching);
    }
    return { header: `Bearer ${await fetching}`, fresh: true };
  }

  private async fetchToken(
    request: RegistryRequest,
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scope: string,
  ): Promise<string> {
    const { endpoint } = request;
    const url = tokenRequestUrl(challenge, scope);
    const tokenRequest: RegistryRequest = {
      ...request,
      method: 'GET',
      url,
      maxBytes: MAX_TOKEN_BYTES,
      kind: 'token',
    };
    // The realm was named by the configured registry's own challenge (see attempt), so its credentials
    // may go there; follow() still checks the realm's address and keeps them from its redirects.
    const credentials = await this.basicCredentials(request);
    const { response } = await this.follow(tokenRequest, url, credentials, { realmCredentials: true });
    if (response.status === 401 || response.status === 403) {
      throw this.authError(
        request,
        `token service ${describeUrl(url)} refused the ${credentials ? 'credentials' : 'anonymous request'}`,
      );
    }
    this.checkStatus(tokenRequest, response);
    const issued = parseTokenResponse(response.body);
    if (!issued) {
      throw new RegistryError(
        `${request.image}: token service ${describeUrl(url)} gave no token`,
        'auth',
        request.image,
      );
    }
    this.tokens.set(endpoint.baseUrl.origin + endpoint.credentialScope, scope, issued);
    return issued.token;
  }

  /** `Basic …` from the endpoint's credential source; a source's failure is this image's auth error. */
  private async basicCredentials(request: RegistryRequest): Promise<string | undefined> {
    const source = request.endpoint.credentials;
    if (!source) return undefined;
    try {
      return basicAuthorization(await source.get());
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      throw this.authError(request, `credentials unavailable: ${error.message}`);
    }
  }

  /**
   * Sends one request, following redirects; each hop is re-checked against the host rules. Answers
   * the last response and the URL that gave it.
   */
  private async follow(
    request: RegistryRequest,
    start: URL,
    authorization: string | undefined,
    { realmCredentials = false } = {},
  ): Promise<{ response: HttpResponse; url: URL }> {
    const { transport, timeoutMs, maxRedirects, onRequest } = this.options;
    let url = start;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const access = accessFor(url, request.endpoint);
      if (!access) {
        throw new RegistryError(
          `${request.image}: refusing ${describeUrl(url)}: only https is allowed beyond the origin a host rule configures`,
          'forbidden-address',
          request.image,
        );
      }
      const headers: Record<string, string> = { 'user-agent': 'freshbase' };
      if (request.accept) headers.accept = request.accept;
      // Credentials never follow a redirect to another origin.
      const mayAuthorize = url.origin === start.origin && (access.sendCredentials || realmCredentials);
      if (authorization && mayAuthorize) headers.authorization = authorization;
      onRequest(request.kind);
      let response: HttpResponse;
      try {
        response = await transport.send({
          method: request.method,
          url,
          headers,
          timeoutMs,
          maxBytes: request.maxBytes,
          allowPrivate: access.allowPrivate,
        });
      } catch (error) {
        throw this.transportError(request, url, error);
      }
      const location = header(response, 'location');
      if (!REDIRECT_STATUSES.has(response.status) || !location) return { response, url };
      url = new URL(location, url);
    }
    throw new RegistryError(
      `${request.image}: more than ${maxRedirects} redirects`,
      'protocol',
      request.image,
    );
  }

  private transportError(request: RegistryRequest, url: URL, error: unknown): RegistryError {
    if (!(error instanceof TransportError)) throw error;
    const { failure } = error;
    const { endpoint } = request;
    // The operator's own rule reached a private address: say how to allow it (never for a redirect).
    const hint =
      failure === 'forbidden-address' && endpoint.hasRule && url.origin === endpoint.baseUrl.origin
        ? `; if ${endpoint.registry} is meant to be private, add \`allowPrivate: true\` to its rule in FRESHBASE_REGISTRIES`
        : '';
    const message = `${request.image}: ${request.method} ${describeUrl(url)} failed: ${error.message}${hint}`;
    return failure === 'timeout' || failure === 'network'
      ? new RetryableError(message, failure, request.image, null)
      : new RegistryError(message, failure, request.image);
  }
}
