// The in-process store of the GitHub read cache and of the registry lookup cache. GitHub's answers
// are verbose JSON (URLs and user objects repeated) and a sweep keeps a validator and a body for
// every read of every repository; held as JavaScript strings they would be a 10,000-repository
// org's largest live object, and V8 grows its heap to a multiple of what lives in it. A registry's
// tag lists and indexes come from whatever registry a Dockerfile names. So each value is kept
// deflated in a Buffer (outside the JS heap), under a fixed-length hash of its key, in an LRU
// bounded by those bytes.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './cache-store.js';

/** What an entry costs on V8's heap besides its bytes: the Buffer object, key string, LRU slots. */
export const ENTRY_OVERHEAD_BYTES = 512;
/** At most this many entries, whatever their size. */
export const MAX_ENTRIES = 50_000;

/** 132 bits of SHA-256 (22 base64url characters): keys name URLs, which are long. */
function shortKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

export class CompactMemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, Buffer>;

  /**
   * `maxBytes`: bound on the deflated entries, their keys and a fixed overhead each; an entry over
   * a tenth of it is not kept. `hashKey`: the key's stand-in (tests give one that collides).
   */
  constructor(
    maxBytes: number,
    private readonly hashKey: (key: string) => string = shortKey,
  ) {
    this.entries = new LRUCache<string, Buffer>({
      max: MAX_ENTRIES,
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 10)),
      sizeCalculation: (value, key) => value.length + key.length + ENTRY_OVERHEAD_BYTES,
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const deflated = this.entries.get(this.hashKey(key));
    if (!deflated) return undefined;
    // The full key is stored beside the value: a hash collision answers nothing, never another's answer.
    const [storedKey, value] = JSON.parse(inflateRawSync(deflated).toString('utf8')) as [string, T];
    return storedKey === key ? value : undefined;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    // Copied out to a buffer of its own: zlib's result is a view on its 16 KiB output chunk, and a
    // small Buffer.from() is a slice of a shared 8 KiB pool slab; either would keep far more alive.
    const output = deflateRawSync(JSON.stringify([key, value]));
    const deflated = Buffer.allocUnsafeSlow(output.length);
    output.copy(deflated);
    this.entries.set(this.hashKey(key), deflated, { ttl: ttlMs });
  }

  /** Bytes counted against the bound (deflated entries, keys and overheads). */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
