// FRESHBASE_SCAN_CRON and the sweep that enqueues every installation's repositories.
import nock from 'nock';
import type { Logger } from 'probot';
import {
  DEFAULT_SCAN_CRON,
  enqueueAllInstallations,
  readScanCron,
  startScheduler,
} from '../../src/app/scheduler.js';
import { listInstallationJobs } from '../../src/app/installations.js';
import { createTestProbot, RecordingQueue } from './helpers.js';

const silentLog = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
} as unknown as Logger;

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('readScanCron', () => {
  test('defaults, off, and valid patterns', () => {
    expect(readScanCron({})).toBe(DEFAULT_SCAN_CRON);
    expect(readScanCron({ FRESHBASE_SCAN_CRON: '' })).toBe(DEFAULT_SCAN_CRON);
    expect(readScanCron({ FRESHBASE_SCAN_CRON: 'off' })).toBeNull();
    expect(readScanCron({ FRESHBASE_SCAN_CRON: 'OFF' })).toBeNull();
    expect(readScanCron({ FRESHBASE_SCAN_CRON: '0 3 * * 1' })).toBe('0 3 * * 1');
  });

  test.each(['every day', '61 * * * *', '* * *'])('invalid %j names the variable', (value) => {
    expect(() => readScanCron({ FRESHBASE_SCAN_CRON: value })).toThrow(
      /^FRESHBASE_SCAN_CRON: invalid cron pattern/,
    );
  });
});

const token = { token: 'ghs_test', expires_at: '2999-01-01T00:00:00Z', permissions: {} };

test('the sweep enqueues one listing job per installation, skipping suspended ones, all with its start', async () => {
  const scope = nock('https://api.github.com')
    .get('/app/installations')
    .query(true)
    .reply(200, [
      { id: 1, account: { login: 'acme' }, suspended_at: null },
      { id: 2, account: { login: 'globex' }, suspended_at: null },
      { id: 3, account: { login: 'gone' }, suspended_at: '2024-01-01T00:00:00Z' },
    ]);
  const queue = new RecordingQueue();
  const before = Date.now();
  expect(await enqueueAllInstallations(createTestProbot(), queue, silentLog)).toBe(2);
  // Every job of one sweep carries the sweep's start, so each tag is looked up once per sweep.
  const sweepStart = queue.installations[0]!.requestedAt;
  expect(sweepStart).toBeGreaterThanOrEqual(before);
  expect(queue.installations).toEqual([
    { installationId: 1, reason: 'schedule', requestedAt: sweepStart },
    { installationId: 2, reason: 'schedule', requestedAt: sweepStart },
  ]);
  expect(queue.jobs).toEqual([]);
  scope.done();
});

test("an installation's listing skips archived and disabled repositories", async () => {
  const repo = (name: string, archived = false, disabled = false) => ({
    name,
    owner: { login: 'acme' },
    archived,
    disabled,
  });
  const scope = nock('https://api.github.com')
    .post('/app/installations/1/access_tokens')
    .reply(201, token)
    .get('/installation/repositories')
    .query(true)
    .reply(200, {
      total_count: 3,
      repositories: [repo('api'), repo('legacy', true), repo('frozen', false, true)],
    });
  expect(await listInstallationJobs(createTestProbot(), 1, 'schedule', 42)).toEqual([
    { installationId: 1, owner: 'acme', repo: 'api', reason: 'schedule', requestedAt: 42 },
  ]);
  scope.done();
});

test('the in-process schedule calls the sweep on its ticks and stops', async () => {
  let sweeps = 0;
  const scheduler = await startScheduler({
    cron: '* * * * * *',
    log: silentLog,
    sweep: async () => void (sweeps += 1),
  });
  await new Promise((resolve) => setTimeout(resolve, 2100));
  await scheduler.stop();
  const seen = sweeps;
  expect(seen).toBeGreaterThanOrEqual(1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect(sweeps).toBe(seen);
});

test('with a distributed queue the schedule is handed to it, including off', async () => {
  const set: Array<string | null> = [];
  const distributed = { scheduleSweep: async (pattern: string | null) => void set.push(pattern) };
  await startScheduler({ cron: '0 * * * *', log: silentLog, sweep: async () => undefined, distributed });
  await startScheduler({ cron: null, log: silentLog, sweep: async () => undefined, distributed });
  expect(set).toEqual(['0 * * * *', null]);
});
