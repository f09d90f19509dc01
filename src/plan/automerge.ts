// Whether a pull request may be merged by GitHub's auto-merge (config `automerge`), decided from
// its plan alone. Two gates, both for every update in the PR:
//   1. its kind is one the config lists for that image (`automerge: [pin, digest]`, per rule);
//   2. the SBOM gate: a pin changes nothing that is built and passes; any other update must have
//      an SBOM comparison in which no package was added or removed and every changed package kept
//      its upstream version, changing only the distribution's revision (Debian `-1~deb12u1` →
//      `-1~deb12u2`, Alpine `-r0` → `-r1`). An image without an SBOM, or one that could not be
//      read, is never merged automatically: nobody could say what it changes.
import { policyFor } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import type { PlannedUpdate } from './types.js';

export type AutomergeDecision = { enable: true } | { enable: false; reason: string };

/**
 * The upstream part of a package version: everything before the distribution's revision, which is
 * the last `-` part (Debian `3.0.11-1~deb12u2` → `3.0.11`, Alpine `1.36.1-r5` → `1.36.1`, RPM
 * release likewise). A version without `-` is all upstream.
 */
export function upstreamVersion(version: string): string {
  const cut = version.lastIndexOf('-');
  return cut > 0 ? version.slice(0, cut) : version;
}

/** Why the update fails the SBOM gate, or null when it passes. */
export function sbomGateProblem(update: Pick<PlannedUpdate, 'kind' | 'changes'>): string | null {
  if (update.kind === 'pin') return null;
  const report = update.changes;
  if (report === undefined) return 'what changed was not compared';
  if (report.status === 'no-sbom') return 'the image publishes no SBOM';
  if (report.status === 'unreadable') return 'its SBOM could not be read';
  const { changed, added, removed } = report.changes.packages;
  if (added.length > 0 || removed.length > 0)
    return `packages were ${added.length > 0 ? 'added' : 'removed'}`;
  const moved = changed.find((p) => upstreamVersion(p.from) !== upstreamVersion(p.to));
  return moved ? `${moved.name} changed its upstream version (${moved.from} → ${moved.to})` : null;
}

export function automergeDecision(updates: PlannedUpdate[], config: RepoConfig): AutomergeDecision {
  if (updates.length === 0) return { enable: false, reason: 'no updates' };
  for (const u of updates) {
    const kinds = policyFor(config, u.imageName).automerge;
    if (!kinds.includes(u.kind))
      return { enable: false, reason: `${u.image}: ${u.kind} updates are not set to automerge` };
    const problem = sbomGateProblem(u);
    if (problem) return { enable: false, reason: `${u.image}: ${problem}` };
  }
  return { enable: true };
}
