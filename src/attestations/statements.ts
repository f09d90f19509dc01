// In-toto statements as BuildKit attaches them: an SPDX SBOM (read as a stream, packages only) and
// SLSA provenance v0.2 / v1 (the source revision). Pure: bytes in, facts out.
import { errorMessage } from '../errors.js';
import { JSONParser } from '@streamparser/json';
import type { SbomPackage } from './types.js';

export const IN_TOTO_LAYER = 'application/vnd.in-toto+json';
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

export type StatementKind = 'sbom' | 'provenance';

/** `https://spdx.dev/Document` (any version suffix); SLSA provenance v0.2 and v1. */
export function statementKind(predicateType: string | undefined): StatementKind | null {
  if (!predicateType) return null;
  if (predicateType.startsWith('https://spdx.dev/Document')) return 'sbom';
  if (/^https:\/\/slsa\.dev\/provenance\/v(0\.2|1)$/.test(predicateType)) return 'provenance';
  return null;
}

/** Chunk size fed to the streaming parser: the whole document is never one string. */
const CHUNK_BYTES = 64 * 1024;
/** Longest package name or version kept; longer ones are cut (hostile SBOMs). */
const MAX_FIELD_CHARS = 200;
/** At most this many packages are kept from one SBOM; real images have a few thousand. */
export const MAX_PACKAGES = 50_000;

function field(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value.slice(0, MAX_FIELD_CHARS) : null;
}

/**
 * The SPDX packages of an in-toto statement, parsed as a stream: only `predicate.packages[*]` is
 * built, one package at a time, so a large SBOM costs its bytes and the package list, not a tree.
 */
export function parseSbomStatement(bytes: Buffer): SbomPackage[] {
  const packages: SbomPackage[] = [];
  const parser = new JSONParser({ paths: ['$.predicate.packages.*'], keepStack: false });
  parser.onValue = ({ value }) => {
    if (packages.length >= MAX_PACKAGES || typeof value !== 'object' || value === null) return;
    const { name, versionInfo } = value as Record<string, unknown>;
    const packageName = field(name);
    if (packageName) packages.push({ name: packageName, version: field(versionInfo) ?? '' });
  };
  try {
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      parser.write(bytes.subarray(offset, offset + CHUNK_BYTES));
    }
    if (!parser.isEnded) parser.end();
  } catch (error) {
    throw new Error(`SBOM statement is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  return packages;
}

const BUILDKIT_METADATA = 'https://mobyproject.org/buildkit@v1#metadata';

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function gitCommit(dependencies: unknown): string | null {
  if (!Array.isArray(dependencies)) return null;
  for (const dependency of dependencies) {
    const uri = field(at(dependency, 'uri'));
    const commit = field(at(dependency, 'digest', 'sha1')) ?? field(at(dependency, 'digest', 'gitCommit'));
    if (uri?.startsWith('git') && commit) return commit;
  }
  return null;
}

/**
 * The source revision a SLSA provenance statement names: BuildKit's config source digest, its VCS
 * metadata, else the first git material / resolved dependency. Null when it names none.
 */
export function parseProvenanceRevision(bytes: Buffer): string | null {
  let statement: unknown;
  try {
    statement = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('provenance statement is not JSON');
  }
  const predicate = at(statement, 'predicate');
  const v1 = at(predicate, 'buildDefinition') !== undefined;
  const candidates = v1
    ? [
        at(predicate, 'buildDefinition', 'externalParameters', 'configSource', 'digest', 'sha1'),
        at(predicate, 'runDetails', 'metadata', BUILDKIT_METADATA, 'vcs', 'revision'),
        gitCommit(at(predicate, 'buildDefinition', 'resolvedDependencies')),
      ]
    : [
        at(predicate, 'invocation', 'configSource', 'digest', 'sha1'),
        at(predicate, 'metadata', BUILDKIT_METADATA, 'vcs', 'revision'),
        gitCommit(at(predicate, 'materials')),
      ];
  return candidates.map(field).find((revision) => revision !== null) ?? null;
}
