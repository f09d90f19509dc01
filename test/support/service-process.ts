// The app as operators run it (`npm start` = build, then `node dist/app/main.js`), in child
// processes: the build is made once per test run and only when src/ changed since, then each
// replica is started from it with its own environment, and its JSON log lines are kept for failures.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The built entry point, relative to the project root. */
const MAIN = 'dist/app/main.js';

/** Newest change under `dir`, directories included: removing or renaming a file changes its directory. */
async function newestMtime(dir: string): Promise<number> {
  let newest = (await stat(dir)).mtimeMs;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() || entry.isDirectory())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** A lock left by a killed test run is taken over after this long (a build takes well under it). */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * Runs `task` holding `<root>/.tmp/build-lock`: jest runs test files in parallel workers, and one
 * worker clearing dist/ must not pull it from under another's build or running service.
 */
async function whileLocked(root: string, task: () => Promise<void>): Promise<void> {
  const lock = path.join(root, '.tmp/build-lock');
  await mkdir(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lock).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      );
      if (Date.now() - since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await task();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * `npm run build` (what `npm start` runs first) into a fresh dist/, skipped when dist/ is newer than
 * every source and every directory of src/. Cleared first, so a file removed from src/ cannot
 * survive in dist/ for a test to pass against; one build at a time.
 */
export async function buildOnce(root = ROOT): Promise<void> {
  await whileLocked(root, async () => {
    const built = await stat(path.join(root, MAIN)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    if (built > (await newestMtime(path.join(root, 'src')))) return;
    await rm(path.join(root, 'dist'), { recursive: true, force: true });
    await promisify(execFile)('npm', ['run', 'build'], { cwd: root });
  });
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Log output so far (stdout and stderr). */
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<number | null>;
}

export function startService(name: string, env: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, [path.join(ROOT, MAIN)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    name,
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until GET `url` answers 200 (the service is up), failing with the process's log. */
export async function waitUntilServing(service: ServiceProcess, url: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode}):\n${service.output()}`);
    }
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service.name} did not serve ${url} within ${timeoutMs} ms:\n${service.output()}`);
}
