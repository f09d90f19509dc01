import { MAX_CONFIG_BYTES, parseConfigYaml, validateConfig } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';
import type { ConfigProblem, ConfigResult, RepoConfig } from '../../src/config/types.js';

const DEFAULTS: RepoConfig = {
  enabled: true,
  files: ['**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile', '**/*.dockerfile', '**/Containerfile'],
  ignorePaths: [],
  ignoreImages: [],
  pin: true,
  updates: ['digest', 'patch'],
  rules: [],
  group: 'repository',
  schedule: { cron: '* * * * *', timezone: 'UTC' },
  maxOpenPullRequests: 5,
  labels: ['dependencies', 'docker'],
  reviewers: [],
  assignees: [],
  branchPrefix: 'freshbase/',
  commitMessagePrefix: 'chore(deps):',
  dashboard: false,
  orgDashboard: false,
  automerge: [],
  automergeMethod: 'merge',
  onboarding: false,
};

function problems(result: ConfigResult): ConfigProblem[] {
  if (result.ok) throw new Error(`expected problems, got a config: ${JSON.stringify(result.config)}`);
  return result.problems;
}

describe('defaults', () => {
  it.each([
    ['an empty file', ''],
    ['a file of comments', '# nothing here\n'],
    ['an empty mapping', '{}'],
  ])('%s gives the defaults', (_name, text) => {
    expect(parseConfigYaml(text)).toEqual({ ok: true, config: DEFAULTS });
  });

  it.each([null, undefined, {}])('validateConfig(%p) gives the defaults', (value) => {
    expect(validateConfig(value)).toEqual({ ok: true, config: DEFAULTS });
  });

  it('fills in what is not written and keeps what is', () => {
    const result = parseConfigYaml(
      [
        'updates: [digest, minor]',
        'group: image',
        'schedule: { cron: "0 6 * * 1", timezone: Europe/Berlin }',
        'rules:',
        '  - images: [node]',
        '    pin: false',
      ].join('\n'),
    );
    expect(result).toEqual({
      ok: true,
      config: {
        ...DEFAULTS,
        updates: ['digest', 'minor'],
        group: 'image',
        schedule: { cron: '0 6 * * 1', timezone: 'Europe/Berlin' },
        rules: [{ images: ['node'], pin: false }],
      },
    });
  });

  it('accepts a schedule that only names the timezone', () => {
    expect(validateConfig({ schedule: { timezone: 'Asia/Tokyo' } })).toMatchObject({
      ok: true,
      config: { schedule: { cron: '* * * * *', timezone: 'Asia/Tokyo' } },
    });
  });

  it('drops _extends, which Probot resolves', () => {
    expect(validateConfig({ _extends: '.github', pin: false })).toEqual({
      ok: true,
      config: { ...DEFAULTS, pin: false },
    });
  });
});

describe('problems', () => {
  it('names an unknown key with its path and suggests the close one', () => {
    const [problem, ...rest] = problems(parseConfigYaml('pin: true\nignoreImage: [node]\n'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: 'ignoreImage', line: 2 });
    expect(problem?.message).toContain('unknown key "ignoreImage"; did you mean "ignoreImages"?');
  });

  it('names an unknown key inside a rule', () => {
    const found = problems(parseConfigYaml('rules:\n  - images: [node]\n    update: [minor]\n'));
    expect(found).toEqual([expect.objectContaining({ path: 'rules.0.update', line: 3 })]);
    expect(found[0]?.message).toMatch(
      /did you mean "updates"\?.*allowed here: images, updates, pin, enabled/,
    );
  });

  it('says what type was expected and what was written', () => {
    const found = problems(parseConfigYaml('enabled: yes\nmaxOpenPullRequests: 2.5\n'));
    expect(found).toEqual([
      { path: 'enabled', message: 'expected true or false, got a string', line: 1 },
      { path: 'maxOpenPullRequests', message: 'expected a whole number, got a number', line: 2 },
    ]);
  });

  it('minimumReleaseAge: a whole number and a unit, at most a year, top level and per rule', () => {
    const found = problems(
      parseConfigYaml(
        'minimumReleaseAge: 3 dayz\nrules:\n  - images: [node]\n    minimumReleaseAge: 400 days\n',
      ),
    );
    expect(found).toEqual([
      {
        path: 'minimumReleaseAge',
        message: expect.stringContaining('must be a whole number and a unit, e.g. "3 days"'),
        line: 1,
      },
      { path: 'rules.0.minimumReleaseAge', message: 'must be at most a year', line: 4 },
    ]);
    const ok = parseConfigYaml(
      'minimumReleaseAge: 36 hours\nrules:\n  - images: [node]\n    minimumReleaseAge: 1 week\n',
    );
    expect(ok).toMatchObject({ ok: true, config: { minimumReleaseAge: '36 hours' } });
  });

  it('names the list item of a wrong update kind', () => {
    expect(problems(validateConfig({ updates: ['digest', 'minr'] }))).toEqual([
      {
        path: 'updates.1',
        message: 'expected one of digest, patch, minor, major; got a string that is none of them',
      },
    ]);
  });

  it.each([
    [{ group: 'org' }, 'group', /expected one of repository, file, image/],
    [{ maxOpenPullRequests: -1 }, 'maxOpenPullRequests', /expected a number >= 0/],
    [{ schedule: { cron: '61 * * * *' } }, 'schedule.cron', /invalid cron "61 \* \* \* \*"/],
    [{ schedule: { cron: '0 0 * * * *' } }, 'schedule.cron', /expected five fields/],
    [{ schedule: { timezone: 'Mars/Olympus' } }, 'schedule.timezone', /unknown IANA timezone/],
    [{ branchPrefix: 'fresh..base/' }, 'branchPrefix', /git branch name/],
    [{ branchPrefix: 'has space/' }, 'branchPrefix', /git branch name/],
    [{ branchPrefix: '' }, 'branchPrefix', /git branch name/],
    [{ rules: [{ images: [] }] }, 'rules.0.images', /at least 1 item/],
    [{ rules: [{ pin: false }] }, 'rules.0.images', /expected a list, got nothing/],
    [{ ignoreImages: ['node:20'] }, 'ignoreImages.0', /without a tag/],
    [{ ignoreImages: ['ghcr.io/acme/app@sha256:00'] }, 'ignoreImages.0', /without a tag or digest/],
    [{ files: [''] }, 'files.0', /must not be empty/],
    [{ platforms: ['amd64'] }, 'platforms.0', /os\/architecture\[\/variant\]/],
    [{ platforms: [] }, 'platforms', /at least 1 item/],
    [
      { rules: [{ images: ['node'], platforms: ['linux/arm64/v8/x'] }] },
      'rules.0.platforms.0',
      /linux\/amd64/,
    ],
    ['just text', '', /^expected a mapping of keys to values, got a string$/],
    [[1, 2], '', /expected a mapping of keys to values, got a list/],
  ])('%j → %s', (value, path, message) => {
    const found = problems(validateConfig(value));
    expect(found).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  it('accepts registry hosts with ports in image patterns', () => {
    expect(validateConfig({ ignoreImages: ['localhost:5000/*', 'registry.internal:5000/team/**'] }).ok).toBe(
      true,
    );
  });

  it('reports every problem, never a partial config', () => {
    const result = validateConfig({ pin: 'no', group: 'org', extra: 1 });
    expect(
      problems(result)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['extra', 'group', 'pin']);
  });

  it('gives the line of a YAML syntax error', () => {
    const [problem] = problems(parseConfigYaml('pin: true\nupdates: [digest,\nlabels: []\n'));
    expect(problem).toMatchObject({ path: '', line: 3 });
    expect(problem?.message).toMatch(/^YAML syntax error: /);
    expect(problem?.message).not.toContain('at line');
  });

  it('rejects duplicate keys as a syntax error', () => {
    expect(problems(parseConfigYaml('pin: true\npin: false\n'))).toEqual([
      expect.objectContaining({ line: 2, message: 'YAML syntax error: duplicate key' }),
    ]);
  });

  it('reports an alias bomb as a problem of the file', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map(
          (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`,
        ),
      )
      .join('\n');
    const [problem, ...rest] = problems(parseConfigYaml(bomb));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: '' });
    expect(problem?.message).toMatch(/^YAML: .*alias/i);
  });

  it('refuses a schedule cron that never matches a date', () => {
    expect(problems(parseConfigYaml('schedule: { cron: "0 0 30 2 *" }\n'))).toEqual([
      expect.objectContaining({ path: 'schedule.cron', message: expect.stringContaining('never matches') }),
    ]);
  });

  it('formats a problem for a person', () => {
    expect(formatProblem({ path: 'rules.0.pin', message: 'expected true or false', line: 7 })).toBe(
      '`rules.0.pin`: expected true or false (line 7)',
    );
    expect(formatProblem({ path: '', message: 'YAML syntax error: x' })).toBe('config: YAML syntax error: x');
  });
});

test('a config over the size limit is refused, counted in bytes like every size limit', () => {
  const comment = (char: string, count: number) => `pin: true\n# ${char.repeat(count)}\n`;
  // Exactly the limit is accepted (12 bytes before the comment's text, 1 after).
  const fits = comment('a', MAX_CONFIG_BYTES - 13);
  expect(new TextEncoder().encode(fits).length).toBe(MAX_CONFIG_BYTES);
  expect(parseConfigYaml(fits).ok).toBe(true);
  expect(parseConfigYaml(comment('a', MAX_CONFIG_BYTES - 12)).ok).toBe(false);
  // Half as many two-byte characters already exceed it.
  expect(parseConfigYaml(comment('é', MAX_CONFIG_BYTES / 2))).toEqual({
    ok: false,
    problems: [{ path: '', message: `config larger than ${MAX_CONFIG_BYTES} bytes` }],
  });
});

test("a YAML error is named by its code, never the library's message (which quotes the line); the line is reported apart", () => {
  const text = `${'# comment\n'.repeat(11)}files: [a\n`;
  expect(parseConfigYaml(text)).toEqual({
    ok: false,
    problems: [
      {
        path: '',
        message: 'YAML syntax error: bad indent',
        line: 13,
      },
    ],
  });
});
