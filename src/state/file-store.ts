// The default state store: one append-only JSON-lines file under the data directory, needing
// nothing but Node. Each record is one line written with a single O_APPEND write, so processes
// sharing the directory (the app and `freshbase scan`, two CLI runs) can all append; the first line
// for a key wins, for every reader. When the file holds more than `maxEntries` records, the oldest
// are dropped by an atomic rewrite (temporary file + rename) under a lock file; a process that
// appended to the old file in that instant loses its record, which only delays (see types.ts).
import { link, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import { errorMessage } from '../errors.js';
import type { StateLogger, StateStore } from './types.js';

export const STATE_FILE = 'state.jsonl';
const HEADER = JSON.stringify({ freshbase: 'state', version: 1 });
/** Enough for every digest of a large fleet; a record is a few hundred bytes. */
export const DEFAULT_MAX_ENTRIES = 100_000;
/** A line longer than this is not one this code wrote. */
const MAX_LINE_BYTES = 4096;
/** A file this large is not one this code wrote either (maxEntries × MAX_LINE_BYTES is far below). */
const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Records are appended in writes of at most this many bytes (whole lines). */
const APPEND_CHUNK_BYTES = 64 * 1024;
/** A lock file older than this was left by a process that died while rewriting. */
const STALE_LOCK_MS = 60_000;

interface Record {
  n: string;
  k: string;
  v: string;
}

function isRecord(value: unknown): value is Record {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { [key: string]: unknown };
  return typeof r.n === 'string' && typeof r.k === 'string' && typeof r.v === 'string';
}

export interface FileStoreOptions {
  /** The data directory (created if missing). */
  directory: string;
  log: StateLogger;
  maxEntries?: number;
}

const slot = (namespace: string, key: string): string => `${namespace}\0${key}`;

export function createFileStateStore(options: FileStoreOptions): StateStore {
  const file = path.join(options.directory, STATE_FILE);
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const log = options.log;
  /** Records by namespace\0key, in file order (oldest first), as far as `offset` was read. */
  let records = new Map<string, string>();
  let offset = 0;
  let inode: number | null = null;
  let opened = false;
  /** The file ended in a fragment of a line when last read (a write cut short by a crash). */
  let fragment = false;
  // One operation at a time in this process; other processes are handled through the file.
  const serial = pLimit(1);

  function apply(text: string): { consumed: number; bad: number } {
    const end = text.lastIndexOf('\n') + 1; // a line still being written is read next time
    let bad = 0;
    for (const line of text.slice(0, end).split('\n')) {
      if (line === '' || line === HEADER) continue;
      let parsed: unknown;
      try {
        parsed = line.length <= MAX_LINE_BYTES ? JSON.parse(line) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!isRecord(parsed)) {
        bad++;
        continue;
      }
      const at = slot(parsed.n, parsed.k);
      if (!records.has(at)) records.set(at, parsed.v);
    }
    return { consumed: Buffer.byteLength(text.slice(0, end)), bad };
  }

  async function moveAside(reason: string): Promise<void> {
    const aside = `${file}.corrupt-${Date.now()}`;
    log.warn(
      `state file ${file} ${reason}: moved to ${aside}, starting with an empty store ` +
        '(first-seen times start again, so updates under minimumReleaseAge wait longer; none is proposed early)',
    );
    await rename(file, aside).catch(() => rm(file, { force: true }));
  }

  /**
   * A fresh file with the header, unless another process made one first. Written aside and linked
   * into place, so no process ever appends to a file whose header is still to be written.
   */
  async function create(): Promise<void> {
    const temporary = `${file}.${randomUUID()}.new`;
    await writeFile(temporary, `${HEADER}\n`);
    try {
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** Reads what other processes appended since last time; reloads a file that was rewritten. */
  async function sync(): Promise<void> {
    if (!opened) {
      await mkdir(options.directory, { recursive: true });
      opened = true;
    }
    let info = await stat(file).catch(() => null);
    if (info === null) {
      await create();
      info = await stat(file);
    }
    if (info.size > MAX_FILE_BYTES) {
      await moveAside(`is ${info.size} bytes, more than this store ever writes`);
      return resetAndSync();
    }
    if (info.ino !== inode) {
      records = new Map();
      offset = 0;
      inode = info.ino;
    }
    if (info.size <= offset) return;
    fragment = false;
    const handle = await open(file, 'r');
    let text: string;
    try {
      const buffer = Buffer.alloc(info.size - offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
    if (offset === 0 && !text.startsWith(`${HEADER}\n`)) {
      if (text.length <= HEADER.length) return; // the header itself is still being written
      await moveAside('is not a Freshbase state file (or is corrupt)');
      return resetAndSync();
    }
    const { consumed, bad } = apply(text);
    offset += consumed;
    fragment = consumed < Buffer.byteLength(text);
    if (bad > 0)
      log.warn(`state file ${file}: ${bad} unreadable line(s) skipped (those records start again)`);
  }

  async function resetAndSync(): Promise<void> {
    records = new Map();
    offset = 0;
    inode = null;
    await create();
    return sync();
  }

  /**
   * Appends whole lines, each write under APPEND_CHUNK_BYTES: an O_APPEND write lands whole at the
   * end, so other processes' lines fall between ours, never inside one.
   */
  async function append(lines: string[]): Promise<void> {
    const handle = await open(file, 'a');
    try {
      // Ends a fragment left by a crash, so our first line is not glued to it (an empty line is skipped).
      let chunk = fragment ? '\n' : '';
      for (const line of lines) {
        if (chunk.length > 0 && chunk.length + line.length > APPEND_CHUNK_BYTES) {
          await handle.write(chunk);
          chunk = '';
        }
        chunk += line;
      }
      if (chunk.length > 0) await handle.write(chunk);
    } finally {
      await handle.close();
    }
  }

  /** Drops the oldest records over the bound; skipped while another process holds the lock. */
  async function compact(): Promise<void> {
    const lock = `${file}.lock`;
    const held = await writeFile(lock, String(process.pid), { flag: 'wx' }).then(
      () => true,
      async () => {
        const info = await stat(lock).catch(() => null);
        if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await rm(lock, { force: true });
        return false;
      },
    );
    if (!held) return;
    try {
      await sync();
      const kept = [...records].slice(records.size - Math.floor(maxEntries * 0.9));
      const lines = kept.map(([at, v]) => {
        const cut = at.indexOf('\0');
        return JSON.stringify({ n: at.slice(0, cut), k: at.slice(cut + 1), v });
      });
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, `${[HEADER, ...lines].join('\n')}\n`);
      await rename(temporary, file);
      await sync();
    } finally {
      await rm(lock, { force: true });
    }
  }

  return {
    putIfAbsent: (namespace, entries) =>
      serial(async () => {
        try {
          await sync();
          const missing = new Map<string, string>();
          for (const [key, value] of entries) {
            const at = slot(namespace, key);
            if (!records.has(at) && !missing.has(key)) missing.set(key, value);
          }
          if (missing.size > 0) {
            await append([...missing].map(([k, v]) => `${JSON.stringify({ n: namespace, k, v })}\n`));
            await sync(); // reads our lines back, after any another process wrote first
            if (records.size > maxEntries) await compact();
          }
          // A record dropped by a concurrent rewrite answers with the value just offered.
          return entries.map(([key, value]) => records.get(slot(namespace, key)) ?? value);
        } catch (error) {
          throw new Error(`state file ${file}: ${errorMessage(error)}`, { cause: error });
        }
      }),
    close: async () => undefined,
  };
}
