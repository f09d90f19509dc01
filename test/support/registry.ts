// Starts the real CNCF distribution registry (Debian's `docker-registry`) on loopback for a test file:
//   const registry = await startRegistry();            // in beforeAll
//   await registry.pushImage('acme/app', '1.0');        // or pushIndex(...)
//   createRegistryClient({ rules: [registry.hostRule()] })
//   await registry.stop();                              // in afterAll
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { HostRule } from '../../src/registry/host-rules.js';
import {
  pushImage,
  pushIndex,
  type ImageSpec,
  type IndexSpec,
  type PushedImage,
  type PushedIndex,
  type RegistryAuth,
} from './registry-push.js';
import type { TokenService } from './token-service.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** http://127.0.0.1:<port> */
  url: string;
  /** 127.0.0.1:<port>: the registry part of an image reference. */
  host: string;
  auth: RegistryAuth | null;
  /** Rule that lets a client reach this loopback registry over http, as an operator would write it. */
  hostRule(host?: string): HostRule;
  pushImage(repository: string, tag: string | null, spec?: ImageSpec): Promise<PushedImage>;
  pushIndex(repository: string, tag: string, spec?: IndexSpec): Promise<PushedIndex>;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** Require Basic auth (htpasswd, bcrypt). */
  auth?: RegistryAuth;
  /** Require Bearer tokens from this token service (`auth: token`). */
  token?: TokenService;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function authYaml(htpasswd: string | null, token: TokenService | undefined): string {
  if (token) {
    return [
      'auth:',
      '  token:',
      `    realm: ${token.realm}`,
      `    service: ${token.service}`,
      `    issuer: ${token.issuer}`,
      `    rootcertbundle: ${token.certPath}`,
      '',
    ].join('\n');
  }
  return htpasswd ? `auth:\n  htpasswd:\n    realm: freshbase-test\n    path: ${htpasswd}\n` : '';
}

function configYaml(storage: string, port: number, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    auth,
  ].join('\n');
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${output()}`);
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15 s: ${output()}`);
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`${REGISTRY_BINARY} is missing: apt-get install docker-registry (CNCF distribution)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'freshbase-registry-'));
  const port = await freePort();
  let htpasswd: string | null = null;
  if (options.auth) {
    htpasswd = join(dir, 'htpasswd');
    await writeFile(htpasswd, `${options.auth.username}:${bcrypt.hashSync(options.auth.password, 5)}\n`);
  }
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, configYaml(join(dir, 'storage'), port, authYaml(htpasswd, options.token)));
  const child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  const { token } = options;
  const target = {
    url,
    auth: options.auth ?? null,
    ...(token
      ? { authorization: (repository: string) => `Bearer ${token.mint(repository, ['pull', 'push'])}` }
      : {}),
  };
  return {
    url,
    host,
    auth: target.auth,
    hostRule: (ruleHost = host) => ({
      host: ruleHost,
      url,
      allowPrivate: true,
      ...(options.auth ? { username: options.auth.username, password: options.auth.password } : {}),
    }),
    pushImage: (repository, tag, spec) => pushImage(target, repository, tag, spec),
    pushIndex: (repository, tag, spec) => pushIndex(target, repository, tag, spec),
    stop,
  };
}
