// Orchestration of one repository scan over already-read files: extract → lookup (in rounds, as
// the pure plan asks) → plan → check each edit through the rewriter → group into branch plans.
import pLimit from 'p-limit';
import type { RepoConfig } from '../config/types.js';
import { extractImages } from '../dockerfile/extract.js';
import { rewrite } from '../dockerfile/rewrite.js';
import type { ExtractResult, ImageEdit } from '../dockerfile/types.js';
import { RegistryError, type RegistryLookup } from '../registry/types.js';
import { groupPlans } from './group.js';
import {
  emptyAnswers,
  isNothingNeeded,
  manifestKey,
  platformManifestKey,
  repositoryKey,
  type LookupAnswers,
  type LookupError,
  type LookupsNeeded,
} from './lookups.js';
import { lookupsNeeded, planUpdates, type FileUse } from './plan.js';
import type { BranchPlan, LookupFailure, PlannedUpdate } from './types.js';

export interface RepoFile {
  path: string;
  content: string;
}

export interface RepositoryScan {
  extracted: ExtractResult[];
  updates: PlannedUpdate[];
  errors: LookupFailure[];
  plans: BranchPlan[];
  /** Registry lookups the scan asked for (each question once per repository). */
  lookups: number;
}

export interface ScanInput {
  repoFullName: string;
  /** Files already selected by config (isPathSelected). */
  files: RepoFile[];
  config: RepoConfig;
  registry: RegistryLookup;
  now: Date;
  /** Called as registry lookups finish: (done, total so far). */
  onProgress?: (done: number, total: number) => void;
  /** Tag answers cached before this moment are fetched again (the trigger's time; a sweep's start). */
  freshAfter?: Date;
}

/** Registry lookups in flight at once for one repository (the client also coalesces across them). */
const LOOKUP_CONCURRENCY = 8;

/** The plan asks in rounds; three suffice (tags → new tag's manifest → its platform). */
const MAX_LOOKUP_ROUNDS = 5;

function asLookupError(err: unknown): LookupError {
  if (err instanceof RegistryError) return { error: err.message, code: err.code };
  return { error: err instanceof Error ? err.message : String(err) };
}

async function fetchAnswers(
  uses: FileUse[],
  input: ScanInput,
): Promise<{ answers: LookupAnswers; lookups: number }> {
  const { registry, config } = input;
  const limit = pLimit(LOOKUP_CONCURRENCY);
  const answers = emptyAnswers();
  const freshness = { notBefore: input.freshAfter?.getTime() };
  let done = 0;
  let total = 0;
  const settle = async <T>(store: Map<string, T | LookupError>, key: string, work: () => Promise<T>) => {
    try {
      store.set(key, await work());
    } catch (err) {
      store.set(key, asLookupError(err));
    }
    input.onProgress?.(++done, total);
  };
  for (let round = 0; round < MAX_LOOKUP_ROUNDS; round++) {
    const needed: LookupsNeeded = lookupsNeeded(uses, config, answers);
    if (isNothingNeeded(needed)) return { answers, lookups: total };
    total += needed.manifests.length + needed.tags.length + needed.platformManifests.length;
    await Promise.all([
      ...needed.manifests.map((t) =>
        limit(() => settle(answers.manifests, manifestKey(t), () => registry.resolve(t, freshness))),
      ),
      ...needed.tags.map((r) =>
        limit(() =>
          settle(answers.tags, repositoryKey(r), () =>
            registry.listTags(r.registry, r.repository, freshness),
          ),
        ),
      ),
      ...needed.platformManifests.map((q) =>
        limit(() =>
          settle(answers.platformManifests, platformManifestKey(q), () =>
            registry.resolvePlatform(q.target, q.platform, freshness),
          ),
        ),
      ),
    ]);
  }
  // Unanswered questions become per-image failures in planUpdates; never loop forever.
  return { answers, lookups: total };
}

function editFor(update: PlannedUpdate): ImageEdit {
  const edit: ImageEdit = { use: update.use };
  if (update.to.tag !== update.from.tag && update.to.tag !== null) edit.tag = update.to.tag;
  if (update.to.digest !== update.from.digest) edit.digest = update.to.digest;
  return edit;
}

/** The files the updates change, with their new content (through the verified rewriter). */
export function applyUpdates(files: RepoFile[], updates: PlannedUpdate[]): RepoFile[] {
  const changed: RepoFile[] = [];
  for (const file of files) {
    const edits = updates.filter((u) => u.file === file.path).map(editFor);
    if (edits.length === 0) continue;
    const content = rewrite(file.content, edits);
    if (content !== file.content) changed.push({ path: file.path, content });
  }
  return changed;
}

/**
 * Keeps only updates the rewriter can write and verify. A file's updates are tried together
 * first; when that fails, one by one, so one unwritable edit does not hold back the others.
 */
function writableUpdates(
  files: RepoFile[],
  updates: PlannedUpdate[],
): { updates: PlannedUpdate[]; errors: LookupFailure[] } {
  const kept: PlannedUpdate[] = [];
  const errors: LookupFailure[] = [];
  for (const file of files) {
    const mine = updates.filter((u) => u.file === file.path);
    if (mine.length === 0) continue;
    try {
      rewrite(file.content, mine.map(editFor));
      kept.push(...mine);
      continue;
    } catch {
      // fall through to one by one
    }
    for (const u of mine) {
      try {
        rewrite(file.content, [editFor(u)]);
        kept.push(u);
      } catch (err) {
        errors.push({ file: u.file, line: u.line, image: u.image, error: (err as Error).message });
      }
    }
  }
  return { updates: kept, errors };
}

export async function scanRepository(input: ScanInput): Promise<RepositoryScan> {
  const extracted = input.files.map((f) => extractImages(f.path, f.content));
  const uses: FileUse[] = extracted.flatMap((e) => e.images.map((use) => ({ file: e.file, use })));
  const { answers, lookups } = await fetchAnswers(uses, input);
  const planned = planUpdates({ uses, answers, config: input.config });
  const writable = writableUpdates(input.files, planned.updates);
  const errors = [...planned.errors, ...writable.errors];
  const plans = groupPlans(writable.updates, input.config, input.repoFullName, input.now);
  return { extracted, updates: writable.updates, errors, plans, lookups };
}
