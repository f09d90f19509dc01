// The registry side of a scan: asks the registry what the pure plan says it needs, in rounds,
// until the plan needs nothing more. Every failure becomes an answer; nothing here throws.
import pLimit from 'p-limit';
import type { RepoConfig } from '../config/types.js';
import { imageName } from '../image/reference.js';
import {
  emptyAnswers,
  isNothingNeeded,
  manifestKey,
  platformManifestKey,
  type LookupAnswers,
  type LookupError,
  type LookupsNeeded,
} from '../plan/lookups.js';
import { lookupsNeeded, type FileUse } from '../plan/plan.js';
import { RegistryError, type RegistryLookup } from '../registry/types.js';
import { errorMessage } from '../errors.js';

export interface LookupRoundsInput {
  config: RepoConfig;
  registry: RegistryLookup;
  /** Called as registry lookups finish: (done, total so far). */
  onProgress?: (done: number, total: number) => void;
  /** Tag answers cached before this moment are fetched again (the trigger's time; a sweep's start). */
  freshAfter?: Date;
}

/** Registry lookups in flight at once for one repository (the client also coalesces across them). */
const LOOKUP_CONCURRENCY = 8;

/**
 * The plan asks in rounds: tags → a candidate's manifest → its platform manifest, and again for each
 * older candidate tried when a newer one lacks a platform (at most three), so eight always suffice.
 */
const MAX_LOOKUP_ROUNDS = 8;

function asLookupError(err: unknown): LookupError {
  if (err instanceof RegistryError) return { error: err.message, code: err.code };
  return { error: errorMessage(err) };
}

export async function fetchAnswers(
  uses: FileUse[],
  input: LookupRoundsInput,
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
          settle(answers.tags, imageName(r), () => registry.listTags(r.registry, r.repository, freshness)),
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
