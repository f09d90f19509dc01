import { runExtract } from '../../src/cli/extract.js';

const files: Record<string, string> = {
  'a/Dockerfile': 'ARG BASE=python:3.12\nFROM ${BASE} AS build\nFROM scratch\nCOPY --from=build /a /b\n',
  'b/Dockerfile':
    '# syntax=docker/dockerfile:1\nFROM --platform=linux/amd64 ghcr.io/acme/app:1@sha256:' + 'f'.repeat(64),
};

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExtract(args, {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: no such file '${path}'`);
      const bytes = Buffer.from(files[path]!, 'utf8');
      return { bytes, size: bytes.length };
    },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

test('--json prints exactly the contract keys', async () => {
  const { code, stdout, stderr } = await run(['a/Dockerfile', '--json', 'b/Dockerfile']);
  expect([code, stderr]).toEqual([0, '']);
  expect(JSON.parse(stdout)).toEqual([
    {
      file: 'a/Dockerfile',
      images: [
        {
          line: 2,
          column: 1,
          source: 'from',
          written: 'python:3.12',
          registry: 'docker.io',
          repository: 'library/python',
          tag: '3.12',
          digest: null,
          stage: 'build',
          platform: null,
        },
      ],
      skipped: [
        { line: 3, written: 'scratch', reason: 'scratch' },
        { line: 4, written: 'build', reason: 'stage' },
      ],
    },
    {
      file: 'b/Dockerfile',
      images: [
        expect.objectContaining({ line: 1, source: 'syntax', repository: 'docker/dockerfile', tag: '1' }),
        expect.objectContaining({
          line: 2,
          registry: 'ghcr.io',
          digest: `sha256:${'f'.repeat(64)}`,
          platform: 'linux/amd64',
        }),
      ],
      skipped: [],
    },
  ]);
});

test('an unreadable file is an error; the others are still reported', async () => {
  const { code, stdout, stderr } = await run(['--json', 'missing', 'a/Dockerfile']);
  expect(code).toBe(1);
  expect(stderr).toMatch(/cannot read missing: ENOENT/);
  expect(JSON.parse(stdout).map((r: { file: string }) => r.file)).toEqual(['a/Dockerfile']);
});

test('without --json a readable table', async () => {
  const { code, stdout } = await run(['a/Dockerfile']);
  expect(code).toBe(0);
  expect(stdout).toContain('a/Dockerfile\n');
  expect(stdout).toMatch(/2:1 +from +docker\.io\/library\/python +3\.12 +- +build/);
  expect(stdout).toContain('skipped line 3: scratch — scratch');
});

test('usage errors', async () => {
  expect((await run([])).code).toBe(2);
  const unknown = await run(['--yaml', 'a/Dockerfile']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown option '--yaml'/);
  expect((await run(['-x'])).code).toBe(2);
});
