import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessFor,
  endpointFor,
  hostRulesFromEnv,
  loadHostRules,
  parseHostRules,
} from '../../src/registry/host-rules.js';

const DESIGN_EXAMPLE = `
registries:
  - host: docker.io                 # registry as normalised from the Dockerfile
    url: https://mirror.internal    # where requests go (mirror / pull-through cache)
    username: bot
    password: \${REGISTRY_PASSWORD}  # \${VAR} is read from the environment
  - host: registry.internal:5000
    url: http://10.0.0.5:5000       # plain http only where the operator says so
    allowPrivate: true              # may resolve to a private or loopback address
`;

describe('loading', () => {
  test('the DESIGN.md example loads from the file FRESHBASE_REGISTRIES names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'freshbase-rules-'));
    const path = join(dir, 'registries.yml');
    await writeFile(path, DESIGN_EXAMPLE);
    const env = { FRESHBASE_REGISTRIES: path, REGISTRY_PASSWORD: 'pw from env' };
    expect(hostRulesFromEnv(env)).toEqual([
      { host: 'docker.io', url: 'https://mirror.internal', username: 'bot', password: 'pw from env' },
      { host: 'registry.internal:5000', url: 'http://10.0.0.5:5000', allowPrivate: true },
    ]);
    expect(hostRulesFromEnv({})).toEqual([]);
  });

  test('a missing variable names the variable, and no value', () => {
    expect(() => parseHostRules(DESIGN_EXAMPLE, { OTHER: 'secret-value' }, 'rules.yml')).toThrow(
      'rules.yml: registries[0].password: environment variable REGISTRY_PASSWORD is not set',
    );
  });

  test.each([
    ['registries: [{url: "https://x"}]', /registries\.0\.host/],
    [
      'registries: [{host: a.io, url: "ftp://x"}]',
      /registries\.0\.url \(line 1\): must be an http\(s\) origin/,
    ],
    ['registries: [{host: a.io, url: "https://x/path"}]', /registries\.0\.url/],
    ['registries: [{host: a.io, username: bot}]', /username and password must be given together/],
    ['registries: [{host: a.io, allowPrivate: "yes"}]', /registries\.0\.allowPrivate/],
    ['registries: [{host: a.io, typo: 1}]', /typo/],
    ['registries: [{host: docker.io}, {host: index.docker.io}]', /docker\.io has more than one rule/],
    ['registries: [', /not valid YAML/],
  ])('%s is rejected clearly', (text, message) => {
    expect(() => parseHostRules(text, {}, 'rules.yml')).toThrow(message);
  });

  test('a syntax error names the line and column, never the line itself (it may hold a password)', () => {
    const text = 'registries:\n  - host: a.io\n    username: bot\n    password: hunter2: secret\n';
    let message = '';
    try {
      parseHostRules(text, {}, 'rules.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('rules.yml: not valid YAML at line 4, column 15 (block as implicit key)');
  });

  test('an unknown key gets the closest known key, as the repository config does', () => {
    const text = 'registries:\n  - host: a.io\n    allowprivate: true\nregistry: []\n';
    expect(() => parseHostRules(text, {}, 'rules.yml')).toThrow(
      'rules.yml: invalid registry host rules: registries.0.allowprivate (line 3): unknown key "allowprivate"; ' +
        'did you mean "allowPrivate"? (allowed here: host, url, username, password, allowPrivate); ' +
        'registry (line 4): unknown key "registry"; did you mean "registries"? (allowed here: registries)',
    );
  });

  test('a password never appears in a validation error', () => {
    const text = 'registries: [{host: a.io, url: "not a url", username: u, password: "${PW}"}]';
    expect(() => parseHostRules(text, { PW: 'hunter2-secret' }, 'r')).toThrow(/^(?!.*hunter2-secret)/s);
  });

  test('an unreadable file says which path', () => {
    expect(() => loadHostRules('/nonexistent/registries.yml', {})).toThrow(
      'FRESHBASE_REGISTRIES: cannot read /nonexistent/registries.yml: ENOENT',
    );
  });
});

describe('endpoints and access', () => {
  const rules = parseHostRules(DESIGN_EXAMPLE, { REGISTRY_PASSWORD: 'pw' }, 'r');

  test('without a rule: https to the host itself; Docker Hub to registry-1.docker.io', () => {
    expect(endpointFor('ghcr.io', rules)).toMatchObject({
      baseUrl: new URL('https://ghcr.io'),
      allowPrivate: false,
      credentials: null,
    });
    expect(endpointFor('docker.io', []).baseUrl.origin).toBe('https://registry-1.docker.io');
  });

  test('a rule sends requests to its url, with its credentials and private allowance', () => {
    expect(endpointFor('docker.io', rules)).toMatchObject({
      baseUrl: new URL('https://mirror.internal'),
      credentials: { username: 'bot', password: 'pw' },
    });
    expect(endpointFor('registry.internal:5000', rules)).toMatchObject({
      allowPrivate: true,
      credentials: null,
    });
  });

  test('other origins get public https access without credentials; http there is refused', () => {
    const hub = endpointFor('docker.io', rules);
    expect(accessFor(new URL('https://mirror.internal/v2/x'), hub)).toEqual({
      allowPrivate: false,
      sendCredentials: true,
    });
    expect(accessFor(new URL('https://cdn.example/blob'), hub)).toEqual({
      allowPrivate: false,
      sendCredentials: false,
    });
    expect(accessFor(new URL('http://cdn.example/blob'), hub)).toBeNull();
  });

  test('a rule applies to its own origin only, never to hops other registries point at', () => {
    const internal = endpointFor('registry.internal:5000', rules);
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/token'), internal)).toEqual({
      allowPrivate: true,
      sendCredentials: true,
    });
    // The operator's private registry, named by another registry's redirect or realm: not reachable.
    const hub = endpointFor('docker.io', rules);
    const ghcr = endpointFor('ghcr.io', rules);
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/'), hub)).toBeNull();
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/'), ghcr)).toBeNull();
    expect(accessFor(new URL('https://mirror.internal/v2/'), ghcr)).toEqual({
      allowPrivate: false,
      sendCredentials: false,
    });
  });
});
