// Credentials as Docker keeps them: `config.json` in DOCKER_CONFIG (default ~/.docker), with `auths`
// entries, per-registry `credHelpers` and a default `credsStore`. A helper is run as the
// docker-credential-helpers protocol says: `docker-credential-<name> get`, the server on stdin, JSON
// `{"Username", "Secret"}` on stdout.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../host-rules.js';
import { cachedSource, CredentialError, type CredentialSource } from './source.js';

/** The key Docker files Docker Hub credentials under. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HELPER_OUTPUT_BYTES = 64 * 1024;
const HELPER_TIMEOUT_MS = 10_000;
/** Helpers and the file are asked again after this, so rotated credentials are picked up. */
const REUSE_MS = 5 * 60 * 1000;
/** The protocol's own username for an OAuth2 identity (refresh) token. */
const IDENTITY_TOKEN_USERNAME = '<token>';

interface DockerConfig {
  auths?: Record<string, { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown }>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
}

export interface DockerConfigOptions {
  env: NodeJS.ProcessEnv;
  helperTimeoutMs?: number;
}

/** The server name Docker uses for `host` in config.json and towards helpers. */
export function dockerServerKey(host: string): string {
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_KEY : host;
}

/** `https://harbor.internal/v1/` → `harbor.internal`, as Docker matches `auths` keys. */
function keyHost(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/s, '');
}

function configPath(env: NodeJS.ProcessEnv): string {
  return join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
}

async function readConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MAX_CONFIG_BYTES) throw new CredentialError(`${path} is larger than 1 MiB`);
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof CredentialError) throw error;
    throw new CredentialError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as DockerConfig;
  } catch {
    // reported below, without the content (it holds secrets)
  }
  throw new CredentialError(`${path} is not a JSON object`);
}

function helperName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
    throw new CredentialError(`${path} names a credential helper that is not a plain name`);
  }
  return value;
}

function fromAuthEntry(entry: NonNullable<DockerConfig['auths']>[string], where: string): Credentials | null {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken) {
    throw new CredentialError(`${where} holds an identity token, which Freshbase does not support`);
  }
  if (typeof entry.auth === 'string' && entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new CredentialError(`${where}: "auth" is not base64 of username:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && entry.username && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  return null;
}

/** Runs `docker-credential-<name> get` with a deadline and bounded output. */
export function runCredentialHelper(
  name: string,
  server: string,
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Credentials> {
  const program = `docker-credential-${name}`;
  const { timeoutMs } = options;
  return new Promise((resolve, reject) => {
    // Found on the environment's PATH, as Docker finds it; no shell.
    const child = spawn(program, ['get'], { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let received = 0;
    let failure: CredentialError | null = null;
    const fail = (error: CredentialError): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => fail(new CredentialError(`${program} gave no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_HELPER_OUTPUT_BYTES) fail(new CredentialError(`${program} wrote more than 64 KiB`));
      else chunks.push(chunk);
    });
    // Drained and dropped: a helper's diagnostics may quote what it was given.
    child.stderr.resume();
    child.stdin.on('error', () => {}); // a helper that exits without reading stdin
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new CredentialError(
          error.code === 'ENOENT' ? `${program} is not on PATH` : `${program} could not run: ${error.code}`,
        ),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      const output = Buffer.concat(chunks).toString('utf8');
      if (code !== 0) {
        // The protocol's one well-known answer is safe to repeat; anything else might quote a secret.
        const notFound = /credentials not found/i.test(output);
        return reject(
          new CredentialError(
            notFound ? `${program} has no credentials for ${server}` : `${program} exited with code ${code}`,
          ),
        );
      }
      let answer: { Username?: unknown; Secret?: unknown };
      try {
        answer = JSON.parse(output) as typeof answer;
      } catch {
        return reject(new CredentialError(`${program} did not answer JSON`));
      }
      if (typeof answer.Username !== 'string' || typeof answer.Secret !== 'string' || !answer.Secret) {
        return reject(new CredentialError(`${program} did not answer {"Username", "Secret"}`));
      }
      if (answer.Username === IDENTITY_TOKEN_USERNAME) {
        return reject(
          new CredentialError(`${program} answered an identity token, which Freshbase does not support`),
        );
      }
      resolve({ username: answer.Username, password: answer.Secret });
    });
    child.stdin.end(server);
  });
}

/** Credentials for `host` (the origin's host[:port] requests go to) from Docker's config. */
export async function dockerConfigCredentials(
  host: string,
  options: DockerConfigOptions,
): Promise<Credentials> {
  const path = configPath(options.env);
  const config = await readConfig(path);
  const server = dockerServerKey(host);
  const helperOptions = { env: options.env, timeoutMs: options.helperTimeoutMs ?? HELPER_TIMEOUT_MS };
  const helper = config.credHelpers?.[host] ?? config.credHelpers?.[server];
  if (helper !== undefined) return runCredentialHelper(helperName(helper, path), server, helperOptions);
  if (config.credsStore !== undefined && config.credsStore !== '') {
    return runCredentialHelper(helperName(config.credsStore, path), server, helperOptions);
  }
  const auths = config.auths ?? {};
  const wanted = keyHost(server);
  const key = server in auths ? server : Object.keys(auths).find((k) => keyHost(k) === wanted);
  const entry = key === undefined ? undefined : auths[key];
  const credentials =
    entry && typeof entry === 'object' ? fromAuthEntry(entry, `${path} auths["${key}"]`) : null;
  if (!credentials) throw new CredentialError(`${path} has no credentials for ${host}`);
  return credentials;
}

export function dockerConfigSource(host: string, options: DockerConfigOptions): CredentialSource {
  const description = `Docker config credentials for ${host}`;
  return cachedSource(
    description,
    async () => ({ credentials: await dockerConfigCredentials(host, options), expiresAt: null }),
    { refreshBeforeMs: 0, defaultLifetimeMs: REUSE_MS, failureTtlMs: 30_000 },
  );
}
