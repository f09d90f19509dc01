// Amazon ECR, Google Artifact Registry and Azure Container Registry credentials, each obtained through
// its own SDK (AWS SDK v3, google-auth-library, @azure/identity) pointed at a loopback stand-in of the
// cloud's API that checks the shape of every request, then used against the real registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRegistryClient, type RegistryClient } from '../../src/registry/client.js';
import { awsEcrSource } from '../../src/registry/credentials/aws-ecr.js';
import { ACR_REFRESH_TOKEN_USER } from '../../src/registry/credentials/azure.js';
import type { HostRule } from '../../src/registry/host-rules.js';
import { startMirror, type Mirror } from '../support/mirror.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startTokenService, type TokenService } from '../support/token-service.js';

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface StandIn {
  origin: string;
  seen: Seen[];
  stop(): Promise<void>;
}

/** A loopback server answering `answer(request)` as JSON, recording every request. */
async function startStandIn(answer: (request: Seen) => { status?: number; json: unknown }): Promise<StandIn> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const { status = 200, json } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sets process variables for one test (the SDKs read process.env) and restores them after. */
const savedEnv = new Map<string, string | undefined>();
function setEnv(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!savedEnv.has(key)) savedEnv.set(key, process.env[key]);
    process.env[key] = value;
  }
}

let scratch: string;
const clients: RegistryClient[] = [];
function client(rules: HostRule[]): RegistryClient {
  const created = createRegistryClient({ rules, env: process.env, retries: 0, timeoutMs: 10_000 });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-cloud-'));
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const [key, value] of savedEnv) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  savedEnv.clear();
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('Amazon ECR through the AWS SDK', () => {
  const ECR_HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
  const PASSWORD = 'ecr-registry-password';
  let registry: TestRegistry;
  let expiresInSeconds: number;
  let ecr: StandIn;

  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: 'AWS', password: PASSWORD } });
    ecr = await startStandIn(() => ({
      json: {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${PASSWORD}`).toString('base64'),
            expiresAt: Date.now() / 1000 + expiresInSeconds,
            proxyEndpoint: `https://${ECR_HOST}`,
          },
        ],
      },
    }));
  });
  afterAll(async () => {
    await ecr?.stop();
    await registry?.stop();
  });
  beforeEach(() => {
    expiresInSeconds = 12 * 60 * 60;
    ecr.seen.length = 0;
    setEnv({
      AWS_ENDPOINT_URL_ECR: ecr.origin,
      AWS_ACCESS_KEY_ID: 'AKIDFRESHBASETEST',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-access-key',
      AWS_CONFIG_FILE: path.join(scratch, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });

  test('GetAuthorizationToken is signed for the registry region and its token opens the registry', async () => {
    const pushed = await registry.pushImage('base', '1.0');
    await registry.pushImage('base', '1.1', { seed: 'b' });
    const c = client([{ host: ECR_HOST, url: registry.url, allowPrivate: true, credentials: 'aws-ecr' }]);
    expect((await c.resolve({ registry: ECR_HOST, repository: 'base', reference: '1.0' })).digest).toBe(
      pushed.digest,
    );
    await c.resolve({ registry: ECR_HOST, repository: 'base', reference: '1.1' });

    // One call for both lookups: the token lasts 12 hours.
    expect(ecr.seen).toHaveLength(1);
    const [call] = ecr.seen;
    expect(call).toMatchObject({ method: 'POST', path: '/' });
    expect(call!.headers['x-amz-target']).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(call!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(call!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFRESHBASETEST\/\d{8}\/eu-west-1\/ecr\/aws4_request, /,
    );
    expect(JSON.parse(call!.body)).toEqual({});
  });

  test('a token is fetched again before it expires', async () => {
    expiresInSeconds = 30 * 60; // inside the hour before expiry in which a new token is fetched
    const source = awsEcrSource(ECR_HOST);
    expect(await source.get()).toEqual({ username: 'AWS', password: PASSWORD });
    await source.get();
    expect(ecr.seen).toHaveLength(2);

    expiresInSeconds = 12 * 60 * 60;
    const fresh = awsEcrSource(ECR_HOST);
    await fresh.get();
    await fresh.get();
    expect(ecr.seen).toHaveLength(3);
  });

  test('refused AWS credentials: an auth error naming ECR, without the secret key', async () => {
    const refusing = await startStandIn(() => ({
      status: 400,
      json: {
        __type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      },
    }));
    try {
      setEnv({ AWS_ENDPOINT_URL_ECR: refusing.origin });
      const c = client([{ host: ECR_HOST, url: registry.url, allowPrivate: true, credentials: 'aws-ecr' }]);
      const error = await c.resolve({ registry: ECR_HOST, repository: 'base', reference: '1.0' }).then(
        () => null,
        (e: Error) => e,
      );
      expect(error?.message).toContain(
        `Amazon ECR credentials for ${ECR_HOST}: GetAuthorizationToken failed`,
      );
      expect(error?.message).toContain('UnrecognizedClientException');
      expect(error?.message).not.toContain('aws-secret-access-key');
    } finally {
      await refusing.stop();
    }
  });
});

describe('Google Artifact Registry through google-auth-library', () => {
  const GAR_HOST = 'europe-docker.pkg.dev';
  const ACCESS_TOKEN = 'ya29.freshbase-test-access-token';
  let registry: TestRegistry;
  let sts: StandIn;

  beforeAll(async () => {
    registry = await startRegistry({ auth: { username: 'oauth2accesstoken', password: ACCESS_TOKEN } });
    // The STS token exchange, and the resource manager the library asks for the project's id.
    sts = await startStandIn((request) => ({
      json: request.path.startsWith('/v1/projects/')
        ? { projectId: 'acme-images' }
        : {
            access_token: ACCESS_TOKEN,
            issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            token_type: 'Bearer',
            expires_in: 3600,
          },
    }));
  });
  afterAll(async () => {
    await sts?.stop();
    await registry?.stop();
  });

  test('application default credentials (workload identity federation) give the oauth2accesstoken password', async () => {
    const subjectToken = path.join(scratch, 'subject-token');
    await writeFile(subjectToken, 'subject-jwt-from-the-platform');
    const credentials = path.join(scratch, 'google-credentials.json');
    const audience = '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/q';
    await writeFile(
      credentials,
      JSON.stringify({
        type: 'external_account',
        audience,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: `${sts.origin}/v1/token`,
        credential_source: { file: subjectToken },
      }),
    );
    // With the project named, the library does not look for it (which probes the metadata server).
    setEnv({ GOOGLE_APPLICATION_CREDENTIALS: credentials, GOOGLE_CLOUD_PROJECT: 'acme-images' });
    const pushed = await registry.pushIndex('acme/images/python', '3.12');
    const c = client([{ host: GAR_HOST, url: registry.url, allowPrivate: true, credentials: 'google' }]);
    const info = await c.resolve({ registry: GAR_HOST, repository: 'acme/images/python', reference: '3.12' });
    expect(info.digest).toBe(pushed.digest);

    expect(sts.seen).toHaveLength(1);
    expect(sts.seen[0]).toMatchObject({ method: 'POST', path: '/v1/token' });
    const form = new URLSearchParams(sts.seen[0]!.body);
    expect(Object.fromEntries(form)).toMatchObject({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      subject_token: 'subject-jwt-from-the-platform',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    });
  });
});

describe('Azure Container Registry through @azure/identity and /oauth2/exchange', () => {
  const ACR_HOST = 'acme.azurecr.io';
  const ENTRA_TOKEN = 'entra-id-access-token';
  // ACR refresh tokens are JWTs; only `exp` is read from them.
  const REFRESH_TOKEN = `e30.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 10800 })).toString('base64url')}.sig`;
  let front: Mirror;
  let tokens: TokenService;
  let registry: TestRegistry;
  let entra: StandIn;
  let exchange: StandIn;

  beforeAll(async () => {
    // The registry's origin serves /v2/, /oauth2/exchange and the /oauth2/token realm, as ACR does.
    front = await startMirror('');
    tokens = await startTokenService({
      username: ACR_REFRESH_TOKEN_USER,
      password: REFRESH_TOKEN,
      realm: `${front.origin}/oauth2/token`,
    });
    registry = await startRegistry({ token: tokens });
    exchange = await startStandIn(() => ({ json: { refresh_token: REFRESH_TOKEN } }));
    entra = await startStandIn(() => ({
      json: {
        access_token: ENTRA_TOKEN,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: 'https://containerregistry.azure.net',
        token_type: 'Bearer',
      },
    }));
    front.upstream = registry.url;
    front.routes.set('/oauth2/exchange', exchange.origin);
    front.routes.set('/oauth2/token', tokens.origin);
  });
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
    await tokens?.stop();
    await exchange?.stop();
    await entra?.stop();
  });

  test('a managed identity token is exchanged for a refresh token that opens the registry', async () => {
    // DefaultAzureCredential finds a managed identity the way App Service and Container Apps offer it.
    setEnv({ IDENTITY_ENDPOINT: `${entra.origin}/msi/token`, IDENTITY_HEADER: 'identity-header-value' });
    const pushed = await registry.pushImage('base', '2024.1');
    const c = client([{ host: ACR_HOST, url: front.url, allowPrivate: true, credentials: 'azure' }]);
    const info = await c.resolve({ registry: ACR_HOST, repository: 'base', reference: '2024.1' });
    expect(info.digest).toBe(pushed.digest);

    expect(entra.seen).toHaveLength(1);
    const identity = new URL(entra.seen[0]!.path, entra.origin);
    expect(identity.pathname).toBe('/msi/token');
    expect(identity.searchParams.get('resource')).toBe('https://containerregistry.azure.net');
    expect(entra.seen[0]!.headers['x-identity-header']).toBe('identity-header-value');

    expect(exchange.seen).toHaveLength(1);
    expect(exchange.seen[0]).toMatchObject({ method: 'POST', path: '/oauth2/exchange' });
    expect(exchange.seen[0]!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(exchange.seen[0]!.body))).toEqual({
      grant_type: 'access_token',
      service: ACR_HOST,
      access_token: ENTRA_TOKEN,
    });

    expect(tokens.requests).toEqual([
      { scope: 'repository:base:pull', service: tokens.service, username: ACR_REFRESH_TOKEN_USER },
    ]);
  });
});
