// The command's dispatch: help, usage errors, and a sweep never started by a stray argument.
import { main } from '../../src/cli/main.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

test('--help, per command too, prints the usage on stdout and succeeds', async () => {
  for (const argv of [['--help'], ['help'], ['scan', '--help'], ['extract', '-h'], ['sweep', '--help']]) {
    const result = await run(...argv);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('freshbase scan [dir] [--json] [--apply]');
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
