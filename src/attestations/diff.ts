// The SBOM diff: which packages changed version, appeared or went away between two images, per
// platform and together. Pure: no I/O.
import type { ImageAttestations, ImageChanges, PackageDiff, SbomPackage } from './types.js';

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** A package name with every version the SBOM lists for it (some images ship two). */
function versions(packages: SbomPackage[]): Map<string, string> {
  const sets = new Map<string, Set<string>>();
  for (const { name, version } of packages) {
    const set = sets.get(name) ?? new Set<string>();
    set.add(version);
    sets.set(name, set);
  }
  return new Map([...sets].map(([name, set]) => [name, [...set].sort().join(', ')]));
}

export function diffPackages(before: SbomPackage[], after: SbomPackage[]): PackageDiff {
  const old = versions(before);
  const now = versions(after);
  const diff: PackageDiff = { changed: [], added: [], removed: [] };
  for (const [name, to] of now) {
    const from = old.get(name);
    if (from === undefined) diff.added.push({ name, version: to });
    else if (from !== to) diff.changed.push({ name, from, to });
  }
  for (const [name, version] of old) if (!now.has(name)) diff.removed.push({ name, version });
  diff.changed.sort(byName);
  diff.added.sort(byName);
  diff.removed.sort(byName);
  return diff;
}

function key(diff: PackageDiff): string {
  return JSON.stringify(diff);
}

function union(diffs: PackageDiff[]): PackageDiff {
  const unique = <T>(items: T[]): T[] => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  return {
    changed: unique(diffs.flatMap((d) => d.changed)).sort(byName),
    added: unique(diffs.flatMap((d) => d.added)).sort(byName),
    removed: unique(diffs.flatMap((d) => d.removed)).sort(byName),
  };
}

export function isEmptyDiff(diff: PackageDiff): boolean {
  return diff.changed.length + diff.added.length + diff.removed.length === 0;
}

export interface PlatformAttestations {
  platform: string;
  before: ImageAttestations;
  after: ImageAttestations;
}

/**
 * The changes over the platforms built. Only platforms with an SBOM on both sides are compared;
 * null when there is none. The source changed when any platform's provenance names another revision.
 */
export function compareImages(platforms: PlatformAttestations[]): ImageChanges | null {
  const compared = platforms.flatMap(({ platform, before, after }) =>
    before.packages && after.packages
      ? [{ platform, packages: diffPackages(before.packages, after.packages) }]
      : [],
  );
  if (compared.length === 0) return null;
  const revisions = platforms.filter((p) => p.before.revision !== null && p.after.revision !== null);
  const sourceChanged =
    revisions.length === 0 ? null : revisions.some((p) => p.before.revision !== p.after.revision);
  const allSame = compared.every((p) => key(p.packages) === key(compared[0]!.packages));
  return {
    platforms: compared.map((p) => p.platform),
    packages: union(compared.map((p) => p.packages)),
    sourceChanged,
    byPlatform: allSame ? [] : compared,
  };
}

/** One line for a table: `12 packages changed: openssl 3.0.11-1 → 3.0.13-1, …; 1 added`. */
export function summarizeChanges(changes: ImageChanges, shown = 2): string {
  const { changed, added, removed } = changes.packages;
  const parts: string[] = [];
  if (changed.length > 0) {
    const examples = changed
      .slice(0, shown)
      .map((c) => `${c.name} ${c.from} → ${c.to}`)
      .join(', ');
    const more = changed.length > shown ? ', …' : '';
    parts.push(`${changed.length} package${changed.length === 1 ? '' : 's'} changed: ${examples}${more}`);
  }
  if (added.length > 0) parts.push(`${added.length} added`);
  if (removed.length > 0) parts.push(`${removed.length} removed`);
  if (parts.length === 0) parts.push('no package changed');
  if (changes.sourceChanged === true) parts.push('new source revision');
  if (changes.sourceChanged === false) parts.push('same source rebuilt');
  return parts.join('; ');
}
