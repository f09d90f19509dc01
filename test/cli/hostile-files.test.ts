// The command line does not trust the filesystem it is pointed at: only regular files inside the
// checkout are read, a FIFO or a device is refused without being opened (opening a FIFO with no
// writer blocks for good: each such case would hang without the fix, and its jest timeout is the
// guard), reads are bounded, and a config's content is not echoed by its errors.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { readRegularFile, writeRegularFile } from '../../src/cli/regular-file.js';

const SECRET = 'password: hunter2-do-not-print';

let scratch: string;
let outside: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-hostile-'));
  outside = path.join(scratch, 'outside');
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.yml'), `${SECRET}\nroot:x:0:0:root:/root:/bin/bash\n`);
  await writeFile(path.join(outside, 'freshbase.yml'), `${SECRET}\n`);
  execFileSync('mkfifo', [path.join(outside, 'fifo')]);
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** A checkout with a plain Dockerfile, then whatever `arrange` puts in it. */
async function checkout(arrange: (dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'repo-'));
  await mkdir(path.join(dir, '.github'));
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  await arrange(dir);
  return dir;
}

describe('scan reads only regular files inside the checkout', () => {
  test.each([
    ['a symbolic link to a file outside', 'secret.yml', 'a symbolic link, not a regular file; not read'],
    // Opening the FIFO behind the link would block: the link is refused before anything is opened.
    ['a symbolic link to a FIFO outside', 'fifo', 'a symbolic link, not a regular file; not read'],
  ])(
    '.github/freshbase.yml as %s is refused, its target neither read nor printed',
    async (_what, target, why) => {
      const dir = await checkout((d) =>
        symlink(path.join(outside, target), path.join(d, '.github/freshbase.yml')),
      );
      const result = await run('scan', dir);
      expect(result).toEqual({
        code: 2,
        stdout: '',
        stderr: `freshbase scan: .github/freshbase.yml: ${why}\n`,
      });
    },
  );

  test('a .github directory linked to one outside the checkout is refused', async () => {
    const dir = await mkdtemp(path.join(scratch, 'repo-'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    await symlink(outside, path.join(dir, '.github'));
    const result = await run('scan', dir);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'freshbase scan: .github/freshbase.yml: its real path is outside the checkout; not read\n',
    });
  });

  test('a FIFO as the config is refused without being opened', async () => {
    const dir = await checkout(async (d) => {
      execFileSync('mkfifo', [path.join(d, '.github/freshbase.yml')]);
    });
    const result = await run('scan', dir);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'freshbase scan: .github/freshbase.yml: a FIFO, not a regular file; not read\n',
    });
  });

  test('a FIFO or a link among the Dockerfiles is an error for that file; the others are scanned', async () => {
    const dir = await checkout(async (d) => {
      execFileSync('mkfifo', [path.join(d, 'fifo.Dockerfile')]);
      await symlink(path.join(outside, 'secret.yml'), path.join(d, 'linked.Dockerfile'));
    });
    const result = await run('scan', dir, '--json');
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('hunter2');
    const { errors } = JSON.parse(result.stdout) as { errors: Array<{ file: string; error: string }> };
    expect(errors.map((e) => [e.file, e.error])).toEqual([
      ['fifo.Dockerfile', 'a FIFO, not a regular file; not read'],
      ['linked.Dockerfile', 'a symbolic link, not a regular file; not read'],
    ]);
  });

  test.each([
    [
      'a wrong type',
      'enabled: hunter2-do-not-print\n',
      'line 1: enabled: expected true or false, got a string',
    ],
    [
      'a YAML syntax error',
      'pin: true\npassword: hunter2-do-not-print: x\n',
      'line 2: (file): YAML syntax error',
    ],
    [
      'a document that is only text',
      'hunter2-do-not-print\n',
      '(file): expected a mapping of keys to values',
    ],
  ])('a config with %s names the line and key, never the value', async (_what, text, problem) => {
    const dir = await checkout((d) => writeFile(path.join(d, '.github/freshbase.yml'), text));
    const result = await run('scan', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(problem);
    expect(result.stderr + result.stdout).not.toContain('hunter2');
  });
});

describe('extract reads only regular files, bounded', () => {
  test.each([
    ['/dev/zero', 'a character device'],
    ['a FIFO', 'a FIFO'],
  ])('%s is refused at once', async (what, kind) => {
    const file = what === 'a FIFO' ? path.join(outside, 'fifo') : what;
    const result = await run('extract', file);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `freshbase extract: cannot read ${file}: ${kind}, not a regular file; not read\n`,
    });
  });

  test('a link named on the command line is the user’s choice and is followed', async () => {
    const link = path.join(scratch, 'Dockerfile.link');
    await writeFile(path.join(outside, 'Dockerfile'), 'FROM alpine:3.19\n');
    await symlink(path.join(outside, 'Dockerfile'), link);
    const result = await run('extract', link);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('alpine');
  });
});

test('a bounded read stops one byte past the limit and still knows the size', async () => {
  const file = path.join(scratch, 'big');
  await writeFile(file, Buffer.alloc(5000, 'x'));
  const read = await readRegularFile(file, { maxBytes: 100 });
  expect([read.bytes.length, read.size]).toEqual([101, 5000]);
  const small = await readRegularFile(file, { maxBytes: 10_000 });
  expect([small.bytes.length, small.size]).toEqual([5000, 5000]);
});

test('a write in a checkout replaces a regular file and refuses anything else, writing nowhere', async () => {
  const dir = await checkout(async (d) => {
    await writeFile(path.join(d, 'Dockerfile'), 'FROM alpine:3.19\nRUN a-long-line-that-is-truncated\n');
    await symlink(path.join(outside, 'secret.yml'), path.join(d, 'linked'));
    await symlink(outside, path.join(d, 'linked-dir'));
  });
  await writeRegularFile(path.join(dir, 'Dockerfile'), 'FROM alpine:3.20\n', dir);
  expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\n');
  await expect(writeRegularFile(path.join(dir, 'linked'), 'x', dir)).rejects.toThrow(
    'a symbolic link, not a regular file; not written',
  );
  await expect(writeRegularFile(path.join(dir, 'linked-dir', 'secret.yml'), 'x', dir)).rejects.toThrow(
    'its real path is outside the checkout; not written',
  );
  await expect(writeRegularFile(path.join(outside, 'fifo'), 'x', outside)).rejects.toThrow(
    'a FIFO, not a regular file; not written',
  );
  expect(await readFile(path.join(outside, 'secret.yml'), 'utf8')).toContain(SECRET);
});
