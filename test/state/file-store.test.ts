// The default state store: a JSON-lines file under the data directory, shared by processes.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createFileStateStore, STATE_FILE } from '../../src/state/file-store.js';
import { sightingKey } from '../../src/plan/lookups.js';
import { recordFirstSeen } from '../../src/state/first-seen.js';
import { temporaryDataDir } from '../support/state.js';

const sighting = (tag: string) =>
  sightingKey({
    registry: 'docker.io',
    repository: 'library/python',
    tag,
    digest: `sha256:${'a'.repeat(64)}`,
  });
const T1 = new Date('2026-11-01T00:00:00Z');
const T2 = new Date('2026-11-05T00:00:00Z');

function store(directory: string, warnings: string[] = [], maxEntries?: number) {
  return createFileStateStore({ directory, log: { warn: (m) => void warnings.push(m) }, maxEntries });
}

test('the first time recorded stays, across instances of the store (a restart)', async () => {
  const dir = temporaryDataDir();
  expect(await recordFirstSeen(store(dir), [sighting('3.12')], T1)).toEqual([T1]);
  const again = await recordFirstSeen(store(dir), [sighting('3.12'), sighting('3.13')], T2);
  expect(again).toEqual([T1, T2]);
});

test('two processes on one data directory agree: the first line written for a key wins', async () => {
  const dir = temporaryDataDir();
  const [a, b] = [store(dir), store(dir)];
  const [fromA, fromB] = await Promise.all([
    recordFirstSeen(a, [sighting('1'), sighting('2')], T1),
    recordFirstSeen(b, [sighting('2'), sighting('3')], T2),
  ]);
  // Whichever append landed first owns '2'; both answer the same, then and later.
  expect(fromA[1]).toEqual(fromB[0]);
  const later = await recordFirstSeen(store(dir), ['1', '2', '3'].map(sighting), new Date());
  expect(later).toEqual([T1, fromA[1], T2]);
});

test('a file that is not a state file is moved aside with a warning, and the store starts empty', async () => {
  const dir = temporaryDataDir();
  await writeFile(path.join(dir, STATE_FILE), 'PK\u0003\u0004 not json at all\n');
  const warnings: string[] = [];
  expect(await recordFirstSeen(store(dir, warnings), [sighting('3.12')], T2)).toEqual([T2]);
  expect(warnings).toEqual([
    expect.stringMatching(/is not a Freshbase state file .*starting with an empty store/),
  ]);
  expect((await readdir(dir)).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
});

test('unreadable lines are skipped with a warning; the rest is kept; a torn last line is not read yet', async () => {
  const dir = temporaryDataDir();
  await recordFirstSeen(store(dir), [sighting('1'), sighting('2')], T1);
  const file = path.join(dir, STATE_FILE);
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines[1] = '{"n":"first-seen","k":'; // a damaged record
  await writeFile(file, `${lines.join('\n')}{"n":"first-seen","k":"torn`);
  const warnings: string[] = [];
  const times = await recordFirstSeen(store(dir, warnings), [sighting('1'), sighting('2')], T2);
  expect(times).toEqual([T2, T1]);
  // The damaged record, then the torn one (ended before the new record was appended after it).
  expect(warnings).toEqual([
    expect.stringContaining('1 unreadable line(s) skipped'),
    expect.stringContaining('1 unreadable line(s) skipped'),
  ]);
  expect(await recordFirstSeen(store(dir), [sighting('1')], new Date())).toEqual([T2]);
});

test('a stored value that is not a time counts as seen now; a later time is kept (never earlier)', async () => {
  const dir = temporaryDataDir();
  const s = store(dir);
  await s.putIfAbsent('first-seen', [
    ['docker.io/library/python:1@sha256:' + 'a'.repeat(64), 'yesterday'],
    ['docker.io/library/python:2@sha256:' + 'a'.repeat(64), '2999-01-01T00:00:00.000Z'],
  ]);
  expect(await recordFirstSeen(s, [sighting('1'), sighting('2')], T2)).toEqual([
    T2,
    new Date('2999-01-01T00:00:00.000Z'),
  ]);
});

test('bounded: over maxEntries the oldest records are dropped by an atomic rewrite', async () => {
  const dir = temporaryDataDir();
  const s = store(dir, [], 10);
  for (let i = 0; i < 11; i++)
    await recordFirstSeen(s, [sighting(String(i))], new Date(T1.getTime() + i * 1000));
  const text = await readFile(path.join(dir, STATE_FILE), 'utf8');
  const records = text.trim().split('\n').slice(1);
  expect(records).toHaveLength(9);
  expect(text).not.toContain('python:0@');
  expect(text).toContain('python:10@');
  // Forgotten: seen again, it starts over (a delay, never an early proposal).
  expect(await recordFirstSeen(store(dir), [sighting('0')], T2)).toEqual([T2]);
  expect(await recordFirstSeen(store(dir), [sighting('10')], T2)).toEqual([new Date(T1.getTime() + 10_000)]);
  expect((await readdir(dir)).sort()).toEqual([STATE_FILE]);
});
