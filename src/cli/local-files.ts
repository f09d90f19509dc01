// Reads a local checkout the way the app reads a repository: config file, then selected files.
import { readDockerfileText, sizeProblem } from '../dockerfile/source-text.js';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_PATH } from '../config/load.js';
import { isPathSelected } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import type { RepoFile } from '../plan/types.js';
import { errorMessage } from '../errors.js';

const NEVER_DESCEND = new Set(['.git', 'node_modules']);

/** Repository-relative paths (forward slashes) of every regular file under `root`. */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!NEVER_DESCEND.has(entry.name)) await walk(rel);
      } else if (entry.isFile()) {
        out.push(rel);
      }
    }
  };
  await walk('');
  return out.sort();
}

export interface LocalFiles {
  files: RepoFile[];
  /** Selected files that could not be read, with why. */
  unreadable: Array<{ path: string; error: string }>;
}

export async function readSelectedFiles(root: string, config: RepoConfig): Promise<LocalFiles> {
  const files: RepoFile[] = [];
  const unreadable: LocalFiles['unreadable'] = [];
  for (const rel of (await listFiles(root)).filter((p) => isPathSelected(config, p))) {
    const abs = path.join(root, rel);
    try {
      const tooLarge = sizeProblem((await stat(abs)).size);
      if (tooLarge) {
        unreadable.push({ path: rel, error: tooLarge });
        continue;
      }
      const read = readDockerfileText(await readFile(abs));
      if (read.ok) files.push({ path: rel, content: read.text });
      else unreadable.push({ path: rel, error: read.detail });
    } catch (err) {
      unreadable.push({ path: rel, error: errorMessage(err) });
    }
  }
  return { files, unreadable };
}

/** The config file's text (or that of `rel`), or null when the directory has none. */
export async function readConfigText(root: string, rel = CONFIG_PATH): Promise<string | null> {
  try {
    return await readFile(path.join(root, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
