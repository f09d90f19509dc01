// `freshbase scan` end to end against the real distribution registry on loopback, reached through
// an operator host rule (FRESHBASE_REGISTRIES), as a user would try Freshbase before installing it.
import { mkdtemp, mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runScan } from '../../src/cli/scan.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

let registry: TestRegistry;
let rulesFile: string;
let scratch: string;

async function scan(dir: string, ...flags: string[]): Promise<Captured> {
  return scanWithRules(rulesFile, dir, ...flags);
}

async function scanWithRules(rules: string, dir: string, ...flags: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runScan(
    [dir, ...flags],
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    { FRESHBASE_REGISTRIES: rules, FRESHBASE_DATA_DIR: path.join(scratch, 'data') },
  );
  return { code, stdout, stderr };
}

async function checkout(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'repo-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-scan-'));
  rulesFile = path.join(scratch, 'registries.yml');
  await writeFile(
    rulesFile,
    `registries:\n  - host: ${registry.host}\n    url: ${registry.url}\n    allowPrivate: true\n`,
  );
});

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('plans pin, patch and digest updates, applies them byte-exactly, then has nothing left to do', async () => {
  const host = registry.host;
  const python = await registry.pushIndex('acme/python', '3.12-slim');
  await registry.pushImage('acme/app', '1.2.1', { seed: 'app-1.2.1' });
  const app123 = await registry.pushImage('acme/app', '1.2.3', { seed: 'app-1.2.3' });
  await registry.pushImage('acme/app', '1.3.0', { seed: 'app-1.3.0' }); // minor: not offered by default
  const toolOld = await registry.pushImage('acme/tool', '2.0', { seed: 'tool-a' });
  const toolNew = await registry.pushImage('acme/tool', '2.0', { seed: 'tool-b' });
  expect(toolNew.digest).not.toBe(toolOld.digest);

  const root = `# build\nFROM ${host}/acme/python:3.12-slim AS build\nRUN make\n\nfrom   ${host}/acme/app:1.2.1\nCOPY --from=build /out /out\n`;
  const api =
    `FROM ${host}/acme/python:3.12-slim\r\n` +
    `# keep this comment\r\n` +
    `COPY --from=${host}/acme/tool:2.0@${toolOld.digest} /bin/tool /bin/tool`;
  const dir = await checkout({
    Dockerfile: root,
    'services/api/Dockerfile': api,
    'docs/README.md': `FROM ${host}/acme/python:3.12-slim\n`,
  });

  const planned = await scan(dir, '--json');
  expect(planned.stderr).toBe('');
  expect(planned.code).toBe(0);
  const output = JSON.parse(planned.stdout) as { updates: unknown[]; errors: unknown[] };
  expect(output.errors).toEqual([]);
  expect(output.updates).toEqual([
    {
      file: 'Dockerfile',
      line: 2,
      image: `${host}/acme/python`,
      from: { tag: '3.12-slim', digest: null },
      to: { tag: '3.12-slim', digest: python.digest },
      kind: 'pin',
      firstSeen: expect.any(String),
      changes: null,
    },
    {
      file: 'Dockerfile',
      line: 5,
      image: `${host}/acme/app`,
      from: { tag: '1.2.1', digest: null },
      to: { tag: '1.2.3', digest: app123.digest },
      kind: 'patch',
      firstSeen: expect.any(String),
      changes: null,
    },
    {
      file: 'services/api/Dockerfile',
      line: 1,
      image: `${host}/acme/python`,
      from: { tag: '3.12-slim', digest: null },
      to: { tag: '3.12-slim', digest: python.digest },
      kind: 'pin',
      firstSeen: expect.any(String),
      changes: null,
    },
    {
      file: 'services/api/Dockerfile',
      line: 3,
      image: `${host}/acme/tool`,
      from: { tag: '2.0', digest: toolOld.digest },
      to: { tag: '2.0', digest: toolNew.digest },
      kind: 'digest',
      firstSeen: expect.any(String),
      changes: null,
    },
  ]);

  const applied = await scan(dir, '--apply');
  expect(applied.code).toBe(0);
  expect(applied.stdout).toContain('4 update(s)');
  expect(applied.stdout).toContain('wrote Dockerfile, services/api/Dockerfile');
  expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe(
    root
      .replace(`python:3.12-slim AS`, `python:3.12-slim@${python.digest} AS`)
      .replace(`app:1.2.1`, `app:1.2.3@${app123.digest}`),
  );
  expect(await readFile(path.join(dir, 'services/api/Dockerfile'), 'utf8')).toBe(
    api
      .replace(`python:3.12-slim\r\n`, `python:3.12-slim@${python.digest}\r\n`)
      .replace(toolOld.digest, toolNew.digest),
  );
  // Not selected by the default file globs: untouched.
  expect(await readFile(path.join(dir, 'docs/README.md'), 'utf8')).toBe(
    `FROM ${host}/acme/python:3.12-slim\n`,
  );

  const again = await scan(dir, '--json');
  expect(JSON.parse(again.stdout)).toEqual({
    updates: [],
    held: [],
    skipped: [{ file: 'Dockerfile', line: 6, image: 'build', reason: 'stage' }],
    errors: [],
  });
});

test('a missing image is an error for that image only; the others still update', async () => {
  const base = await registry.pushImage('acme/base', '1.0', { seed: 'base' });
  const dir = await checkout({
    Dockerfile: `FROM ${registry.host}/acme/missing:1.0\nFROM ${registry.host}/acme/base:1.0\n`,
  });
  const result = await scan(dir, '--json', '--apply');
  expect(result.code).toBe(1);
  const output = JSON.parse(result.stdout) as {
    updates: Array<{ image: string; to: { digest: string } }>;
    errors: Array<{ file: string; line: number; image: string; error: string }>;
  };
  expect(output.updates.map((u) => [u.image, u.to.digest])).toEqual([
    [`${registry.host}/acme/base`, base.digest],
  ]);
  expect(output.errors).toHaveLength(1);
  expect(output.errors[0]).toMatchObject({ file: 'Dockerfile', line: 1 });
  expect(output.errors[0]!.error).toMatch(/acme\/missing/);
  expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe(
    `FROM ${registry.host}/acme/missing:1.0\nFROM ${registry.host}/acme/base:1.0@${base.digest}\n`,
  );
});

test('the repository config decides what is offered', async () => {
  await registry.pushImage('acme/lib', '3.1.0', { seed: 'lib-3.1.0' });
  const lib32 = await registry.pushImage('acme/lib', '3.2.0', { seed: 'lib-3.2.0' });
  const dir = await checkout({
    '.github/freshbase.yml': `pin: false\nrules:\n  - images: ["${registry.host}/acme/lib"]\n    updates: [minor]\n`,
    'app.Dockerfile': `FROM ${registry.host}/acme/lib:3.1.0\nFROM ${registry.host}/acme/base:1.0\n`,
  });
  const result = await scan(dir, '--json');
  expect(JSON.parse(result.stdout)).toEqual({
    updates: [
      {
        file: 'app.Dockerfile',
        line: 1,
        image: `${registry.host}/acme/lib`,
        from: { tag: '3.1.0', digest: null },
        to: { tag: '3.2.0', digest: null },
        kind: 'minor',
        firstSeen: expect.any(String),
        changes: null,
      },
    ],
    held: [],
    // A floating tag without pinning: nothing the policy offers applies, and the scan says so.
    skipped: [
      { file: 'app.Dockerfile', line: 2, image: `${registry.host}/acme/base:1.0`, reason: 'not-offered' },
    ],
    errors: [],
  });
  expect(lib32.digest).toMatch(/^sha256:/);
});

test('references not looked up are listed with why and counted; neighbours of a Dockerfile are not read', async () => {
  const host = registry.host;
  const tool = await registry.pushImage('acme/tool', '5.0', { seed: 'tool-5.0' });
  const dir = await checkout({
    '.github/freshbase.yml': `ignoreImages: ["${host}/acme/vendored"]\n`,
    Dockerfile:
      `ARG BASE\nFROM ${host}/acme/tool:5.0 AS build\nFROM scratch AS empty\nFROM build\nFROM \${BASE}\n` +
      `FROM ${host}/acme/vendored:1.0\nFROM ${host}/acme/tool@${tool.digest}\n`,
    'Dockerfile.md': 'FROM here we go\n',
    'docs/Dockerfile.dockerignore': 'node_modules\n',
  });
  const json = await scan(dir, '--json');
  expect(json.code).toBe(0);
  const output = JSON.parse(json.stdout) as {
    updates: Array<{ image: string }>;
    skipped: unknown[];
    errors: [];
  };
  expect(output.errors).toEqual([]);
  expect(output.updates.map((u) => u.image)).toEqual([`${host}/acme/tool`]);
  expect(output.skipped).toEqual([
    { file: 'Dockerfile', line: 3, image: 'scratch', reason: 'scratch' },
    { file: 'Dockerfile', line: 4, image: 'build', reason: 'stage' },
    { file: 'Dockerfile', line: 5, image: '${BASE}', reason: 'variable' },
    { file: 'Dockerfile', line: 6, image: `${host}/acme/vendored:1.0`, reason: 'ignored' },
    { file: 'Dockerfile', line: 7, image: `${host}/acme/tool@${tool.digest}`, reason: 'digest-only' },
  ]);

  const table = await scan(dir);
  expect(table.stdout).toContain(
    '1 file(s), 6 image reference(s): 1 looked up, 5 not (1 scratch, 1 stage, 1 variable, 1 ignored, 1 digest-only); 1 update(s)\n',
  );
  expect(table.stdout).toContain(`not looked up: Dockerfile:6 ${host}/acme/vendored:1.0: ignored\n`);
  expect(table.stdout).not.toContain('not looked up: Dockerfile:4');
});

test('an invalid config stops the scan with exit code 2 and names the key', async () => {
  const dir = await checkout({
    '.github/freshbase.yml': 'updates: [digest]\ngroupp: file\n',
    Dockerfile: 'FROM python:3.12\n',
  });
  const result = await scan(dir, '--json');
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain('groupp');
  expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM python:3.12\n');
});

test('a pin to one platform of a multi-arch tag moves to the same platform of the re-published tag', async () => {
  const platforms = [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
  ];
  const before = await registry.pushIndex('acme/multi', '1.0', {
    images: platforms.map((platform) => ({ platform, seed: `old-${platform.architecture}` })),
  });
  const after = await registry.pushIndex('acme/multi', '1.0', {
    images: platforms.map((platform) => ({ platform, seed: `new-${platform.architecture}` })),
  });
  const oldArm = before.children[1]!.digest;
  const newArm = after.children[1]!.digest;
  expect(newArm).not.toBe(oldArm);
  const dir = await checkout({
    Dockerfile: `FROM --platform=linux/arm64 ${registry.host}/acme/multi:1.0@${oldArm}\n`,
  });
  const result = await scan(dir, '--json', '--apply');
  expect(JSON.parse(result.stdout)).toEqual({
    updates: [
      {
        file: 'Dockerfile',
        line: 1,
        image: `${registry.host}/acme/multi`,
        from: { tag: '1.0', digest: oldArm },
        to: { tag: '1.0', digest: newArm },
        kind: 'digest',
        firstSeen: expect.any(String),
        changes: null,
      },
    ],
    held: [],
    skipped: [],
    errors: [],
  });
  expect(await readFile(path.join(dir, 'Dockerfile'), 'utf8')).toBe(
    `FROM --platform=linux/arm64 ${registry.host}/acme/multi:1.0@${newArm}\n`,
  );
});

test('a config with _extends is used alone, and the scan says so', async () => {
  const dir = await checkout({
    '.github/freshbase.yml': '_extends: .github\npin: false\n',
    Dockerfile: `FROM ${registry.host}/acme/base:1.0\n`,
  });
  const result = await scan(dir, '--json');
  expect(result.code).toBe(0);
  expect(result.stderr).toContain('_extends, which only the app resolves');
  expect(JSON.parse(result.stdout)).toEqual({
    updates: [],
    held: [],
    skipped: [
      { file: 'Dockerfile', line: 1, image: `${registry.host}/acme/base:1.0`, reason: 'not-offered' },
    ],
    errors: [],
  });
});

test('FROM --platform=linux/arm64 img:1.0.0 is never moved to a 1.0.1 without linux/arm64; the scan says why', async () => {
  const host = registry.host;
  const both = await registry.pushIndex('acme/plat', '1.0.0');
  await registry.pushIndex('acme/plat', '1.0.1', {
    images: [{ platform: { os: 'linux', architecture: 'amd64' }, seed: 'plat-1.0.1' }],
  });
  const dir = await checkout({ Dockerfile: `FROM --platform=linux/arm64 ${host}/acme/plat:1.0.0\n` });
  const result = await scan(dir, '--json');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({
    updates: [
      {
        file: 'Dockerfile',
        line: 1,
        image: `${host}/acme/plat`,
        from: { tag: '1.0.0', digest: null },
        to: { tag: '1.0.0', digest: both.digest },
        kind: 'pin',
        firstSeen: expect.any(String),
        changes: null,
      },
    ],
    held: [
      {
        file: 'Dockerfile',
        line: 1,
        image: `${host}/acme/plat`,
        from: { tag: '1.0.0', digest: null },
        to: { tag: '1.0.1', digest: null },
        reason: '1.0.1 has no linux/arm64 image',
      },
    ],
    skipped: [],
    errors: [],
  });
  const table = await scan(dir);
  expect(table.stdout).toContain(
    `held: Dockerfile:1 ${host}/acme/plat 1.0.1: 1.0.1 has no linux/arm64 image`,
  );
});

test('minimumReleaseAge holds a digest first seen now for the whole age; the data directory remembers it', async () => {
  const host = registry.host;
  const old = await registry.pushImage('acme/soak', '1.0', { seed: 'soak-old' });
  const fresh = await registry.pushImage('acme/soak', '1.0', { seed: 'soak-new' });
  const dir = await checkout({
    Dockerfile: `FROM ${host}/acme/soak:1.0@${old.digest}\n`,
    '.github/freshbase.yml': 'minimumReleaseAge: 3 days\n',
  });
  const before = Date.now();
  const first = await scan(dir, '--json');
  expect(first.code).toBe(0);
  const output = JSON.parse(first.stdout) as { updates: unknown[]; held: Array<Record<string, string>> };
  expect(output.updates).toEqual([]);
  expect(output.held).toEqual([
    {
      file: 'Dockerfile',
      line: 1,
      image: `${host}/acme/soak`,
      from: { tag: '1.0', digest: old.digest },
      to: { tag: '1.0', digest: fresh.digest },
      reason: expect.stringMatching(/^minimumReleaseAge 3 days: first seen .* UTC, due .* UTC$/),
      firstSeen: expect.any(String),
      due: expect.any(String),
    },
  ]);
  const held = output.held[0]!;
  const seen = Date.parse(held.firstSeen!);
  expect(seen).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(held.due!) - seen).toBe(3 * 24 * 3_600_000);

  // The second run reads the same first-seen time back from FRESHBASE_DATA_DIR.
  const table = await scan(dir);
  expect(table.stdout).toContain(
    `held: Dockerfile:1 ${host}/acme/soak 1.0@${fresh.digest.slice(0, 19)}: minimumReleaseAge 3 days`,
  );
  const again = JSON.parse((await scan(dir, '--json')).stdout) as typeof output;
  expect(again.held[0]!.firstSeen).toBe(held.firstSeen);

  // Without a soak time the same digest is proposed, showing when it was first seen.
  await writeFile(path.join(dir, '.github/freshbase.yml'), 'updates: [digest]\n');
  const proposed = JSON.parse((await scan(dir, '--json')).stdout) as {
    updates: Array<Record<string, unknown>>;
  };
  expect(proposed.updates).toMatchObject([{ kind: 'digest', firstSeen: held.firstSeen }]);
});

test('--apply writes nothing through a symbolic link swapped in after the file was read', async () => {
  const base = await registry.pushImage('acme/swapped', '1.0', { seed: 'swapped' });
  const text = `FROM ${registry.host}/acme/swapped:1.0\n`;
  const dir = await checkout({ Dockerfile: text, 'other/Dockerfile': text });
  const target = path.join(scratch, 'outside-target');
  await writeFile(target, 'not yours\n');
  // The registry is reached through a forwarder that, at the first request (the files are read by
  // then, and nothing is written yet), replaces the Dockerfile with a link to a file outside.
  let swapped = false;
  const forwarder = http.createServer((req, res) => {
    const forward = () =>
      req.pipe(
        http.request(new URL(req.url!, registry.url), { method: req.method, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode!, up.headers);
          up.pipe(res);
        }),
      );
    if (swapped) return forward();
    swapped = true;
    const file = path.join(dir, 'Dockerfile');
    void rename(file, `${file}.moved`)
      .then(() => symlink(target, file))
      .then(forward);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const { port } = forwarder.address() as { port: number };
  const rules = path.join(scratch, 'swap-registries.yml');
  await writeFile(
    rules,
    `registries:\n  - host: ${registry.host}\n    url: http://127.0.0.1:${port}\n    allowPrivate: true\n`,
  );
  try {
    const result = await scanWithRules(rules, dir, '--apply');
    expect(swapped).toBe(true);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('error: Dockerfile  a symbolic link, not a regular file; not written\n');
    expect(result.stdout).toContain('wrote other/Dockerfile\n');
  } finally {
    await new Promise((resolve) => forwarder.close(resolve));
  }
  expect(await readFile(target, 'utf8')).toBe('not yours\n');
  expect(await readlink(path.join(dir, 'Dockerfile'))).toBe(target);
  expect(await readFile(path.join(dir, 'Dockerfile.moved'), 'utf8')).toBe(text);
  expect(await readFile(path.join(dir, 'other/Dockerfile'), 'utf8')).toBe(
    `FROM ${registry.host}/acme/swapped:1.0@${base.digest}\n`,
  );
});
