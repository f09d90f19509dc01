// The onboarding pull request's config file: merging it changes nothing but "configured", and
// every commented line is a valid setting once uncommented.
import { parseConfigYaml, validateConfig } from '../../src/config/load.js';
import { configTemplate } from '../../src/onboarding/body.js';

const defaults = validateConfig({});

test.each([true, false])('the template is a valid config of the defaults (extends the org: %s)', (org) => {
  const text = configTemplate(org);
  const parsed = parseConfigYaml(text);
  expect(parsed).toEqual(defaults);
  expect(text.includes('_extends: .github\n')).toBe(org);
  for (const line of text.split('\n').filter((l) => l.startsWith('# ') && /^# \w+: /.test(l))) {
    // Each commented key, uncommented alone, is a valid config.
    expect(parseConfigYaml(line.slice(2)).ok).toBe(true);
  }
});

test('every key of the defaults but the org-only ones is offered, at its default', () => {
  const text = configTemplate(false);
  const offered = text.split('\n').flatMap((l) => /^# (\w+): /.exec(l)?.[1] ?? []);
  if (!defaults.ok) throw new Error('defaults invalid');
  const keys = Object.keys(defaults.config).filter((k) => k !== 'orgDashboard' && k !== 'onboarding');
  expect(offered).toEqual(keys);
  const uncommented = text.replace(/^# (\w+: )/gm, '$1');
  expect(parseConfigYaml(uncommented)).toEqual(defaults);
});
