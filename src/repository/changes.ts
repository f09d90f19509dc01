// Explains the updates that will be proposed: each one's SBOM/provenance comparison is read and
// attached, and the branch plans (whose bodies show it) are grouped again. Called only for updates
// that survive declines and the schedule window, so attestations are fetched only when they are shown.
import pLimit from 'p-limit';
import type { AttestationReader } from '../attestations/read.js';
import type { RepoConfig } from '../config/types.js';
import { groupPlans } from '../plan/group.js';
import type { PlannedUpdate, RepositoryScan } from '../plan/types.js';

/** Updates compared at once; each reads a few documents, the reader coalesces shared ones. */
const COMPARE_CONCURRENCY = 4;

export interface ExplainInput {
  scan: RepositoryScan;
  attestations: AttestationReader;
  config: RepoConfig;
  repoFullName: string;
  now: Date;
}

export async function explainUpdates(input: ExplainInput): Promise<RepositoryScan> {
  const limit = pLimit(COMPARE_CONCURRENCY);
  const updates: PlannedUpdate[] = await Promise.all(
    input.scan.updates.map((u) =>
      limit(async () => ({
        ...u,
        changes: await input.attestations.compare({
          repo: { registry: u.use.registry, repository: u.use.repository },
          platforms: u.platforms,
          before: u.current,
          after: u.target,
        }),
      })),
    ),
  );
  return { ...input.scan, updates, plans: groupPlans(updates, input.config, input.repoFullName, input.now) };
}
