// One rule for reading a file as Dockerfile text, whichever command reads it: `extract` refuses
// exactly what `scan` refuses (and the app: test/github/config-and-files.test.ts), with the same
// detail, in text and in --json.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { MAX_DOCKERFILE_BYTES } from '../../src/dockerfile/source-text.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'freshbase-text-'));
  await writeFile(path.join(dir, 'Dockerfile'), Buffer.from('FROM caf\xe9:1\n', 'latin1'));
  await writeFile(
    path.join(dir, 'big.Dockerfile'),
    `# ${'x'.repeat(MAX_DOCKERFILE_BYTES)}\nFROM alpine:3.19\n`,
  );
  await writeFile(path.join(dir, 'nul.Dockerfile'), 'FROM alpine:3.19\n\0\n');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

const NOT_UTF8 = 'not valid UTF-8 text';
const TOO_LARGE = `${MAX_DOCKERFILE_BYTES + 20} bytes, more than the limit of ${MAX_DOCKERFILE_BYTES}`;
const BINARY = 'the file contains NUL bytes';

test('extract --json says why each file is invalid, and fails as scan does', async () => {
  const files = ['Dockerfile', 'big.Dockerfile', 'nul.Dockerfile'].map((f) => path.join(dir, f));
  const result = await run('extract', '--json', ...files);
  expect(result.code).toBe(1);
  const entries = JSON.parse(result.stdout) as Array<{ skipped: unknown[]; images: unknown[] }>;
  expect(entries.map((e) => [e.images, e.skipped])).toEqual([
    [[], [{ line: 1, written: '', reason: 'invalid', detail: NOT_UTF8 }]],
    [[], [{ line: 1, written: '', reason: 'invalid', detail: TOO_LARGE }]],
    [[], [{ line: 1, written: '', reason: 'invalid', detail: BINARY }]],
  ]);
  const text = await run('extract', files[0]!);
  expect(text.code).toBe(1);
  expect(text.stdout).toContain(`skipped line 1: (file) — invalid (${NOT_UTF8})`);
});

test('scan refuses the same files with the same detail', async () => {
  const result = await run('scan', dir, '--json');
  expect(result.code).toBe(1);
  const { errors } = JSON.parse(result.stdout) as { errors: Array<{ file: string; error: string }> };
  expect(errors.map((e) => [e.file, e.error])).toEqual([
    ['Dockerfile', NOT_UTF8],
    ['big.Dockerfile', TOO_LARGE],
    ['nul.Dockerfile', BINARY],
  ]);
});
