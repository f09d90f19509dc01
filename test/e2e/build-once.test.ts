// The e2e tests' build (buildOnce) on a throwaway project whose `npm run build` copies src/ to dist/:
// dist/ is rebuilt from nothing, so a file removed from src/ cannot linger there, and a build newer
// than every source is reused.
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOnce } from '../support/service-process.js';

let root: string;

/** Copies src/ to dist/; fails if another build is running, and logs each build. */
const BUILD = `
import { appendFileSync, closeSync, cpSync, openSync, rmSync } from 'node:fs';
closeSync(openSync('building', 'wx'));
await new Promise((resolve) => setTimeout(resolve, 200));
cpSync('src', 'dist', { recursive: true });
appendFileSync('builds.log', 'built\\n');
rmSync('building');
`;

async function listed(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Every entry of src/ (and src/ itself) dated an hour ago, so any build is newer. */
async function ageSources(): Promise<void> {
  const past = new Date(Date.now() - 3_600_000);
  const src = path.join(root, 'src');
  for (const rel of ['', ...(await readdir(src, { recursive: true }))]) {
    await utimes(path.join(src, rel), past, past);
  }
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'freshbase-build-'));
  await writeFile(path.join(root, 'package.json'), JSON.stringify({ scripts: { build: 'node build.mjs' } }));
  await writeFile(path.join(root, 'build.mjs'), BUILD);
  await mkdir(path.join(root, 'src/app'), { recursive: true });
  await writeFile(path.join(root, 'src/app/main.js'), '');
  await writeFile(path.join(root, 'src/kept.js'), '');
  await writeFile(path.join(root, 'src/removed.js'), '');
  await mkdir(path.join(root, 'dist'));
  await writeFile(path.join(root, 'dist/stale.js'), 'left from an older build');
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test('builds into a fresh dist/, reuses a newer one, and rebuilds when a source is removed', async () => {
  await buildOnce(root);
  expect(await listed(path.join(root, 'dist'))).toEqual(['app/main.js', 'kept.js', 'removed.js']);

  await ageSources();
  await writeFile(path.join(root, 'dist/marker.js'), 'kept only if the build is reused');
  await buildOnce(root);
  expect(await listed(path.join(root, 'dist'))).toContain('marker.js');

  await ageSources();
  // Removing a file changes its directory's time, and nothing else.
  await rm(path.join(root, 'src/removed.js'));
  await buildOnce(root);
  expect(await listed(path.join(root, 'dist'))).toEqual(['app/main.js', 'kept.js']);
});

test('builds run one at a time: a second caller waits, then finds the build fresh', async () => {
  await ageSources();
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  await rm(path.join(root, 'builds.log'), { force: true });
  await Promise.all([buildOnce(root), buildOnce(root), buildOnce(root)]);
  expect(await listed(path.join(root, 'dist'))).toEqual(['app/main.js', 'kept.js']);
  expect(await readFile(path.join(root, 'builds.log'), 'utf8')).toBe('built\n');
  expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
});
