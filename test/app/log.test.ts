// One `name` key per log line: Probot names its children (`probot`, `http`, …) and so does
// Freshbase (`freshbase`, `registry`, …); pino alone would print every one of them on the line.
import { Writable } from 'node:stream';
import { Probot } from 'probot';
import { pino } from 'pino';
import { withSingleBindings } from '../../src/app/log.js';
import { APP_ID, privateKey, TestOctokit } from './helpers.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, root: pino({ level: 'info' }, stream) };
}

const nameKeys = (line: string) => line.match(/"name":/g)?.length ?? 0;

test('through Probot and Freshbase children, each line has one name: the innermost', async () => {
  const { lines, root } = capture();
  const probot = await new Probot({
    appId: APP_ID,
    privateKey,
    Octokit: TestOctokit,
    log: withSingleBindings(root, { name: 'probot' }),
  }).ready();
  probot.log.info('from probot');
  const freshbase = probot.log.child({ name: 'freshbase' });
  freshbase.info('from freshbase');
  freshbase.child({ name: 'registry', host: 'ghcr.io' }).warn('from the registry');
  freshbase.child({ repo: 'acme/app' }).info('a repository');

  expect(lines).toHaveLength(4);
  expect(lines.map(nameKeys)).toEqual([1, 1, 1, 1]);
  expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
    { name: 'probot', msg: 'from probot' },
    { name: 'freshbase', msg: 'from freshbase' },
    { name: 'registry', host: 'ghcr.io', msg: 'from the registry', level: 40 },
    { name: 'freshbase', repo: 'acme/app', msg: 'a repository' },
  ]);
});

test('without the wrapper pino repeats the key (what this guards against)', () => {
  const { lines, root } = capture();
  root.child({ name: 'probot' }).child({ name: 'freshbase' }).info('x');
  expect(nameKeys(lines[0]!)).toBe(2);
});

test('levels set on a logger still apply', () => {
  const { lines, root } = capture();
  const log = withSingleBindings(root, { name: 'probot' });
  log.level = 'warn';
  log.info('hidden');
  log.warn('shown');
  expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['shown']);
});
