// What changed, read from attestation manifests we push ourselves to the real distribution registry:
// `scan --json` changes, the table's one-line summary, an update where only an unused platform was
// re-published, an image without attestations, and the reader's verification, cap and cache.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AttestationReader } from '../../src/attestations/read.js';
import type { SbomPackage } from '../../src/attestations/types.js';
import { runScan } from '../../src/cli/scan.js';
import { createRegistryClient } from '../../src/registry/client.js';
import type { Platform } from '../../src/registry/types.js';
import type { AttestationSpec } from '../support/attestations.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const R1 = '1111111111111111111111111111111111111111';
const R2 = '2222222222222222222222222222222222222222';

const OLD: SbomPackage[] = [
  { name: 'openssl', version: '3.0.11-1~deb12u2' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
  { name: 'libgcc-s1', version: '12.2.0-14' },
];
const NEW: SbomPackage[] = [
  { name: 'openssl', version: '3.0.13-1~deb12u1' },
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
  { name: 'libgcc-s1', version: '12.2.0-14' },
  { name: 'curl', version: '7.88.1-10+deb12u5' },
];

let registry: TestRegistry;
let scratch: string;
let rulesFile: string;

beforeAll(async () => {
  registry = await startRegistry();
  scratch = await mkdtemp(path.join(tmpdir(), 'freshbase-attest-'));
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

async function scan(files: Record<string, string>, ...flags: string[]) {
  const dir = await mkdtemp(path.join(scratch, 'repo-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  let stdout = '';
  let stderr = '';
  const code = await runScan(
    [dir, ...flags],
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    { FRESHBASE_REGISTRIES: rulesFile, FRESHBASE_DATA_DIR: path.join(scratch, 'data') },
  );
  return { code, stdout, stderr };
}

function image(platform: Platform, seed: string, attestation?: AttestationSpec) {
  return { platform, seed: `${seed}-${platform.architecture}`, ...(attestation ? { attestation } : {}) };
}

test('scan --json gives what changed between the pinned and the new image; the table sums it up', async () => {
  const before = await registry.pushIndex('acme/att', '1.0', {
    images: [AMD64, ARM64].map((p) => image(p, 'old', { packages: OLD, revision: R1 })),
  });
  const after = await registry.pushIndex('acme/att', '1.0', {
    images: [AMD64, ARM64].map((p) => image(p, 'new', { packages: NEW, revision: R2, provenance: 'v1' })),
  });
  expect(Object.keys(after.attestations)).toHaveLength(2);
  const files = { Dockerfile: `FROM ${registry.host}/acme/att:1.0@${before.digest}\n` };

  const result = await scan(files, '--json');
  expect(result.code).toBe(0);
  const output = JSON.parse(result.stdout) as { updates: unknown[] };
  expect(output.updates).toEqual([
    {
      file: 'Dockerfile',
      line: 1,
      image: `${registry.host}/acme/att`,
      from: { tag: '1.0', digest: before.digest },
      to: { tag: '1.0', digest: after.digest },
      kind: 'digest',
      firstSeen: expect.any(String),
      changes: {
        platforms: ['linux/amd64', 'linux/arm64/v8'],
        packages: {
          changed: [{ name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.13-1~deb12u1' }],
          added: [{ name: 'curl', version: '7.88.1-10+deb12u5' }],
          removed: [],
        },
        sourceChanged: true,
      },
    },
  ]);

  const table = await scan(files);
  expect(table.stdout).toContain(
    `changes: Dockerfile:1 ${registry.host}/acme/att: 1 package changed: openssl 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1; 1 added; new source revision\n`,
  );
});

test('a new index where only a platform the repository does not build changed is not proposed', async () => {
  const amd = image(AMD64, 'same', { packages: OLD, revision: R1 });
  const before = await registry.pushIndex('acme/unused', '2.0', {
    images: [amd, image(ARM64, 'arm-old', { packages: OLD, revision: R1 })],
  });
  const after = await registry.pushIndex('acme/unused', '2.0', {
    images: [amd, image(ARM64, 'arm-new', { packages: NEW, revision: R1 })],
  });
  expect(after.children[0]!.digest).toBe(before.children[0]!.digest);
  const reference = `${registry.host}/acme/unused:2.0@${before.digest}`;

  const amd64Only = await scan(
    { '.github/freshbase.yml': 'platforms: [linux/amd64]\n', Dockerfile: `FROM ${reference}\n` },
    '--json',
  );
  expect(JSON.parse(amd64Only.stdout)).toEqual({
    updates: [],
    skipped: [],
    held: [
      {
        file: 'Dockerfile',
        line: 1,
        image: `${registry.host}/acme/unused`,
        from: { tag: '2.0', digest: before.digest },
        to: { tag: '2.0', digest: after.digest },
        reason: 'unchanged for linux/amd64: only other platforms or attestations were re-published',
      },
    ],
    errors: [],
  });

  // Building every platform of the index, the arm64 change is proposed and explained for arm64 only.
  const all = await scan({ Dockerfile: `FROM ${reference}\n` }, '--json');
  const [update] = (JSON.parse(all.stdout) as { updates: Array<{ changes: unknown }> }).updates;
  expect(update!.changes).toEqual({
    platforms: ['linux/amd64', 'linux/arm64/v8'],
    packages: {
      changed: [{ name: 'openssl', from: '3.0.11-1~deb12u2', to: '3.0.13-1~deb12u1' }],
      added: [{ name: 'curl', version: '7.88.1-10+deb12u5' }],
      removed: [],
    },
    sourceChanged: false,
  });
});

test('an image without attestations gives changes null and says so in one line', async () => {
  const before = await registry.pushIndex('acme/plain', '3.0', { images: [image(AMD64, 'a')] });
  await registry.pushIndex('acme/plain', '3.0', { images: [image(AMD64, 'b')] });
  const files = { Dockerfile: `FROM ${registry.host}/acme/plain:3.0@${before.digest}\n` };
  const json = JSON.parse((await scan(files, '--json')).stdout) as { updates: Array<{ changes: unknown }> };
  expect(json.updates.map((u) => u.changes)).toEqual([null]);
  expect((await scan(files)).stdout).toContain(': no SBOM: the new image publishes no attestations\n');
});

describe('AttestationReader', () => {
  test('reads each statement once, by digest, and refuses one over the cap', async () => {
    const pushed = await registry.pushIndex('acme/reader', '1', {
      images: [image(AMD64, 'r', { packages: NEW, revision: R2 })],
    });
    const attestation = pushed.attestations[pushed.children[0]!.digest]!;
    const repo = { registry: registry.host, repository: 'acme/reader' };
    const client = createRegistryClient({ rules: [registry.hostRule()] });
    try {
      const reader = new AttestationReader(client);
      const [first, second] = await Promise.all([
        reader.read(repo, attestation),
        reader.read(repo, attestation),
      ]);
      expect(first).toEqual({ packages: NEW, revision: R2 });
      expect(second).toBe(first);
      await reader.read(repo, attestation);
      // Two statements (SBOM, provenance): two blob requests, however often they are asked for.
      expect(client.stats().requests.byKind.blob).toBe(2);

      const small = new AttestationReader(client, 100);
      await expect(small.read(repo, attestation)).rejects.toThrow(/over the 100-byte cap/);
    } finally {
      client.close();
    }
  });
});
