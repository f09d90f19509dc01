// `freshbase sweep` without REDIS_URL scans in its own process and needs no queue: BullMQ and
// ioredis (about 25 MB of a sweep's RSS) must not even be loaded. The built command runs in a child,
// started as operators start it (bin/freshbase.js by its `#!/usr/bin/env -S node …` line), with a
// module-resolution hook that writes down every module it resolves and the flags node was given.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launcherNodeFlags } from '../support/node-flags.js';
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
import { appendFileSync } from 'node:fs';
appendFileSync(process.env.RESOLVED_LOG, 'flags ' + process.execArgv.join(' ') + '\\n');
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));`;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-sweep-modules-'));
  await buildOnce();
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Runs `freshbase sweep` with `env`: what node was given and resolved, and its stderr. */
async function sweepModules(env: NodeJS.ProcessEnv) {
  const log = path.join(scratch, `resolved-${Date.now()}.txt`);
  // The hook rides in NODE_OPTIONS, so the launcher's own line starts node.
  const NODE_OPTIONS = `--import data:text/javascript,${encodeURIComponent(REGISTER)}`;
  const stderr = await new Promise<string>((resolve) => {
    execFile(
      path.join(ROOT, 'bin/freshbase.js'),
      ['sweep'],
      { cwd: ROOT, env: { PATH: process.env.PATH, RESOLVED_LOG: log, NODE_OPTIONS, ...env } },
      (_, __, err) => resolve(err),
    );
  });
  const lines = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
  const flags = lines.find((line) => line.startsWith('flags '))?.slice('flags '.length);
  return { flags, modules: lines.filter((line) => !line.startsWith('flags ')), stderr };
}

const queueModules = (modules: string[]) =>
  modules.filter((url) => /\/node_modules\/(bullmq|ioredis)\//.test(url));

test('a sweep without REDIS_URL, started by the launcher with its V8 flags, loads neither BullMQ nor ioredis', async () => {
  // No app credentials: the sweep stops at its environment (exit 2), after its modules are loaded.
  const { flags, modules, stderr } = await sweepModules({});
  expect(stderr).toMatch(/freshbase sweep: /);
  expect(flags).toBe(launcherNodeFlags(ROOT).join(' '));
  expect(modules.some((url) => url.endsWith('/dist/cli/sweep.js'))).toBe(true);
  expect(queueModules(modules)).toEqual([]);
});
