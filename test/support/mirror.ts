// The registry's front door as tests need it. With a prefix it is a path-prefixed mirror, as a Harbor
// proxy-cache project or an Artifactory remote repository serves one: `/v2/<prefix>/<repository>/…`
// is the upstream's `/v2/<repository>/…`, tag paging links are rewritten back under the prefix, and
// anything outside the prefix is not found (`/v2/` itself, the API check, passes). It can also serve
// other paths from other servers on its own origin: a token realm (`/token`), where Harbor, GHCR and
// GAR serve theirs, or ACR's `/oauth2/…` endpoints.
import http from 'node:http';

export interface Mirror {
  /** http://127.0.0.1:<port>/<prefix>: a rule url as an operator writes it. */
  url: string;
  origin: string;
  /** Request paths received, in order. */
  paths: string[];
  /** Where `/v2/…` goes; settable after start (a registry's config names the realm first). */
  upstream: string | null;
  /** Path prefix → origin of the server that answers it (`/token` → a token service). */
  routes: Map<string, string>;
  stop(): Promise<void>;
}

export async function startMirror(prefix: string, upstream: string | null = null): Promise<Mirror> {
  const paths: string[] = [];
  const under = prefix ? `/v2/${prefix}/` : '/v2/';
  const mirror: Mirror = {
    url: '',
    origin: '',
    paths,
    upstream,
    routes: new Map(),
    stop: async () => {},
  };

  function target(path: string): URL | null {
    for (const [start, origin] of mirror.routes) if (path.startsWith(start)) return new URL(path, origin);
    if (!mirror.upstream) return null;
    if (path === '/v2/' || path.startsWith('/v2/?')) return new URL(path, mirror.upstream);
    if (path.startsWith(under)) return new URL(`/v2/${path.slice(under.length)}`, mirror.upstream);
    return null;
  }

  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    const url = target(path);
    if (!url) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"not served by this mirror"}]}');
      return;
    }
    const headers = { ...req.headers, host: url.host };
    const forwarded = http.request(url, { method: req.method, headers }, (answer) => {
      const out = { ...answer.headers };
      if (typeof out.link === 'string') out.link = out.link.replace(/<\/v2\//g, `<${under}`);
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    });
    forwarded.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  mirror.origin = `http://127.0.0.1:${port}`;
  mirror.url = prefix ? `${mirror.origin}/${prefix}` : mirror.origin;
  mirror.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return mirror;
}
