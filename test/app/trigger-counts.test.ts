// Per-repository trigger counts against a real redis-server: each is one small hash whose expiry is
// set on every write and renewed by every read, and always outlasts the result that answered it.
import { Redis } from 'ioredis';
import {
  countTrigger,
  readTriggers,
  resultKey,
  storeResult,
  triggerKey,
  TRIGGER_TTL_MS,
} from '../../src/app/trigger-counts.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { job } from './helpers.js';

const at = (repo: string, requestedAt: number) => ({ ...job(repo), requestedAt });

const DAY_MS = 24 * 60 * 60_000;

let redis: RedisServer;
let connection: Redis;
let queueName: string;

beforeAll(async () => {
  redis = await startRedisServer();
  connection = new Redis(redis.url);
});
afterAll(async () => {
  await connection?.quit();
  await redis?.stop();
});
beforeEach(() => {
  queueName = `test-${Math.random().toString(36).slice(2)}`;
});

/** Within a minute of the full expiry: set or renewed just now (the test never takes a minute). */
const renewed = (pttl: number) => pttl > TRIGGER_TTL_MS - 60_000 && pttl <= TRIGGER_TTL_MS;

test('the expiry outlasts a result and the longest delay a wake-up is given', () => {
  expect(TRIGGER_TTL_MS).toBeGreaterThan(DAY_MS);
  expect(TRIGGER_TTL_MS).toBeGreaterThan(2 ** 31 - 1);
});

test('each trigger counts, keeps the newest time, and renews the expiry', async () => {
  const key = triggerKey(queueName, 'acme/api');
  expect(await countTrigger(connection, queueName, at('api', 2_000))).toBe(1);
  // Not a sweep's: its number is kept as the latest trigger no sweep's pace may hold back.
  expect(await connection.hgetall(key)).toEqual({ count: '1', at: '2000', unpaced: '1' });
  expect(renewed(await connection.pttl(key))).toBe(true);

  await connection.pexpire(key, 5_000);
  // An older trigger time does not lower the newest; the expiry is set again in full.
  expect(await countTrigger(connection, queueName, at('api', 1_000))).toBe(2);
  expect(await connection.hgetall(key)).toEqual({ count: '2', at: '2000', unpaced: '2' });
  expect(renewed(await connection.pttl(key))).toBe(true);
  expect(await countTrigger(connection, queueName, at('api', 3_000))).toBe(3);
  expect(await connection.hget(key, 'at')).toBe('3000');
  // Another repository has its own key.
  expect(await countTrigger(connection, queueName, at('web', 1_000))).toBe(1);
});

test('a scan reading the count renews it, and storing its result renews it again', async () => {
  const key = triggerKey(queueName, 'acme/api');
  await countTrigger(connection, queueName, at('api', 2_000));
  await connection.pexpire(key, 5_000);
  expect(await readTriggers(connection, queueName, 'acme/api')).toEqual({
    count: 1,
    latest: 2_000,
    unpaced: 1,
    stored: null,
  });
  expect(renewed(await connection.pttl(key))).toBe(true);

  await connection.pexpire(key, 5_000);
  const kept = { answered: 1, requestedAt: 2_000, result: { ok: true } } as const;
  await storeResult(connection, queueName, 'acme/api', kept as never);
  expect(renewed(await connection.pttl(key))).toBe(true);
  const resultTtl = await connection.pttl(resultKey(queueName, 'acme/api'));
  expect(resultTtl).toBeGreaterThan(DAY_MS - 60_000);
  expect(resultTtl).toBeLessThanOrEqual(DAY_MS);
  expect((await readTriggers(connection, queueName, 'acme/api')).stored).toEqual(kept);
});

test('nothing is read for a repository never triggered, and no key is made for it', async () => {
  expect(await readTriggers(connection, queueName, 'acme/none')).toEqual({
    count: 0,
    latest: 0,
    unpaced: 0,
    stored: null,
  });
  expect(await connection.exists(triggerKey(queueName, 'acme/none'))).toBe(0);
});
