// The command's dispatch: help, usage errors, and a sweep never started by a stray argument.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { runSweep } from '../../src/cli/sweep.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

test('--help prints the overview on stdout and succeeds', async () => {
  for (const argv of [['--help'], ['help'], ['-h']]) {
    const result = await run(...argv);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('freshbase scan [dir] [--json] [--apply]');
  }
});

test.each([
  ['scan', ['--apply', '--json', 'FRESHBASE_REGISTRIES', 'npx freshbase scan ~/src/my-service']],
  ['extract', ['--json', 'not UTF-8', 'npx freshbase extract Dockerfile']],
  ['sweep', ['PRIVATE_KEY_PATH', 'FRESHBASE_DRY_RUN', 'npx freshbase sweep']],
])('%s --help shows that command’s own options and an example', async (command, expected) => {
  for (const flag of ['--help', '-h']) {
    const result = await run(command, flag);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: freshbase ${command}`));
    expect(result.stdout).toContain('Example:');
    for (const text of expected) expect(result.stdout).toContain(text);
  }
});

test('no command or an unknown one is a usage error on stderr', async () => {
  for (const argv of [[], ['frobnicate']]) {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage:');
  }
});

test('sweep refuses any argument instead of sweeping', async () => {
  const result = await run('sweep', '--dry-run');
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('takes no arguments');
});

test('--version prints the package version', async () => {
  const result = await run('--version');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
});

describe('scan takes a checkout directory', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'freshbase-main-'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test.each([
    ['a missing path', 'no-such-dir', 'does not exist'],
    ['a single file', 'Dockerfile', 'is not a directory'],
    ['a path through a file', 'Dockerfile/sub', 'does not exist'],
  ])('%s: says so and points to extract, without a raw error code', async (_what, rel, problem) => {
    const result = await run('scan', path.join(dir, rel));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `freshbase scan: ${path.join(dir, rel)} ${problem}: scan takes a checkout directory; ` +
        'to list the images of one file, use freshbase extract <file>\n',
    );
  });

  test('a config under the other extension stops the scan and says to rename it', async () => {
    const repo = await mkdtemp(path.join(dir, 'repo-'));
    await mkdir(path.join(repo, '.github'));
    await writeFile(path.join(repo, '.github/freshbase.yaml'), 'enabled: false\n');
    await writeFile(path.join(repo, 'Dockerfile'), 'FROM scratch\n');
    const alone = await run('scan', repo);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(
      'freshbase scan: .github/freshbase.yaml is not read: Freshbase reads .github/freshbase.yml; rename the file\n',
    );
    await writeFile(path.join(repo, '.github/freshbase.yml'), 'labels: [deps]\n');
    const both = await run('scan', repo, '--json');
    expect(both.code).toBe(0);
    expect(both.stderr).toBe(
      'freshbase scan: .github/freshbase.yaml is not read; using .github/freshbase.yml\n',
    );
  });
});

test('sweep without the app environment prints only the line that says what it needs', async () => {
  let stdout = '';
  let stderr = '';
  const code = await runSweep({}, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toBe(
    'freshbase sweep: needs APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH (and GHE_HOST for GitHub Enterprise)\n',
  );
});
