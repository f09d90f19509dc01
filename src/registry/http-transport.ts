// One HTTP(S) exchange with a deadline, a response size cap and the address guard. No redirects,
// retries or auth here: those depend on registry policy and live in registry-http.ts.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import {
  assertLiteralAllowed,
  ForbiddenAddressError,
  guardedLookup,
  type Resolver,
} from './address-guard.js';
import { errorMessage } from '../errors.js';

export type TransportFailure = 'timeout' | 'network' | 'too-large' | 'forbidden-address' | 'protocol';

export class TransportError extends Error {
  constructor(
    message: string,
    readonly failure: TransportFailure,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface HttpRequest {
  method: 'GET' | 'HEAD';
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  /** Operator rule says this host may be loopback/private: skip the address guard. */
  allowPrivate: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  close(): void;
}

/** One exchange as an observer (metrics) sees it: where it went and how it ended. */
export interface TransportExchange {
  method: HttpRequest['method'];
  url: URL;
  status: number | TransportFailure;
}

/** The transport, reporting every exchange to `observe` (which must not throw). */
export function observeTransport(
  transport: HttpTransport,
  observe: (exchange: TransportExchange) => void,
): HttpTransport {
  return {
    async send(request) {
      try {
        const response = await transport.send(request);
        observe({ method: request.method, url: request.url, status: response.status });
        return response;
      } catch (error) {
        observe({
          method: request.method,
          url: request.url,
          status: error instanceof TransportError ? error.failure : 'network',
        });
        throw error;
      }
    },
    close: () => transport.close(),
  };
}

/** URL safe to show in logs and errors: signed CDN redirects carry credentials in the query. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export interface HttpTransportOptions {
  /** DNS for the address guard. */
  resolver: Resolver;
  /** Certificates (PEM) trusted beside Node's own roots, for a registry behind a private CA. */
  extraCaCertificates?: readonly string[];
}

type Scheme = 'http:' | 'https:';
type Agents = Record<Scheme, http.Agent>;

export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const ca = options.extraCaCertificates?.length
    ? [...tls.rootCertificates, ...options.extraCaCertificates]
    : undefined;
  const agentsWith = (connection: { lookup?: LookupFunction }): Agents => ({
    'http:': new http.Agent({ keepAlive: true, ...connection }),
    'https:': new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}), ...connection }),
  });
  // One pool per access policy (each agent pools per origin): a keep-alive socket opened for a rule
  // that allows private addresses never carries a guarded request to the same origin, which would
  // skip the address check. Every socket of the guarded pool was connected through the guard.
  const pools: Record<'guarded' | 'private', Agents> = {
    guarded: agentsWith({ lookup: guardedLookup(options.resolver) }),
    private: agentsWith({}),
  };

  function send(request: HttpRequest): Promise<HttpResponse> {
    const { url } = request;
    const protocol = url.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      return Promise.reject(new TransportError(`unsupported URL scheme ${protocol}`, 'protocol'));
    }
    if (!request.allowPrivate) {
      try {
        assertLiteralAllowed(url.hostname);
      } catch (error) {
        return Promise.reject(new TransportError(errorMessage(error), 'forbidden-address'));
      }
    }
    const requestFn = protocol === 'https:' ? https.request : http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: TransportError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        req.destroy();
        reject(error);
      };
      const req = requestFn(url, {
        method: request.method,
        headers: request.headers,
        agent: pools[request.allowPrivate ? 'private' : 'guarded'][protocol],
      });
      const deadline = setTimeout(
        () => fail(new TransportError(`no complete answer within ${request.timeoutMs} ms`, 'timeout')),
        request.timeoutMs,
      );
      req.on('error', (error) => {
        const forbidden = error instanceof ForbiddenAddressError;
        fail(new TransportError(error.message, forbidden ? 'forbidden-address' : 'network'));
      });
      req.on('response', (res) => {
        // A HEAD answer declares the length of the body it does not send.
        const declared = request.method === 'HEAD' ? 0 : Number(res.headers['content-length'] ?? 0);
        if (declared > request.maxBytes) {
          fail(new TransportError(`response of ${declared} bytes exceeds ${request.maxBytes}`, 'too-large'));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > request.maxBytes) {
            fail(new TransportError(`response exceeds ${request.maxBytes} bytes`, 'too-large'));
            return;
          }
          chunks.push(chunk);
        });
        // A connection cut before the declared length ends in 'close' (or 'error') without a complete body.
        const cutOff = (): void => fail(new TransportError('response cut off before its end', 'network'));
        res.on('close', () => res.complete || cutOff());
        res.on('error', cutOff);
        res.on('end', () => {
          if (settled) return;
          if (!res.complete) return cutOff();
          settled = true;
          clearTimeout(deadline);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.end();
    });
  }

  return {
    send,
    close() {
      for (const agents of Object.values(pools)) for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}
