// The in-process store of the GitHub read cache. GitHub's answers are verbose JSON (URLs and user
// objects repeated) and a sweep keeps a validator and a body for every read of every repository;
// held as JavaScript strings they would be a 10,000-repository org's largest live object, and V8
// grows its heap to a multiple of what lives in it. So each value is kept deflated in a Buffer
// (outside the JS heap), under a fixed-length hash of its key, in an LRU bounded by those bytes.
import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { CacheStore } from '../registry/cache-store.js';

/** 128 bits of SHA-256: keys name URLs (long), and no two of a process's keys collide in practice. */
function shortKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

export class CompactMemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, Buffer>;

  /** `maxBytes`: bound on the deflated values (and their keys); a value over a tenth of it is not kept. */
  constructor(maxBytes: number) {
    this.entries = new LRUCache<string, Buffer>({
      maxSize: maxBytes,
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 10)),
      sizeCalculation: (value, key) => value.length + key.length,
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const deflated = this.entries.get(shortKey(key));
    return deflated && (JSON.parse(inflateRawSync(deflated).toString('utf8')) as T);
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    // Copied out to a buffer of its own: zlib's result is a view on its 16 KiB output chunk, and a
    // small Buffer.from() is a slice of a shared 8 KiB pool slab; either would keep far more alive.
    const output = deflateRawSync(JSON.stringify(value));
    const deflated = Buffer.allocUnsafeSlow(output.length);
    output.copy(deflated);
    this.entries.set(shortKey(key), deflated, { ttl: ttlMs });
  }

  /** Bytes held (deflated values and keys): what the bound limits. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
