// Reading a file the command line was pointed at, without trusting the filesystem: only regular
// files (a FIFO would block, a device may never end), at most a bounded number of bytes, and for
// files found in a checkout no symbolic link and no path that resolves outside the checkout.
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A file that was refused before any of its bytes were read; the message says why. */
export class RefusedFileError extends Error {
  override name = 'RefusedFileError';
}

export interface BoundedFile {
  /** At most `maxBytes + 1` bytes: one more than the limit says the file is over it. */
  bytes: Buffer;
  /** The file's size as far as known: its stat size, or the bytes read when that is more. */
  size: number;
}

export interface ReadOptions {
  maxBytes: number;
  /**
   * The checkout the file belongs to: a symbolic link is then refused, and so is a path whose
   * real location (through linked directories) is outside it. Without it (a file named explicitly
   * on the command line) a link is followed, since the user chose that path.
   */
  checkout?: string;
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return (
    relative !== '' &&
    !relative.startsWith(`..${path.sep}`) &&
    relative !== '..' &&
    !path.isAbsolute(relative)
  );
}

/**
 * The path's stats once it is known to be a regular file (inside `checkout`, when given, and not a
 * symbolic link); otherwise a RefusedFileError whose message ends with `not <verb>`.
 */
async function checkRegularFile(file: string, checkout: string | undefined, verb: string): Promise<Stats> {
  const checked = checkout ? await lstat(file) : await stat(file);
  if (!checked.isFile()) throw new RefusedFileError(`${kindOf(checked)}, not a regular file; not ${verb}`);
  if (checkout) {
    const [root, real] = await Promise.all([realpath(checkout), realpath(file)]);
    if (!isInside(root, real))
      throw new RefusedFileError(`its real path is outside the checkout; not ${verb}`);
  }
  return checked;
}

const sameFile = (a: Stats, b: Stats): boolean => a.isFile() && a.ino === b.ino && a.dev === b.dev;

/**
 * The file's bytes, read through one descriptor up to `maxBytes + 1`. A path that is not a regular
 * file is refused from its (l)stat alone, never opened; the descriptor is opened non-blocking and
 * without following a final link, and must be the very file that was checked.
 */
export async function readRegularFile(file: string, options: ReadOptions): Promise<BoundedFile> {
  const checked = await checkRegularFile(file, options.checkout, 'read');
  const noFollow = options.checkout ? (constants.O_NOFOLLOW ?? 0) : 0;
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | noFollow);
  try {
    const opened = await handle.stat();
    if (!sameFile(opened, checked)) {
      throw new RefusedFileError('changed while being read; not read');
    }
    let chunk = Buffer.alloc(Math.min(options.maxBytes + 1, Math.max(opened.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === chunk.length) {
        if (chunk.length > options.maxBytes) break;
        // A file whose stat size was short (a file growing, /proc): grow up to the limit only.
        const bigger = Buffer.alloc(Math.min(options.maxBytes + 1, chunk.length * 2));
        chunk.copy(bigger, 0, 0, length);
        chunk = bigger;
      }
      const { bytesRead } = await handle.read(chunk, length, chunk.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { bytes: chunk.subarray(0, length), size: Math.max(opened.size, length) };
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the text of a regular file inside `checkout`, checked again at write time: a symbolic
 * link (or anything else) swapped in since the file was read is refused with a RefusedFileError and
 * nothing is written, to it or through it. The descriptor is opened without following a final link
 * and without truncating, and only once it is the very file that was checked is it truncated.
 */
export async function writeRegularFile(file: string, text: string, checkout: string): Promise<void> {
  const checked = await checkRegularFile(file, checkout, 'written');
  let handle;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_NONBLOCK | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    // ELOOP: the path became a link between the check and the open.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new RefusedFileError('a symbolic link, not a regular file; not written');
    throw err;
  }
  try {
    if (!sameFile(await handle.stat(), checked)) {
      throw new RefusedFileError('changed while being written; not written');
    }
    await handle.truncate(0);
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
}
