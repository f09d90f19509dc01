// The HTTP side of the fake GitHub: nock interceptors on https://api.github.com, route matching,
// request recording per endpoint, GitHub-shaped errors, Link-header pagination, one-shot faults,
// conditional requests and rate-limit accounting as GitHub does them, and simulated latency.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import nock from 'nock';

export type Reply = [number, unknown?, Record<string, string>?];
export interface Request {
  method: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}
type Handler = (req: Request) => Reply;
interface Route {
  method: string;
  template: string;
  segments: string[];
  handler: Handler;
}

export const API = 'https://api.github.com';
/** The same fake as a GitHub Enterprise Server (through nock too): for what differs by server. */
export const GHE_API = 'https://ghe.acme.example/api/v3';

/** A request's path as github.com has it: GHES serves REST under /api/v3 and GraphQL at /api/graphql. */
const serverPath = (raw: string): string =>
  raw.replace(/^\/api\/v3(?=\/)/, '').replace(/^\/api(?=\/graphql)/, '');

/** Link headers point at the server that was asked. */
function linkedFrom([status, body, headers]: Reply, base: string): Reply {
  if (base === API || !headers?.link) return [status, body, headers];
  return [status, body, { ...headers, link: headers.link.replaceAll(API, base) }];
}

export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`fake GitHub ${reply[0]}`);
  }
}

/** Throws the error body GitHub sends: `{message, errors?, documentation_url}`. */
export function fail(
  status: number,
  message: string,
  errors?: unknown[],
  headers?: Record<string, string>,
): never {
  const body = { message, ...(errors ? { errors } : {}), documentation_url: 'https://docs.github.com/rest' };
  throw new HttpError([status, body, headers]);
}

/** One page of `items` with GitHub's `Link` header when more pages follow. */
export function page(items: unknown[], req: Request, path: string, defaultPerPage = 30): Reply {
  const perPage = Math.min(Number(req.query.get('per_page') ?? defaultPerPage), 100);
  const pageNo = Number(req.query.get('page') ?? 1);
  const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const headers: Record<string, string> = {};
  if (pageNo * perPage < items.length) {
    const next = new URLSearchParams(req.query);
    next.set('page', String(pageNo + 1));
    headers.link = `<${API}${path}?${next.toString()}>; rel="next"`;
  }
  return [200, slice, headers];
}

/**
 * What GitHub's primary rate limit saw: every REST request counts except a 304 answer to a
 * conditional request; GraphQL has its own budget (one point per query or mutation here).
 */
export interface RateAccount {
  limit: number;
  /** REST requests that counted against the limit. */
  counted: number;
  /** 304 Not Modified answers: round trips that cost no rate limit. */
  notModified: number;
  graphql: number;
  /** Seconds since the epoch when the window resets (what `x-ratelimit-reset` says). */
  resetAt: number;
  /** Counted requests per `METHOD /template` (with the status when it was not a 2xx). */
  countedBy: Record<string, number>;
}

/**
 * GitHub's ETag: a SHA-256 of the body prefixed with the request's `Accept` and `Authorization`
 * values (observed, not documented), so an ETag is only good for the token that got it.
 */
function etagOf(body: unknown, headers: Request['headers']): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  const prefix = [headers.accept, headers.authorization].filter((h) => h !== undefined).join(':');
  return `W/"${createHash('sha256').update(`${prefix}:${text}`).digest('hex')}"`;
}

function header(headers: Request['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `If-None-Match` lists the ETag (weak and strong compare equal for GET, RFC 9110). */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** The fake served on loopback: its first port, more ports for it, and shutdown. */
export interface ServedFake {
  url: string;
  port: number;
  /** Another port for the same fake (another process's own way in). */
  addPort(): Promise<number>;
  close(): Promise<void>;
}

export class FakeHttp {
  private readonly routes: Route[] = [];
  private readonly faults = new Map<string, Reply[]>();
  private readonly hooks = new Map<string, Array<() => void>>();
  /** While set, every request (still logged) gets this answer: GitHub is down. */
  outage: Reply | null = null;
  /** Every request as `METHOD /template`, in order. */
  readonly log: string[] = [];
  readonly unhandled: string[] = [];
  /** Time each request spends on the wire, half each way (0: answered synchronously). */
  latencyMs = 0;
  readonly rate: RateAccount = {
    limit: 5000,
    counted: 0,
    notModified: 0,
    graphql: 0,
    resetAt: Math.floor(Date.now() / 1000) + 3600,
    countedBy: {},
  };

  route(method: string, template: string, handler: Handler): void {
    this.routes.push({ method, template, segments: template.split('/'), handler });
  }

  /** The next request to `METHOD /template` gets `reply` instead of being handled. */
  failNext(endpoint: string, reply: Reply): void {
    this.faults.set(endpoint, [...(this.faults.get(endpoint) ?? []), reply]);
  }

  /**
   * Runs `act` when the next request to `METHOD /template` arrives, before it is answered: a
   * human acting in the middle of the app's sequence of calls (races).
   */
  beforeNext(endpoint: string, act: () => void): void {
    this.hooks.set(endpoint, [...(this.hooks.get(endpoint) ?? []), act]);
  }

  counts(from = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const key of this.log.slice(from)) counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }

  count(endpoint: string): number {
    return this.log.filter((k) => k === endpoint).length;
  }

  install(): void {
    nock.disableNetConnect();
    for (const base of [API, GHE_API]) {
      const scope = nock(new URL(base).origin).persist();
      for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) {
        // A classic function: nock binds the intercepted request to `this`.
        const fake = this; // eslint-disable-line @typescript-eslint/no-this-alias
        scope.intercept(/.*/, method).reply(function (uri, body) {
          const headers = this.req.headers;
          const answer = () => linkedFrom(fake.answer(method, serverPath(uri), body, headers), base);
          if (fake.latencyMs <= 0) return answer();
          const half = fake.latencyMs / 2;
          return delay(half)
            .then(answer)
            .then((reply) => delay(half, reply));
        });
      }
    }
  }

  uninstall(): void {
    nock.cleanAll();
    nock.enableNetConnect();
  }

  /**
   * Serves the fake on a loopback port instead of through nock (far less overhead per request, for
   * benchmarks, and reachable from other processes); returns the base URL to give Octokit. Link
   * headers point back at it. A GitHub Enterprise Server client is served too (GHE_HOST=<host>,
   * GHE_PROTOCOL=http: REST under `/api/v3`, GraphQL at `/api/graphql`). `afterHandled` runs once a
   * request is handled (its effects are in the fake) and before its answer is sent, with the port it
   * came in on: a test that gives each process its own port (addPort) knows who asked, and can act
   * (kill it) between GitHub's doing and answering.
   */
  async listen(
    options: { afterHandled?: (endpoint: string, port: number, path: string) => void } = {},
  ): Promise<ServedFake> {
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const raw = req.url ?? '/';
        const path = serverPath(raw);
        const linkBase = `http://${req.headers.host}${raw.startsWith('/api/v3/') ? '/api/v3' : ''}`;
        const respond = ([status, body, headers = {}]: Reply) => {
          const payload =
            body === undefined || body === '' ? '' : typeof body === 'string' ? body : JSON.stringify(body);
          const out = { ...headers };
          if (out.link) out.link = out.link.replaceAll(API, linkBase);
          if (!out['content-type'] && payload !== '') out['content-type'] = 'application/json; charset=utf-8';
          res.writeHead(status, out).end(payload);
        };
        const answer = () => {
          const before = this.log.length;
          const reply = this.answer(req.method ?? 'GET', path, text, req.headers);
          const endpoint = this.log.length > before ? this.log.at(-1)! : `${req.method} ${path}`;
          options.afterHandled?.(endpoint, (req.socket.address() as AddressInfo).port, path);
          return reply;
        };
        if (this.latencyMs <= 0) respond(answer());
        else {
          const half = this.latencyMs / 2;
          void delay(half)
            .then(answer)
            .then((reply) => delay(half, reply))
            .then(respond);
        }
      });
    };
    const servers: http.Server[] = [];
    const open = async () => {
      const server = http.createServer(onRequest);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const port = await open();
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      addPort: open,
      close: async () => {
        await Promise.all(
          servers.map(
            (server) =>
              new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
              }),
          ),
        );
      },
    };
  }

  /** The route's reply made conditional (ETag on every 200 GET, 304 on a match) and accounted. */
  private answer(method: string, uri: string, rawBody: unknown, headers: Request['headers']): Reply {
    let [status, body, replyHeaders = {}] = this.handle(method, uri, rawBody, headers);
    const extra: Record<string, string> = {};
    if (method === 'GET' && status === 200) {
      // A route may give its own ETag (the commit sha for `application/vnd.github.sha`).
      const etag = replyHeaders.etag ?? etagOf(body, headers);
      extra.etag = etag;
      const lastModified = replyHeaders['last-modified'];
      const since = header(headers, 'if-modified-since');
      const unmodified =
        lastModified !== undefined && since !== undefined && Date.parse(lastModified) <= Date.parse(since);
      if (etagMatches(header(headers, 'if-none-match'), etag) || unmodified) {
        status = 304;
        body = '';
        replyHeaders = { etag, ...(lastModified ? { 'last-modified': lastModified } : {}) };
      }
    }
    const graphql = new URL(uri, API).pathname === '/graphql';
    if (status === 304) this.rate.notModified++;
    else if (graphql) this.rate.graphql++;
    else {
      this.rate.counted++;
      const key = `${this.log.at(-1) ?? method} ${status >= 300 ? status : ''}`.trim();
      this.rate.countedBy[key] = (this.rate.countedBy[key] ?? 0) + 1;
    }
    const used = graphql ? this.rate.graphql : this.rate.counted;
    Object.assign(extra, {
      'x-ratelimit-limit': String(this.rate.limit),
      'x-ratelimit-used': String(used),
      'x-ratelimit-remaining': String(Math.max(0, this.rate.limit - used)),
      'x-ratelimit-reset': String(this.rate.resetAt),
      'x-ratelimit-resource': graphql ? 'graphql' : 'core',
    });
    return [status, body, { ...extra, ...replyHeaders }];
  }

  private handle(method: string, uri: string, rawBody: unknown, headers: Request['headers']): Reply {
    const url = new URL(uri, API);
    const parts = url.pathname.split('/');
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const params = match(route.segments, parts);
      if (!params) continue;
      const endpoint = `${method} ${route.template}`;
      this.log.push(endpoint);
      this.hooks.get(endpoint)?.shift()?.();
      if (this.outage) return this.outage;
      const fault = this.faults.get(endpoint)?.shift();
      if (fault) return fault;
      const body = typeof rawBody === 'string' && rawBody !== '' ? JSON.parse(rawBody) : (rawBody ?? {});
      try {
        return route.handler({
          method,
          params,
          query: url.searchParams,
          body: body as Record<string, unknown>,
          headers,
        });
      } catch (error) {
        if (error instanceof HttpError) return error.reply;
        throw error;
      }
    }
    this.unhandled.push(`${method} ${url.pathname}`);
    return [501, { message: `fake GitHub does not answer ${method} ${url.pathname}` }];
  }
}

/** `{name}` matches one segment, `{*name}` the rest of the path; values are URL-decoded. */
function match(template: string[], parts: string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    if (t.startsWith('{*')) {
      if (i >= parts.length) return null;
      params[t.slice(2, -1)] = decodeURIComponent(parts.slice(i).join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (t.startsWith('{')) params[t.slice(1, -1)] = decodeURIComponent(part);
    else if (t !== part) return null;
  }
  return template.length === parts.length ? params : null;
}

export function user(login: string): { login: string; type: string } {
  return { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}
