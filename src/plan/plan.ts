// Lookup policy → planned updates, one image use at a time. Pure: the registry answers come in as
// data (see lookups.ts), and the same decision code tells the I/O layer what to fetch.
import { policyFor } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import type { ImageUse } from '../dockerfile/types.js';
import { familiarName, imageName } from '../image/reference.js';
import { possibleKinds, rankUpdates } from '../image/versioning.js';
import type { ManifestInfo, Platform } from '../registry/types.js';
import {
  AnswerReader,
  emptyAnswers,
  isLookupError,
  type LookupAnswers,
  type LookupError,
  type LookupsNeeded,
} from './lookups.js';
import type { UpdateKind } from '../image/update-kind.js';
import { missingPlatforms, platformList, requiredPlatforms, unchangedFor } from './platforms.js';
import { soakReason, soakState, type YoungDigest } from './soak.js';
import type {
  HeldUpdate,
  LookupFailure,
  NotLookedUpReason,
  PlannedUpdate,
  SkippedReference,
} from './types.js';

export interface FileUse {
  file: string;
  use: ImageUse;
}

export interface PlanInput {
  uses: FileUse[];
  answers: LookupAnswers;
  config: RepoConfig;
  /** Soak times (minimumReleaseAge) are measured up to this moment. */
  now: Date;
}

export interface PlanResult {
  updates: PlannedUpdate[];
  errors: LookupFailure[];
  /** Updates found but not proposed (a platform missing, nothing changed for the platforms built). */
  held: HeldUpdate[];
  /** Image uses the policy does not look up at all, with why. */
  notLookedUp: SkippedReference[];
}

type Outcome =
  | { pending: true }
  | {
      pending: false;
      update: PlannedUpdate | null;
      failures: LookupError[];
      held: HeldUpdate[];
      notLookedUp?: NotLookedUpReason;
    };

const PENDING: Outcome = { pending: true };
const notLookedUp = (reason: NotLookedUpReason): Outcome => ({
  pending: false,
  update: null,
  failures: [],
  held: [],
  notLookedUp: reason,
});

/** Older candidates tried when newer ones lack a platform; each costs a lookup round. */
const MAX_CANDIDATES = 3;

/**
 * The most rounds of questions one image use can need, counted from how the plan asks: the tag
 * list and the tag's digest; the pinned manifest and the newest candidate's digest; three rounds
 * per candidate (its digest's first-seen time, or its manifest, its platform's manifest and its
 * first-seen time); and four for the digest refresh of the current tag (the same, after the wait
 * on its digest's age). The I/O loop stops there: a plan still asking is a defect, reported as
 * lookups not completed rather than looping.
 */
export const MAX_LOOKUP_ROUNDS = 2 + 3 * MAX_CANDIDATES + 4;

/** A pinned digest that is one platform's manifest: it must stay that platform's. */
interface SinglePlatformPin {
  platform: Platform | null;
}

/** A candidate that exists but is not proposed, and why. */
interface PassedOver {
  passedOver: string;
}

function isPassedOver(value: unknown): value is PassedOver {
  return typeof value === 'object' && value !== null && 'passedOver' in value;
}

function planUse({ file, use }: FileUse, config: RepoConfig, reader: AnswerReader, now: Date): Outcome {
  const repo = { registry: use.registry, repository: use.repository };
  const policy = policyFor(config, imageName(repo));
  const tag = use.tag;
  const editsReference = use.edit.kind === 'reference';
  // Digest-only references have no line to follow; under a digest that a tag-only edit cannot
  // change, a new tag would not change the image that is built.
  if (!policy.enabled) return notLookedUp('ignored');
  if (tag === null) return notLookedUp('digest-only');
  if (!editsReference && use.digest !== null) return notLookedUp('not-editable');
  const tagKinds = possibleKinds(tag).filter((kind) => policy.updates.includes(kind));
  const refreshesDigest =
    editsReference && (use.digest === null ? policy.pin : policy.updates.includes('digest'));
  if (tagKinds.length === 0 && !refreshesDigest) return notLookedUp('not-offered');
  const pinsDigest = editsReference && (use.digest !== null || policy.pin);

  // What may have moved is asked first: the tag list, and the digest the tag names now (a HEAD) for
  // a pinned reference, or under a soak time. Manifests are read (GET, hashed, described) only when
  // there is something to judge: a newer tag, a digest to pin, or a tag that moved off its pin.
  const soaks = policy.minimumReleaseAgeMs > 0;
  const tagTarget = { ...repo, reference: tag };
  const tags = tagKinds.length > 0 ? reader.tags(repo) : [];
  const tagDigest = refreshesDigest && (use.digest !== null || soaks) ? reader.digest(tagTarget) : null;
  const ranked =
    tags === undefined || isLookupError(tags)
      ? []
      : rankUpdates(tag, tags, tagKinds).slice(0, MAX_CANDIDATES);
  const moved =
    refreshesDigest && (use.digest === null || (tagDigest !== undefined && tagDigest !== use.digest));
  const judging = ranked.length > 0 || moved;
  // Asked together: the pinned manifest (its kind says which digest a candidate writes), and without
  // a soak time the current tag's and the newest candidate's (judged first whatever they say); under
  // one, the newest candidate's digest, whose age is judged before anything of it is read.
  const currentDigest =
    judging && use.digest !== null ? reader.manifest({ ...repo, reference: use.digest }) : null;
  if (judging && !soaks && (refreshesDigest || use.digest === null)) reader.manifest(tagTarget);
  if (ranked[0]) {
    const newest = { ...repo, reference: ranked[0].tag };
    if (soaks) reader.digest(newest);
    else reader.manifest(newest);
  }
  if (tags === undefined || tagDigest === undefined || currentDigest === undefined) return PENDING;
  const tagsFailure = isLookupError(tags) ? [prefixed('listing tags', tags)] : [];
  if (!judging) return { pending: false, update: null, failures: tagsFailure, held: [] };

  let pin: SinglePlatformPin | null = null;
  if (currentDigest !== null && isLookupError(currentDigest)) {
    // A deleted digest (registry clean-up) is the one to replace most; anything else is unknown.
    if (currentDigest.code !== 'not-found') {
      return { pending: false, update: null, failures: [prefixed(`${use.digest}`, currentDigest)], held: [] };
    }
  } else if (currentDigest !== null && !currentDigest.isIndex) {
    pin = { platform: currentDigest.platforms[0] ?? null };
  }
  // What is written now, for the platforms required and the PR's "from": an unpinned reference's
  // is its tag's manifest, read once a candidate is (see above for when).
  let context: { shown: ManifestInfo | null; required: Platform[] } | undefined;
  const readContext = () => {
    if (context) return context;
    const current = use.digest === null ? reader.manifest(tagTarget) : currentDigest;
    if (current === undefined) return undefined;
    const shown = current !== null && !isLookupError(current) ? current : null;
    const required = pin?.platform
      ? [pin.platform]
      : requiredPlatforms(use.platform, policy.platforms, shown);
    return (context = { shown, required });
  };

  const resolve = (reference: string): ManifestInfo | LookupError | PassedOver | undefined => {
    const target = { ...repo, reference };
    const manifest = reader.manifest(target);
    const known = readContext();
    if (manifest === undefined || known === undefined) return undefined;
    if (isLookupError(manifest)) return manifest;
    if (pin && !pin.platform)
      return { error: `the pinned manifest names no platform to pick from ${reference}` };
    const missing = missingPlatforms(known.required, manifest);
    if (missing.length > 0) return { passedOver: `${reference} has no ${platformList(missing)} image` };
    // A single-platform pin follows its platform's manifest inside the index.
    if (pin?.platform && manifest.isIndex) return reader.platformManifest({ target, platform: pin.platform });
    return manifest;
  };
  const update = (
    kind: UpdateKind,
    to: PlannedUpdate['to'],
    target: ManifestInfo,
    firstSeen: Date | null,
  ): PlannedUpdate => {
    const { shown, required } = readContext()!;
    return {
      file,
      line: use.line,
      image: familiarName(repo),
      imageName: imageName(repo),
      from: { tag, digest: use.digest },
      to,
      kind,
      use,
      target,
      current: shown,
      platforms: required.length > 0 ? required : target.images.map((image) => image.platform),
      firstSeen,
    };
  };
  const failures: LookupError[] = [...tagsFailure];
  const held: HeldUpdate[] = [];
  const hold = (to: HeldUpdate['to'], reason: string, soak?: HeldUpdate['soak']): void => {
    held.push({
      file,
      line: use.line,
      column: use.column,
      image: familiarName(repo),
      from: { tag, digest: use.digest },
      to,
      reason,
      ...(soak && { soak }),
    });
  };
  const holdYoung = (candidateTag: string, digest: string, soak: YoungDigest): void =>
    hold({ tag: candidateTag, digest }, soakReason(soak), { firstSeen: soak.firstSeen, due: soak.due });
  /** When the candidate was first seen, or whether it must wait (or cannot be judged). */
  const seen = (candidateTag: string, digest: string) => {
    const answer = reader.firstSeen({ ...repo, tag: candidateTag, digest });
    return answer === undefined ? undefined : soakState(answer, policy.minimumReleaseAgeMs, now);
  };
  /**
   * Under a soak time, a candidate whose own digest (its tag's HEAD) is still too young is held
   * before any of its manifests is read. A single-platform pin writes a digest inside the index,
   * so its candidates are read first, as without a soak time.
   */
  const waits = (candidateTag: string): { digest: string; soak: YoungDigest } | 'read' | undefined => {
    if (!soaks || pin?.platform) return 'read';
    const digest = reader.digest({ ...repo, reference: candidateTag });
    if (digest === undefined) return undefined;
    if (isLookupError(digest)) return 'read';
    const soak = seen(candidateTag, digest);
    if (soak === undefined) return undefined;
    return soak.kind === 'young' ? { digest, soak } : 'read';
  };

  for (const pick of ranked) {
    const waiting = waits(pick.tag);
    if (waiting === undefined) return PENDING;
    if (waiting !== 'read') {
      holdYoung(pick.tag, waiting.digest, waiting.soak);
      continue;
    }
    const target = resolve(pick.tag);
    if (target === undefined) return PENDING;
    if (isPassedOver(target)) {
      hold({ tag: pick.tag, digest: null }, target.passedOver);
      continue;
    }
    if (isLookupError(target)) {
      failures.push(prefixed(pick.tag, target));
      break;
    }
    const soak = seen(pick.tag, target.digest);
    if (soak === undefined) return PENDING;
    if (soak.kind === 'unknown') {
      failures.push({ error: `${pick.tag}: ${soak.failure}` });
      break;
    }
    if (soak.kind === 'young') {
      holdYoung(pick.tag, target.digest, soak);
      continue;
    }
    const to = { tag: pick.tag, digest: pinsDigest ? target.digest : null };
    return { pending: false, update: update(pick.kind, to, target, soak.firstSeen), failures, held };
  }
  // The tag still names the pinned digest: nothing to refresh, nothing to read.
  if (!refreshesDigest || (use.digest !== null && tagDigest === use.digest)) {
    return { pending: false, update: null, failures, held };
  }

  const waiting = waits(tag);
  if (waiting === undefined) return PENDING;
  if (waiting !== 'read') {
    holdYoung(tag, waiting.digest, waiting.soak);
    return { pending: false, update: null, failures, held };
  }
  const target = resolve(tag);
  if (target === undefined) return PENDING;
  if (isPassedOver(target)) {
    hold({ tag, digest: null }, target.passedOver);
    return { pending: false, update: null, failures, held };
  }
  if (isLookupError(target)) return { pending: false, update: null, failures: [...failures, target], held };
  if (target.digest === use.digest) return { pending: false, update: null, failures, held };
  const { shown, required } = readContext()!;
  if (shown && use.digest !== null && unchangedFor(required, shown, target)) {
    hold(
      { tag, digest: target.digest },
      `unchanged for ${platformList(required)}: only other platforms or attestations were re-published`,
    );
    return { pending: false, update: null, failures, held };
  }
  const soak = seen(tag, target.digest);
  if (soak === undefined) return PENDING;
  if (soak.kind === 'unknown')
    return { pending: false, update: null, failures: [...failures, { error: soak.failure }], held };
  if (soak.kind === 'young') {
    holdYoung(tag, target.digest, soak);
    return { pending: false, update: null, failures, held };
  }
  const kind = use.digest === null ? 'pin' : 'digest';
  const to = { tag, digest: target.digest };
  return { pending: false, update: update(kind, to, target, soak.firstSeen), failures, held };
}

/**
 * The registry questions whose answers planUpdates still needs. Call it again after adding the
 * answers: some questions (the new tag's digest, a platform's manifest) follow from earlier ones.
 */
export function lookupsNeeded(
  uses: FileUse[],
  config: RepoConfig,
  now: Date,
  answers?: LookupAnswers,
): LookupsNeeded {
  const reader = new AnswerReader(answers ?? emptyAnswers());
  for (const entry of uses) planUse(entry, config, reader, now);
  return reader.missing();
}

export function byPosition(a: { file: string; line: number }, b: { file: string; line: number }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

/** A failure named after what was asked (a tag, a digest, the tag list), its code kept. */
function prefixed(what: string, failure: LookupError): LookupError {
  return { ...failure, error: `${what}: ${failure.error}` };
}

export function planUpdates({ uses, answers, config, now }: PlanInput): PlanResult {
  const reader = new AnswerReader(answers);
  const updates: PlannedUpdate[] = [];
  const errors: LookupFailure[] = [];
  const held: HeldUpdate[] = [];
  const skipped: SkippedReference[] = [];
  for (const entry of uses) {
    const outcome = planUse(entry, config, reader, now);
    const failures = outcome.pending
      ? [{ error: 'registry answers missing: lookups were not completed' }]
      : outcome.failures;
    const image = familiarName({ registry: entry.use.registry, repository: entry.use.repository });
    if (failures.length > 0) {
      errors.push({
        file: entry.file,
        line: entry.use.line,
        image,
        error: failures.map((f) => f.error).join('; '),
        // Only deferred (a registry's pull budget): tried again next sweep, not a failure.
        ...(failures.every((f) => f.code === 'deferred') ? { deferred: true } : {}),
      });
    }
    if (!outcome.pending) {
      if (outcome.update) updates.push(outcome.update);
      held.push(...outcome.held);
      if (outcome.notLookedUp) {
        skipped.push({
          file: entry.file,
          line: entry.use.line,
          image: entry.use.written,
          reason: outcome.notLookedUp,
        });
      }
    }
  }
  return {
    updates: updates.sort(byPosition),
    errors: errors.sort(byPosition),
    held: held.sort(byPosition),
    notLookedUp: skipped.sort(byPosition),
  };
}
