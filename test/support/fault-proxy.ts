// A loopback HTTP proxy in front of the test registry that misbehaves on request: for paths that
// contain a given string it answers with auth loops, 429/5xx, stalls, cut-off bodies, redirects, or
// digests that do not match the bytes. Everything else passes through unchanged.
import { createHash } from 'node:crypto';
import http from 'node:http';

export type Fault =
  /** Answer this status (with Retry-After when given). */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** 401 with a Bearer challenge on every request, even with a token from our own realm. */
  | { kind: 'auth-loop' }
  /** Require a token from the proxy's /token realm (a working Bearer flow). */
  | { kind: 'require-token'; expiresIn?: number }
  /** Accept the request and never answer. */
  | { kind: 'stall' }
  /** Send the headers with the full Content-Length, half the body, then cut the connection. */
  | { kind: 'truncate' }
  /** Claim another digest than the bytes' (and serve the real bytes under the claimed one). */
  | { kind: 'wrong-digest' }
  /** Change the body bytes, keep the headers. */
  | { kind: 'alter-bytes' }
  /** 307 to `location`. */
  | { kind: 'redirect'; location: string }
  /**
   * Answer as Docker Hub does: every manifest GET is a pull counted against `pulls.limit` in a
   * 6-hour window (HEADs are free), each answer says how many are left (`ratelimit-limit`,
   * `ratelimit-remaining`), and a GET beyond the limit is a 429.
   */
  | { kind: 'hub-pulls'; pulls: { limit: number; remaining: number } };

export interface FaultRule {
  /** Substring of the request path, e.g. `/v2/faulty/`. */
  path: string;
  fault: Fault;
  /** Only these methods (default all). */
  methods?: string[];
  /** Fault this many matching requests, then pass through (default always). */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FaultProxy {
  url: string;
  /** Most requests the proxy was answering at once. */
  maxInFlight(): number;
  /** 127.0.0.1:<port> */
  host: string;
  /** Requests received, in order (token requests included). */
  requests: ProxiedRequest[];
  inject(rule: FaultRule): void;
  clear(): void;
  stop(): Promise<void>;
}

/** Docker Hub's pull-budget headers (window 6 h, as Hub states it). */
function hubHeaders(pulls: { limit: number; remaining: number }): Record<string, string> {
  return { 'ratelimit-limit': `${pulls.limit};w=21600`, 'ratelimit-remaining': `${pulls.remaining};w=21600` };
}

/** A different, well-formed digest: what a lying registry would claim. */
function forge(digest: string): string {
  return `sha256:${createHash('sha256').update(`forged ${digest}`).digest('hex')}`;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const requests: ProxiedRequest[] = [];
  const issuedTokens = new Set<string>();
  const forgedToReal = new Map<string, string>();
  let url = '';
  let inFlight = 0;
  let mostInFlight = 0;

  const challenge = () => `Bearer realm="${url}/token",service="fault-proxy"`;

  function matchingFault(req: http.IncomingMessage): Fault | null {
    const rule = rules.find(
      (r) => req.url!.includes(r.path) && (!r.methods || r.methods.includes(req.method!)) && r.times !== 0,
    );
    if (!rule) return null;
    if (rule.times !== undefined) rule.times--;
    return rule.fault;
  }

  /** Fetches the upstream answer in full, so faults can rewrite it. */
  function forward(
    req: http.IncomingMessage,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    let path = req.url!;
    for (const [forged, real] of forgedToReal) path = path.replace(forged, real);
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers.host;
      const upstreamReq = http.request(new URL(path, upstream), { method: req.method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      });
      upstreamReq.on('error', reject);
      req.pipe(upstreamReq);
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    requests.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization });
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    res.on('close', () => inFlight--);
    if (req.url!.startsWith('/token')) {
      const token = `token-${issuedTokens.size + 1}`;
      issuedTokens.add(token);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const fault = matchingFault(req);
    const bearer = req.headers.authorization?.replace(/^Bearer /, '');
    switch (fault?.kind) {
      case 'status':
        res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        res.end('{"errors":[{"code":"UNAVAILABLE"}]}');
        return;
      case 'auth-loop':
        res.writeHead(401, { 'www-authenticate': challenge() }).end();
        return;
      case 'require-token':
        if (!bearer || !issuedTokens.has(bearer)) {
          res.writeHead(401, { 'www-authenticate': challenge() }).end();
          return;
        }
        break;
      case 'stall':
        return;
      case 'redirect':
        res.writeHead(307, { location: fault.location }).end();
        return;
      case 'hub-pulls':
        if (req.method === 'GET' && req.url!.includes('/manifests/')) {
          if (fault.pulls.remaining === 0) {
            res.writeHead(429, hubHeaders(fault.pulls)).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
            return;
          }
          fault.pulls.remaining--;
        }
        break;
    }
    const upstreamAnswer = await forward(req);
    const headers = { ...upstreamAnswer.headers };
    let body = upstreamAnswer.body;
    if (fault?.kind === 'wrong-digest' && typeof headers['docker-content-digest'] === 'string') {
      const forged = forge(headers['docker-content-digest']);
      forgedToReal.set(forged, headers['docker-content-digest']);
      headers['docker-content-digest'] = forged;
    }
    if (fault?.kind === 'alter-bytes' && req.method === 'GET') {
      body = Buffer.concat([body, Buffer.from('\n')]);
      headers['content-length'] = String(body.length);
    }
    if (fault?.kind === 'hub-pulls') Object.assign(headers, hubHeaders(fault.pulls));
    res.writeHead(upstreamAnswer.status, headers);
    if (fault?.kind === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      res.socket?.destroy();
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  url = `http://127.0.0.1:${port}`;
  return {
    url,
    host: `127.0.0.1:${port}`,
    requests,
    maxInFlight: () => mostInFlight,
    inject: (rule) => rules.push({ ...rule }),
    clear: () => {
      rules.length = 0;
      requests.length = 0;
      mostInFlight = inFlight;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
