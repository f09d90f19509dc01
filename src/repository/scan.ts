// One repository scan over already-read files: extract → look up (in rounds, as the pure plan
// asks) → plan → check each edit through the rewriter → group into branch plans. Used by the
// app (files from GitHub) and by `freshbase scan` (files from a local checkout).
import type { RepoConfig } from '../config/types.js';
import { extractImages } from '../dockerfile/extract.js';
import { writableUpdates } from '../plan/apply.js';
import { groupPlans } from '../plan/group.js';
import { byPosition, planUpdates, type FileUse } from '../plan/plan.js';
import type { RepoFile, RepositoryScan, SkippedReference } from '../plan/types.js';
import type { ExtractResult } from '../dockerfile/types.js';
import { fetchAnswers, type LookupRoundsInput } from './lookup-rounds.js';

export interface ScanInput extends LookupRoundsInput {
  repoFullName: string;
  /** Files already selected by config (isPathSelected). */
  files: RepoFile[];
  config: RepoConfig;
  now: Date;
}

export async function scanRepository(input: ScanInput): Promise<RepositoryScan> {
  const extracted = input.files.map((f) => extractImages(f.path, f.content));
  const uses: FileUse[] = extracted.flatMap((e) => e.images.map((use) => ({ file: e.file, use })));
  const { answers, lookups } = await fetchAnswers(uses, input);
  const planned = planUpdates({ uses, answers, config: input.config, now: input.now });
  const writable = writableUpdates(input.files, planned.updates);
  const errors = [...planned.errors, ...writable.errors];
  const plans = groupPlans(writable.updates, input.config, input.repoFullName, input.now);
  const skipped = [...notImages(extracted), ...planned.notLookedUp].sort(byPosition);
  return { extracted, updates: writable.updates, errors, held: planned.held, skipped, plans, lookups };
}

/** What extraction set aside as not an image to look up; unreadable references are errors instead. */
function notImages(extracted: ExtractResult[]): SkippedReference[] {
  return extracted.flatMap(({ file, skipped }) =>
    skipped.flatMap(({ line, written, reason }) =>
      reason === 'stage' || reason === 'scratch' || reason === 'variable'
        ? [{ file, line, image: written, reason }]
        : [],
    ),
  );
}
