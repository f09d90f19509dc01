// The files operators deploy with, checked against the code they run: the Dockerfile's base is
// pinned by digest (as Freshbase itself reads it) and its COPY sources are exactly what the build
// and the runtime need and the build context (.dockerignore) lets in; the probe and healthcheck
// paths are routes the app answers; the compose file and the Kubernetes example are consistent.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, parseAllDocuments } from 'yaml';
import { createMetrics } from '../../src/app/metrics.js';
import { serviceRoutes } from '../../src/app/service-routes.js';
import { parseConfigYaml } from '../../src/config/load.js';
import { isPathSelected } from '../../src/config/policy.js';
import { extractImages } from '../../src/dockerfile/extract.js';
import { launcherNodeFlags } from '../support/node-flags.js';
import { ROOT } from '../support/service-process.js';

const metrics = createMetrics();
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
/** Instructions with their continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** The status the app's service routes answer for GET `url`. */
async function statusOf(url: string): Promise<number | null> {
  let status: number | null = null;
  const res = { writeHead: (code: number) => void (status = code), end: () => undefined };
  const routes = serviceRoutes({ queueStats: async () => ({ waiting: 0, running: 0 }), metrics });
  const handled = await routes({ method: 'GET', url } as IncomingMessage, res as unknown as ServerResponse);
  return handled ? status : null;
}

describe('Dockerfile', () => {
  test('every base image is pinned by digest, as Freshbase extracts it', () => {
    const { images, skipped } = extractImages('Dockerfile', dockerfile);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatchObject({
        source: 'from',
        registry: 'docker.io',
        repository: 'library/node',
        tag: expect.stringMatching(/^20-/), // package.json engines: node >= 20
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      });
    }
    expect(skipped.every((s) => s.reason === 'stage')).toBe(true);
  });

  test("NODE_OPTIONS carries the launcher's V8 heap flags, as npm start does", () => {
    const flags = launcherNodeFlags(ROOT);
    expect(flags).toEqual(['--max-old-space-size=1024', '--max-semi-space-size=4']);
    const env = instructions.find((line) => line.startsWith('ENV ') && line.includes('NODE_OPTIONS='))!;
    expect(/NODE_OPTIONS="([^"]*)"/.exec(env)?.[1]).toBe(flags.join(' '));
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(start).toContain(`node ${flags.join(' ')} dist/app/main.js`);
  });

  test('COPY sources exist, pass .dockerignore, and cover what the build compiles', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const copied = instructions
      .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
      .flatMap((line) => line.trim().split(/\s+/).slice(1, -1));
    expect([...new Set(copied)].sort()).toEqual([...allowed].sort());
    for (const source of copied) expect(existsSync(path.join(ROOT, source))).toBe(true);
    // The build compiles tsconfig.build.json's sources, which extends tsconfig.json.
    const build = JSON.parse(read('tsconfig.build.json')) as { extends: string; include: string[] };
    expect(copied).toEqual(expect.arrayContaining([build.extends.replace(/^\.\//, ''), ...build.include]));
  });

  test('the runtime runs the compiled app as a non-root user, with a healthcheck on /health', async () => {
    const build = JSON.parse(read('tsconfig.build.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    const cmd = JSON.parse(instructions.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd[0]).toBe('node');
    const entry = cmd[1]!
      .replace(build.compilerOptions.outDir, build.compilerOptions.rootDir)
      .replace(/\.js$/, '.ts');
    expect(existsSync(path.join(ROOT, entry))).toBe(true);
    expect(instructions).toContain('USER node');
    const healthcheck = instructions.find((line) => line.startsWith('HEALTHCHECK '))!;
    const probed = /\/health\b/.exec(healthcheck)?.[0];
    expect(probed).toBe('/health');
    expect(await statusOf(probed!)).toBe(200);
    expect(JSON.parse(read('package.json')).type).toBe('module'); // copied: dist/ is ES modules
  });

  test("the repository's own .github/freshbase.yml is valid and selects the Dockerfile", () => {
    const result = parseConfigYaml(read('.github/freshbase.yml'));
    expect(result.ok).toBe(true);
    if (result.ok) expect(isPathSelected(result.config, 'Dockerfile')).toBe(true);
  });
});

test('docker-compose.yml: the app reads .env and reaches the compose Redis', () => {
  const compose = parse(read('docker-compose.yml'));
  expect(compose.services.app.env_file).toBe('.env');
  expect(compose.services.app.build).toBe('.');
  const redisUrl = new URL(compose.services.app.environment.REDIS_URL as string);
  expect(redisUrl.hostname).toBe('redis');
  expect(Object.keys(compose.services)).toContain('redis');
  expect(compose.services.redis.command).toEqual(
    expect.arrayContaining(['--maxmemory-policy', 'noeviction']),
  );
});

test('deploy/kubernetes.yaml: a Deployment and a Service that agree with the image and the routes', async () => {
  const docs = parseAllDocuments(read('deploy/kubernetes.yaml')).map((d) => d.toJS());
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const service = docs.find((d) => d.kind === 'Service');
  expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
  const labels = deployment.spec.template.metadata.labels;
  expect(deployment.spec.selector.matchLabels).toEqual(labels);
  expect(service.spec.selector).toEqual(labels);
  const [container] = deployment.spec.template.spec.containers;
  const exposed = Number(/^EXPOSE (\d+)/m.exec(dockerfile)![1]);
  const http = container.ports.find((p: { name: string }) => p.name === service.spec.ports[0].targetPort);
  expect(http.containerPort).toBe(exposed);
  expect(container.livenessProbe.httpGet.path).toBe('/health');
  expect(container.readinessProbe.httpGet.path).toBe('/ready');
  for (const probe of [container.livenessProbe, container.readinessProbe]) {
    expect(await statusOf(probe.httpGet.path)).toBe(200);
  }
  expect(await statusOf(deployment.spec.template.metadata.annotations['prometheus.io/path'])).toBe(200);
  expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
});
