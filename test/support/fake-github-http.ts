// The HTTP side of the fake GitHub: nock interceptors on https://api.github.com, route matching,
// request recording per endpoint, GitHub-shaped errors, Link-header pagination, one-shot faults.
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

export class FakeHttp {
  private readonly routes: Route[] = [];
  private readonly faults = new Map<string, Reply[]>();
  private readonly hooks = new Map<string, Array<() => void>>();
  /** Every request as `METHOD /template`, in order. */
  readonly log: string[] = [];
  readonly unhandled: string[] = [];

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
    const scope = nock(API).persist();
    for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) {
      // A classic function: nock binds the intercepted request to `this`.
      const fake = this; // eslint-disable-line @typescript-eslint/no-this-alias
      scope.intercept(/.*/, method).reply(function (uri, body) {
        return fake.handle(method, uri, body, this.req.headers);
      });
    }
  }

  uninstall(): void {
    nock.cleanAll();
    nock.enableNetConnect();
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
