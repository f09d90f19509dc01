// A registry token service for the test registry's `auth: token` mode, as the distribution spec
// describes it: GET <realm>?service=…&scope=repository:<name>:pull with Basic credentials answers a
// JWT (ES256, signed by a throwaway key whose certificate the registry trusts) granting that scope.
// `mapName` plays a mirror's token service (Harbor maps `project/repository` onto what it serves).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenRequest {
  scope: string | null;
  service: string | null;
  /** The Basic username sent, or null for an anonymous request. */
  username: string | null;
}

export interface TokenServiceOptions {
  username: string;
  password: string;
  /** The repository name a scope names → the name the registry knows, or null to grant nothing. */
  mapName?: (name: string) => string | null;
  /** The realm the registry names, when another origin serves this service (at the realm's path). */
  realm?: string;
}

export interface TokenService {
  /** http://127.0.0.1:<port>, which serves GET /token. */
  origin: string;
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate the registry's `rootcertbundle` names. */
  certPath: string;
  requests: TokenRequest[];
  /** A token for `repository` with `actions`, for pushing test images. */
  mint(repository: string, actions: string[]): string;
  stop(): Promise<void>;
}

const SERVICE = 'freshbase-test-registry';
const ISSUER = 'freshbase-test-token-service';

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(
  key: KeyObject,
  certDer: string,
  access: { type: string; name: string; actions: string[] }[],
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ typ: 'JWT', alg: 'ES256', x5c: [certDer] });
  const claims = base64url({
    iss: ISSUER,
    sub: 'freshbase-test',
    aud: SERVICE,
    exp: now + 300,
    nbf: now - 10,
    iat: now,
    jti: randomUUID(),
    access,
  });
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${claims}.${signature.toString('base64url')}`;
}

export async function startTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const dir = mkdtempSync(join(tmpdir(), 'freshbase-token-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        certPath,
        '-days',
        '2',
        '-subj',
        '/CN=freshbase-test-token',
      ],
      { stdio: 'pipe' },
    );
  } catch (error) {
    throw new Error(
      `openssl could not make the token signing certificate (apt-get install openssl): ${(error as Error).message}`,
      { cause: error },
    );
  }
  const key = createPrivateKey(readFileSync(keyPath));
  const certDer = new X509Certificate(readFileSync(certPath)).raw.toString('base64');
  const mapName = options.mapName ?? ((name: string) => name);
  const requests: TokenRequest[] = [];
  let realmPath = '/token'; // the realm's path, known once the server listens
  const expected = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const authorization = req.headers.authorization;
    const username = authorization?.startsWith('Basic ')
      ? Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':')[0]!
      : null;
    const scope = url.searchParams.get('scope');
    requests.push({ scope, service: url.searchParams.get('service'), username });
    if (url.pathname !== realmPath) {
      res.writeHead(404).end();
      return;
    }
    if (authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = [];
    const match = scope ? /^repository:([^:]+):([a-z,*]+)$/.exec(scope) : null;
    const name = match ? mapName(match[1]!) : null;
    if (match && name) access.push({ type: 'repository', name, actions: match[2]!.split(',') });
    const token = jwt(key, certDer, access);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  const realm = options.realm ?? `${origin}/token`;
  realmPath = new URL(realm).pathname;
  return {
    origin,
    realm,
    service: SERVICE,
    issuer: ISSUER,
    certPath,
    requests,
    mint: (repository, actions) => jwt(key, certDer, [{ type: 'repository', name: repository, actions }]),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
