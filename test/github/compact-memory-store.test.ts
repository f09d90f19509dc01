// The GitHub read cache's in-process store: values come back as they went in, the byte bound
// counts deflated bytes and evicts the least recently used, and verbose JSON is kept compressed.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CompactMemoryCacheStore } from '../../src/github/compact-memory-store.js';

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
  expect(store.bytes).toBeLessThan(body.length / 4);
});

test('the bound is in stored bytes: the least recently used go first', async () => {
  // Random base64 deflates to about 3/4: each value takes ~230 bytes of a 3,000-byte bound.
  const values = Array.from({ length: 20 }, () => ({ body: randomBytes(200).toString('base64') }));
  const store = new CompactMemoryCacheStore(3000);
  for (const [i, value] of values.entries()) await store.set(`k${i}`, value, HOUR);
  expect(store.bytes).toBeLessThanOrEqual(3000);
  expect(store.bytes).toBeGreaterThan(2000);
  expect(await store.get('k19')).toEqual(values[19]);
  expect(await store.get('k0')).toBeUndefined();
});

test('a value larger than a tenth of the bound is not kept', async () => {
  const store = new CompactMemoryCacheStore(1000);
  await store.set('big', { body: randomBytes(150).toString('base64') }, HOUR);
  expect(await store.get('big')).toBeUndefined();
});

test('an entry past its time to live is gone', async () => {
  const store = new CompactMemoryCacheStore(1 << 20);
  await store.set('short', { v: 1 }, 5);
  await store.set('long', { v: 2 }, HOUR);
  await delay(30);
  expect(await store.get('short')).toBeUndefined();
  expect(await store.get('long')).toEqual({ v: 2 });
});
