// Attestation documents as BuildKit writes them, built by the tests themselves: an in-toto statement
// whose predicate is an SPDX document, and SLSA provenance v0.2 / v1 statements naming a git revision.
import type { SbomPackage } from '../../src/attestations/types.js';

export interface AttestationSpec {
  /** SBOM packages; omit for an attestation manifest without an SBOM. */
  packages?: SbomPackage[];
  /** Source revision in the provenance; omit for no provenance. */
  revision?: string;
  provenance?: 'v0.2' | 'v1';
}

const SUBJECT = [{ name: 'pkg:docker/acme/app', digest: { sha256: '0'.repeat(64) } }];

export function spdxStatement(packages: SbomPackage[]): unknown {
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: SUBJECT,
    predicate: {
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'sbom',
      creationInfo: { created: '2024-05-01T00:00:00Z', creators: ['Tool: freshbase-test'] },
      packages: packages.map((p, i) => ({
        name: p.name,
        SPDXID: `SPDXRef-Package-${i}`,
        versionInfo: p.version,
        downloadLocation: 'NOASSERTION',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: `pkg:deb/debian/${p.name}@${p.version}`,
          },
        ],
      })),
      relationships: [],
    },
  };
}

export function provenanceStatement(revision: string, version: 'v0.2' | 'v1' = 'v0.2'): unknown {
  const source = 'https://github.com/acme/app.git';
  if (version === 'v0.2') {
    return {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: SUBJECT,
      predicate: {
        builder: { id: '' },
        buildType: 'https://mobyproject.org/buildkit@v1',
        materials: [{ uri: 'pkg:docker/debian@bookworm', digest: { sha256: '1'.repeat(64) } }],
        invocation: { configSource: { uri: source, digest: { sha1: revision }, entryPoint: 'Dockerfile' } },
        metadata: { 'https://mobyproject.org/buildkit@v1#metadata': { vcs: { source, revision } } },
      },
    };
  }
  return {
    _type: 'https://in-toto.io/Statement/v1',
    predicateType: 'https://slsa.dev/provenance/v1',
    subject: SUBJECT,
    predicate: {
      buildDefinition: {
        buildType: 'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
        externalParameters: { configSource: { uri: source, digest: { sha1: revision }, path: 'Dockerfile' } },
        resolvedDependencies: [{ uri: `git+${source}`, digest: { sha1: revision } }],
      },
      runDetails: { builder: { id: '' }, metadata: {} },
    },
  };
}
