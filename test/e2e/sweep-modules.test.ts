// `freshbase sweep` without REDIS_URL scans in its own process and needs no queue: BullMQ and
// ioredis (about 25 MB of a sweep's RSS) must not even be loaded. The built command runs in a child
// with a module-resolution hook that writes down every module it resolves.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOnce, ROOT } from '../support/service-process.js';

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.RESOLVED_LOG, resolved.url + '\\n');
  return resolved;
}`;
const REGISTER = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-sweep-modules-'));
  await buildOnce();
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Runs `freshbase sweep` with `env`; the modules it resolved and its stderr. */
async function sweepModules(env: NodeJS.ProcessEnv): Promise<{ modules: string[]; stderr: string }> {
  const log = path.join(scratch, `resolved-${Date.now()}.txt`);
  const args = [
    '--import',
    `data:text/javascript,${encodeURIComponent(REGISTER)}`,
    'bin/freshbase.js',
    'sweep',
  ];
  const stderr = await new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: ROOT, env: { PATH: process.env.PATH, RESOLVED_LOG: log, ...env } },
      (_, __, err) => resolve(err),
    );
  });
  const modules = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  return { modules, stderr };
}

const queueModules = (modules: string[]) =>
  modules.filter((url) => /\/node_modules\/(bullmq|ioredis)\//.test(url));

test('a sweep without REDIS_URL loads neither BullMQ nor ioredis; its sweep code is loaded', async () => {
  // No app credentials: the sweep stops at its environment (exit 2), after its modules are loaded.
  const { modules, stderr } = await sweepModules({});
  expect(stderr).toMatch(/freshbase sweep: /);
  expect(modules.some((url) => url.endsWith('/dist/cli/sweep.js'))).toBe(true);
  expect(queueModules(modules)).toEqual([]);
});
