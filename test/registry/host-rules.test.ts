import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accessFor,
  endpointFor,
  hostRulesFromEnv,
  loadHostRules,
  parseHostRules,
  ruleFor,
  type HostRule,
} from '../../src/registry/host-rules.js';
import { concurrencyByOrigin, readConcurrencyPerHost } from '../../src/registry/client.js';

const README_EXAMPLE = `
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
  test('the README example loads from the file FRESHBASE_REGISTRIES names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'freshbase-rules-'));
    const path = join(dir, 'registries.yml');
    await writeFile(path, README_EXAMPLE);
    const env = { FRESHBASE_REGISTRIES: path, REGISTRY_PASSWORD: 'pw from env' };
    expect(hostRulesFromEnv(env)).toEqual([
      { host: 'docker.io', url: 'https://mirror.internal', username: 'bot', password: 'pw from env' },
      { host: 'registry.internal:5000', url: 'http://10.0.0.5:5000', allowPrivate: true },
    ]);
    expect(hostRulesFromEnv({})).toEqual([]);
  });

  test('a missing variable names the variable, and no value', () => {
    expect(() => parseHostRules(README_EXAMPLE, { OTHER: 'secret-value' }, 'rules.yml')).toThrow(
      'rules.yml: registries[0].password: environment variable REGISTRY_PASSWORD is not set',
    );
  });

  test.each([
    ['registries: [{url: "https://x"}]', /registries\.0\.host/],
    [
      'registries: [{host: a.io, url: "ftp://x"}]',
      /registries\.0\.url \(line 1\): must be an http\(s\) origin/,
    ],
    ['registries: [{host: a.io, url: "https://x/path?q=1"}]', /registries\.0\.url/],
    [
      'registries: [{host: a.io, url: "https://x/Upper/Case"}]',
      /registries\.0\.url \(line 1\): .*repository prefix/,
    ],
    ['registries: [{host: a.io, credentials: vault}]', /registries\.0\.credentials/],
    [
      'registries: [{host: a.io, username: u, password: p, credentials: docker-config}]',
      /either username and password or credentials/,
    ],
    ['registries: [{host: a.io, installations: []}]', /registries\.0\.installations/],
    ['registries: [{host: a.io, installations: ["acme/x"]}]', /GitHub account login/],
    [
      'registries: [{host: a.io, installations: [acme]}, {host: a.io, installations: [ACME, b]}]',
      /a\.io has more than one rule for installation acme/,
    ],
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
        'did you mean "allowPrivate"? (allowed here: host, url, username, password, credentials, installations, allowPrivate, concurrency); ' +
        'registry (line 4): unknown key "registry"; did you mean "registries"? (allowed here: registries)',
    );
  });

  test('a password never appears in a validation error', () => {
    const text = 'registries: [{host: a.io, url: "not a url", username: u, password: "${PW}"}]';
    expect(() => parseHostRules(text, { PW: 'hunter2-secret' }, 'r')).toThrow(/^(?!.*hunter2-secret)/s);
  });

  test('concurrency: a whole number from 1 to 256, per rule', () => {
    const rules = parseHostRules('registries: [{host: a.io, concurrency: 3}, {host: b.io}]', {}, 'r');
    expect(rules).toEqual([{ host: 'a.io', concurrency: 3 }, { host: 'b.io' }]);
    for (const value of ['0', '-1', '2.5', '257', '"8"', 'true']) {
      const text = `registries:\n  - host: a.io\n    concurrency: ${value}\n`;
      expect(() => parseHostRules(text, {}, 'rules.yml')).toThrow(
        'rules.yml: invalid registry host rules: registries.0.concurrency (line 3): must be a whole number from 1 to 256',
      );
    }
  });

  test('a bad concurrency never echoes what the file (or its environment) put there', () => {
    // A misplaced ${VAR} may be a secret: the error names the key and line only.
    const text = 'registries:\n  - host: a.io\n    concurrency: "${TOKEN}"\n';
    let message = '';
    try {
      parseHostRules(text, { TOKEN: 'hunter2-secret' }, 'r');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'r: invalid registry host rules: registries.0.concurrency (line 3): must be a whole number from 1 to 256',
    );
  });

  test('an unreadable file says which path', () => {
    expect(() => loadHostRules('/nonexistent/registries.yml', {})).toThrow(
      'FRESHBASE_REGISTRIES: cannot read /nonexistent/registries.yml: ENOENT',
    );
  });
});

describe('endpoints and access', () => {
  const rules = parseHostRules(README_EXAMPLE, { REGISTRY_PASSWORD: 'pw' }, 'r');
  const endpoint = (registry: string, from: HostRule[] = rules) =>
    endpointFor(registry, ruleFor(registry, from, null));

  test('without a rule: https to the host itself; Docker Hub to registry-1.docker.io', () => {
    expect(ruleFor('ghcr.io', rules, null)).toBeNull();
    expect(endpoint('ghcr.io')).toMatchObject({
      baseUrl: new URL('https://ghcr.io'),
      repositoryPrefix: '',
      allowPrivate: false,
      credentials: null,
    });
    expect(endpoint('docker.io', []).baseUrl.origin).toBe('https://registry-1.docker.io');
  });

  test('a rule sends requests to its url, with its credentials and private allowance', () => {
    expect(ruleFor('index.docker.io', rules, null)).toMatchObject({ username: 'bot', password: 'pw' });
    expect(endpoint('docker.io')).toMatchObject({ baseUrl: new URL('https://mirror.internal') });
    expect(endpoint('registry.internal:5000')).toMatchObject({ allowPrivate: true, credentials: null });
  });

  test('other origins get public https access without credentials; http there is refused', () => {
    const hub = endpoint('docker.io');
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
    const internal = endpoint('registry.internal:5000');
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/token'), internal)).toEqual({
      allowPrivate: true,
      sendCredentials: true,
    });
    // The operator's private registry, named by another registry's redirect or realm: not reachable.
    const hub = endpoint('docker.io');
    const ghcr = endpoint('ghcr.io');
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/'), hub)).toBeNull();
    expect(accessFor(new URL('http://10.0.0.5:5000/v2/'), ghcr)).toBeNull();
    expect(accessFor(new URL('https://mirror.internal/v2/'), ghcr)).toEqual({
      allowPrivate: false,
      sendCredentials: false,
    });
  });
});

describe('mirrors, credential sources and installations', () => {
  const rules = parseHostRules(
    `
registries:
  - host: docker.io
    url: https://harbor.internal/dockerhub-proxy/
    credentials: docker-config
  - host: ghcr.io
    installations: [Acme, acme-labs]
    username: acme-bot
    password: acme-token
  - host: ghcr.io
    installations: [globex]
    credentials: docker-config
  - host: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
    installations: [acme]
    credentials: aws-ecr
`,
    {},
    'r',
  );

  test('a url path is a repository prefix; the origin alone is where requests go', () => {
    const hub = endpointFor('docker.io', ruleFor('docker.io', rules, null));
    expect(hub.baseUrl).toEqual(new URL('https://harbor.internal'));
    expect(hub.repositoryPrefix).toBe('dockerhub-proxy');
    expect(hub.credentialScope).toBe('');
  });

  test("an installation's own rule is chosen; other installations' rules never are", () => {
    expect(ruleFor('ghcr.io', rules, 'ACME')).toMatchObject({ username: 'acme-bot' });
    expect(ruleFor('ghcr.io', rules, 'acme-labs')).toMatchObject({ username: 'acme-bot' });
    expect(ruleFor('ghcr.io', rules, 'globex')).toMatchObject({ credentials: 'docker-config' });
    expect(ruleFor('ghcr.io', rules, 'initech')).toBeNull();
    expect(ruleFor('ghcr.io', rules, null)).toBeNull();
    expect(ruleFor('123456789012.dkr.ecr.eu-west-1.amazonaws.com', rules, 'globex')).toBeNull();
    // A rule for everyone serves every installation.
    expect(ruleFor('docker.io', rules, 'initech')).toMatchObject({ credentials: 'docker-config' });
  });

  test('answers read under an installation-scoped rule are cached under its installations', () => {
    const acme = endpointFor('ghcr.io', ruleFor('ghcr.io', rules, 'acme'));
    const globex = endpointFor('ghcr.io', ruleFor('ghcr.io', rules, 'globex'));
    expect(acme.credentialScope).toBe('@acme,acme-labs');
    expect(globex.credentialScope).toBe('@globex');
  });
});

describe('concurrency caps', () => {
  test('a cap guards the origin the rule reaches; rules reaching one origin share the smallest', () => {
    const rules = parseHostRules(
      `
registries:
  - host: docker.io
    url: https://mirror.internal/hub
    concurrency: 6
  - host: quay.io
    url: https://mirror.internal/quay
    concurrency: 2
  - host: ghcr.io
    concurrency: 4
  - host: ghcr.io
    installations: [acme]
    username: bot
    password: pw
  - host: registry.internal:5000
`,
      {},
      'r',
    );
    expect(concurrencyByOrigin(rules)).toEqual(
      new Map([
        ['mirror.internal', 2],
        ['ghcr.io', 4],
      ]),
    );
    expect(concurrencyByOrigin([{ host: 'docker.io', concurrency: 3 }])).toEqual(
      new Map([['registry-1.docker.io', 3]]),
    );
  });

  test('FRESHBASE_REGISTRY_CONCURRENCY is the fallback: a whole number from 1 to 256', () => {
    expect(readConcurrencyPerHost({})).toBe(8);
    expect(readConcurrencyPerHost({ FRESHBASE_REGISTRY_CONCURRENCY: '16' })).toBe(16);
    for (const text of ['0', '1.5', '257', 'many']) {
      expect(() => readConcurrencyPerHost({ FRESHBASE_REGISTRY_CONCURRENCY: text })).toThrow(
        `FRESHBASE_REGISTRY_CONCURRENCY must be a whole number from 1 to 256 (got "${text}")`,
      );
    }
  });
});
