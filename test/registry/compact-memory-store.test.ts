// The GitHub read cache's in-process store: values come back as they went in, the byte bound
// counts deflated bytes plus a heap overhead per entry and evicts the least recently used, the
// entries are bounded in number too, a hash collision answers nothing, and verbose JSON is kept
// compressed.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CompactMemoryCacheStore,
  ENTRY_OVERHEAD_BYTES,
  MAX_ENTRIES,
} from '../../src/registry/compact-memory-store.js';

const HOUR = 3600_000;

test('a value comes back equal, and not the same object', async () => {
  const store = new CompactMemoryCacheStore(1 << 20);
  const value = { status: 200, body: '{"a":[1,2,3]}', headers: { etag: 'W/"x"' }, at: 5 };
  await store.set('k', value, HOUR);
  const got = await store.get<typeof value>('k');
  expect(got).toEqual(value);
  expect(got).not.toBe(value);
  expect(await store.get('other')).toBeUndefined();
});

test('GitHub-like JSON is held in a fraction of its length', async () => {
  const store = new CompactMemoryCacheStore(1 << 20);
  const pulls = Array.from({ length: 20 }, (_, n) => ({
    number: n,
    url: `https://api.github.com/repos/acme/app/pulls/${n}`,
    user: { login: 'freshbase[bot]', type: 'Bot', url: 'https://api.github.com/users/freshbase%5Bbot%5D' },
    head: { ref: `freshbase/update-${n}`, repo: { full_name: 'acme/app', private: false } },
  }));
  const body = JSON.stringify(pulls);
  await store.set('pulls', { body }, HOUR);
  expect(store.bytes - ENTRY_OVERHEAD_BYTES).toBeLessThan(body.length / 4);
});

test('the bound is in stored bytes and overheads: the least recently used go first', async () => {
  // Random base64 deflates to about 3/4: each entry counts ~230 bytes + the overhead, of 10,000.
  const values = Array.from({ length: 20 }, () => ({ body: randomBytes(200).toString('base64') }));
  const store = new CompactMemoryCacheStore(10_000);
  for (const [i, value] of values.entries()) await store.set(`k${i}`, value, HOUR);
  expect(store.bytes).toBeLessThanOrEqual(10_000);
  expect(store.bytes).toBeGreaterThan(8000);
  expect(await store.get('k19')).toEqual(values[19]);
  expect(await store.get('k0')).toBeUndefined();
});

test('each entry counts a fixed overhead besides its bytes: many small ones are bounded', async () => {
  const store = new CompactMemoryCacheStore(100 * ENTRY_OVERHEAD_BYTES);
  for (let i = 0; i < 200; i++) await store.set(`k${i}`, { v: i }, HOUR);
  expect(store.bytes).toBeGreaterThan(90 * ENTRY_OVERHEAD_BYTES);
  expect(await store.get('k199')).toEqual({ v: 199 });
  expect(await store.get('k0')).toBeUndefined();
});

test('the entries are bounded in number whatever their size', async () => {
  const store = new CompactMemoryCacheStore(2 ** 40);
  for (let i = 0; i <= MAX_ENTRIES; i++) await store.set(`k${i}`, i, HOUR);
  expect(await store.get(`k${MAX_ENTRIES}`)).toBe(MAX_ENTRIES);
  expect(await store.get('k0')).toBeUndefined();
});

test("keys whose hashes collide never get each other's values", async () => {
  const store = new CompactMemoryCacheStore(1 << 20, () => 'same');
  await store.set('installation 1: acme/app', { body: 'private' }, HOUR);
  expect(await store.get('installation 2: other/app')).toBeUndefined();
  expect(await store.get('installation 1: acme/app')).toEqual({ body: 'private' });
});

test('a value larger than a tenth of the bound is not kept', async () => {
  const store = new CompactMemoryCacheStore(10_000);
  await store.set('big', { body: randomBytes(600).toString('base64') }, HOUR);
  await store.set('small', { body: 'x' }, HOUR);
  expect(await store.get('big')).toBeUndefined();
  expect(await store.get('small')).toEqual({ body: 'x' });
});

test('an entry past its time to live is gone', async () => {
  const store = new CompactMemoryCacheStore(1 << 20);
  await store.set('short', { v: 1 }, 5);
  await store.set('long', { v: 2 }, HOUR);
  await delay(30);
  expect(await store.get('short')).toBeUndefined();
  expect(await store.get('long')).toEqual({ v: 2 });
});
