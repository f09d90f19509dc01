// Reads a local checkout the way the app reads a repository: config file, then selected files.
import { MAX_DOCKERFILE_BYTES, readDockerfileText } from '../dockerfile/source-text.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_PATH, MAX_CONFIG_BYTES } from '../config/load.js';
import { isPathSelected } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import type { RepoFile } from '../plan/types.js';
import { errorMessage } from '../errors.js';
import { readRegularFile, RefusedFileError } from './regular-file.js';

const NEVER_DESCEND = new Set(['.git', 'node_modules']);

/**
 * Repository-relative paths (forward slashes) of every entry under `root` that is not a directory:
 * regular files, and also links, FIFOs and devices, so that a selected one is reported as not read
 * rather than passed over. Linked directories are not descended into.
 */
async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relDir: string): Promise<void> => {
    const entries = await readdir(path.join(root, relDir), { withFileTypes: true });
    for (const entry of entries) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!NEVER_DESCEND.has(entry.name)) await walk(rel);
      } else {
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
      const { bytes, size } = await readRegularFile(abs, { maxBytes: MAX_DOCKERFILE_BYTES, checkout: root });
      const read = readDockerfileText(bytes, size);
      if (read.ok) files.push({ path: rel, content: read.text });
      else unreadable.push({ path: rel, error: read.detail });
    } catch (err) {
      unreadable.push({ path: rel, error: errorMessage(err) });
    }
  }
  return { files, unreadable };
}

/**
 * The config file's text (or that of `rel`), or null when the directory has none. Throws a
 * RefusedFileError, whose message starts with `rel`, for a link, a FIFO, a device, a file outside
 * the checkout or one over the size limit; its content is never part of the message.
 */
export async function readConfigText(root: string, rel = CONFIG_PATH): Promise<string | null> {
  let read;
  try {
    read = await readRegularFile(path.join(root, rel), { maxBytes: MAX_CONFIG_BYTES, checkout: root });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (err instanceof RefusedFileError) throw new RefusedFileError(`${rel}: ${err.message}`);
    throw new RefusedFileError(`${rel}: cannot read (${code ?? errorMessage(err)})`);
  }
  if (read.size > MAX_CONFIG_BYTES) {
    throw new RefusedFileError(
      `${rel}: ${read.size} bytes, more than the limit of ${MAX_CONFIG_BYTES}; not read`,
    );
  }
  return read.bytes.toString('utf8');
}
