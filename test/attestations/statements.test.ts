import {
  MAX_PACKAGES,
  parseProvenanceRevision,
  parseSbomStatement,
  statementKind,
} from '../../src/attestations/statements.js';
import { provenanceStatement, spdxStatement } from '../support/attestations.js';

const bytes = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('statementKind', () => {
  it.each([
    ['https://spdx.dev/Document', 'sbom'],
    ['https://spdx.dev/Document/v2.3', 'sbom'],
    ['https://slsa.dev/provenance/v0.2', 'provenance'],
    ['https://slsa.dev/provenance/v1', 'provenance'],
    ['https://slsa.dev/provenance/v0.1', null],
    ['https://cyclonedx.org/bom', null],
    [undefined, null],
  ])('%s → %s', (type, kind) => {
    expect(statementKind(type)).toBe(kind);
  });
});

describe('parseSbomStatement', () => {
  it('reads every SPDX package name and version', () => {
    const packages = [
      { name: 'openssl', version: '3.0.11-1~deb12u2' },
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1' },
    ];
    expect(parseSbomStatement(bytes(spdxStatement(packages)))).toEqual(packages);
  });

  it('streams a large document across chunk boundaries without losing a package', () => {
    const packages = Array.from({ length: 5000 }, (_, i) => ({ name: `lib-${i}`, version: `1.${i}.0-1` }));
    const document = bytes(spdxStatement(packages));
    expect(document.length).toBeGreaterThan(4 * 64 * 1024);
    expect(parseSbomStatement(document)).toEqual(packages);
  });

  it('keeps packages without a version as empty, skips nameless ones and cuts hostile lengths', () => {
    const statement = {
      predicate: {
        packages: [{ name: 'a' }, { versionInfo: '1' }, { name: 'x'.repeat(10_000), versionInfo: 2 }, 'junk'],
      },
    };
    expect(parseSbomStatement(bytes(statement))).toEqual([
      { name: 'a', version: '' },
      { name: 'x'.repeat(200), version: '' },
    ]);
  });

  it('stops keeping packages at the cap', () => {
    const statement = {
      predicate: { packages: Array.from({ length: MAX_PACKAGES + 10 }, () => ({ name: 'p' })) },
    };
    expect(parseSbomStatement(bytes(statement))).toHaveLength(MAX_PACKAGES);
  });

  it('refuses bytes that are not JSON', () => {
    expect(() => parseSbomStatement(Buffer.from('{"predicate": {"packages": [ {'))).toThrow(/not valid JSON/);
    expect(() => parseSbomStatement(Buffer.from('<html>'))).toThrow(/not valid JSON/);
  });
});

describe('parseProvenanceRevision', () => {
  const revision = '0123456789abcdef0123456789abcdef01234567';

  it.each(['v0.2', 'v1'] as const)('reads the source revision of SLSA provenance %s', (version) => {
    expect(parseProvenanceRevision(bytes(provenanceStatement(revision, version)))).toBe(revision);
  });

  it('falls back to BuildKit VCS metadata and to git materials', () => {
    const vcs = {
      predicate: { metadata: { 'https://mobyproject.org/buildkit@v1#metadata': { vcs: { revision } } } },
    };
    expect(parseProvenanceRevision(bytes(vcs))).toBe(revision);
    const materials = {
      predicate: { materials: [{ uri: 'git+https://x/y.git', digest: { sha1: revision } }] },
    };
    expect(parseProvenanceRevision(bytes(materials))).toBe(revision);
  });

  it('is null when no revision is named, and refuses non-JSON', () => {
    expect(parseProvenanceRevision(bytes({ predicate: { invocation: {} } }))).toBeNull();
    expect(() => parseProvenanceRevision(Buffer.from('nope'))).toThrow(/not JSON/);
  });
});
