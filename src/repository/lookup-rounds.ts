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
  registryLookupCount,
  sightingKey,
  type LookupAnswers,
  type LookupError,
  type LookupsNeeded,
} from '../plan/lookups.js';
import { lookupsNeeded, MAX_LOOKUP_ROUNDS, type FileUse } from '../plan/plan.js';
import { RegistryError, type RegistryLookup } from '../registry/types.js';
import { errorMessage } from '../errors.js';
import { recordFirstSeen } from '../state/first-seen.js';
import type { StateStore } from '../state/types.js';

export interface LookupRoundsInput {
  config: RepoConfig;
  registry: RegistryLookup;
  /** Called as registry lookups finish: (done, total so far). */
  onProgress?: (done: number, total: number) => void;
  /** Tag answers cached before this moment are fetched again (the trigger's time; a sweep's start). */
  freshAfter?: Date;
  /** Records and answers first-seen times of the digests the plan considers. */
  state: StateStore;
  /** The scan's time: a digest first seen in this scan is recorded as seen now. */
  now: Date;
}

/** Registry lookups in flight at once for one repository (the client also coalesces across them). */
const LOOKUP_CONCURRENCY = 8;

function asLookupError(err: unknown): LookupError {
  if (err instanceof RegistryError) return { error: err.message, code: err.code };
  return { error: errorMessage(err) };
}

/** One store call per round for every sighting asked; a failing store answers each with its error. */
async function recordSightings(needed: LookupsNeeded, input: LookupRoundsInput, answers: LookupAnswers) {
  if (needed.firstSeen.length === 0) return;
  try {
    const times = await recordFirstSeen(input.state, needed.firstSeen.map(sightingKey), input.now);
    needed.firstSeen.forEach((sighting, i) => answers.firstSeen.set(sightingKey(sighting), times[i]!));
  } catch (err) {
    const error = asLookupError(err);
    for (const sighting of needed.firstSeen) answers.firstSeen.set(sightingKey(sighting), error);
  }
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
    const needed: LookupsNeeded = lookupsNeeded(uses, config, input.now, answers);
    if (isNothingNeeded(needed)) return { answers, lookups: total };
    total += registryLookupCount(needed);
    await Promise.all([
      recordSightings(needed, input, answers),
      ...needed.digests.map((t) =>
        limit(() => settle(answers.digests, manifestKey(t), () => registry.digest(t, freshness))),
      ),
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
