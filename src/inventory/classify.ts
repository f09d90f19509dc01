// One repository's inventory from what a read-only scan learnt. Pure: the scan results, the app's
// open PRs and the schedule come in as data.
//
// Two plans are compared: the survey (every kind of update offered, pins added) says how far each
// use is behind whatever the config allows; the policy plan (the repository's own config, declines
// removed) says what Freshbase proposes and whether that is in a PR, held back or declined.
import { policyFor } from '../config/policy.js';
import type { RepoConfig } from '../config/types.js';
import { OFFERED_KINDS } from '../image/update-kind.js';
import type { BranchPlan, HeldUpdate, LookupFailure, PlannedUpdate } from '../plan/types.js';
import type { ExtractResult, ImageUse } from '../dockerfile/types.js';
import { familiarName, imageName, shortDigest } from '../image/reference.js';
import type { PlanMetadata } from '../plan/types.js';
import type {
  Behind,
  InventoryFile,
  InventoryUse,
  OpenPull,
  RepositoryInventory,
  UntrackedUse,
  UseState,
} from './types.js';

export interface ScanOutcome {
  updates: PlannedUpdate[];
  errors: LookupFailure[];
}

export interface RepositoryFacts {
  repository: string;
  config: RepoConfig;
  extracted: ExtractResult[];
  /** The scan under `surveyConfig(config)`: how far behind each use is. */
  survey: ScanOutcome;
  /** The scan under the repository's config, before declined updates were removed. */
  proposed: ScanOutcome;
  /** What is left after declines, grouped into branch plans. */
  accepted: { updates: PlannedUpdate[]; plans: BranchPlan[] };
  open: Array<OpenPull & { metadata: PlanMetadata | null }>;
  inWindow: boolean;
  /** When the schedule window next opens (for the held reason), if known. */
  nextWindow: Date | null;
  /** Why updates are held beyond schedule and PR cap (e.g. soak time), keyed like `useKey`. */
  heldFor?: Map<string, string>;
}

/**
 * Every kind offered and every reference pinned, with the config's ignores and disabled rules kept,
 * and no soak time.
 */
export function surveyConfig(config: RepoConfig): RepoConfig {
  // How far behind is measured against everything published: no soak time.
  const { minimumReleaseAge: _soak, ...rest } = config;
  return {
    ...rest,
    enabled: true,
    pin: true,
    updates: [...OFFERED_KINDS],
    rules: config.rules
      .filter((rule) => rule.enabled === false)
      .map((rule) => ({ images: rule.images, enabled: false })),
  };
}

/** The updates the plan held for their soak time (minimumReleaseAge), as `heldFor` takes them. */
export function soakHeld(held: HeldUpdate[]): Map<string, string> {
  return new Map(
    held
      .filter((h) => h.soak)
      .map((h) => [useKey(h.file, h), `${h.to.tag ?? ''}@${shortDigest(h.to.digest ?? '')}: ${h.reason}`]),
  );
}

/** Identifies one image use in one file. */
export function useKey(file: string, use: Pick<ImageUse, 'line' | 'column'>): string {
  return `${file}\0${use.line}\0${use.column}`;
}

function byUse<T extends { file: string; use: ImageUse }>(items: T[]): Map<string, T> {
  return new Map(items.map((item) => [useKey(item.file, item.use), item]));
}

function errorsByLine(errors: LookupFailure[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of errors) map.set(`${e.file}\0${e.line}\0${e.image}`, e.error);
  return map;
}

function behindOf(update: PlannedUpdate | undefined): Behind | null {
  return update && update.kind !== 'pin' ? update.kind : null;
}

const UNTRACKED_REASONS: Record<string, string> = {
  variable: 'built from a variable Freshbase cannot resolve',
  invalid: 'not a valid image reference',
  'too-large': 'file too large to read',
  binary: 'not a text file',
};

export function classifyRepository(facts: RepositoryFacts): RepositoryInventory {
  const survey = byUse(facts.survey.updates);
  const proposed = byUse(facts.proposed.updates);
  const accepted = byUse(facts.accepted.updates);
  const policyErrors = errorsByLine(facts.proposed.errors);
  const surveyErrors = errorsByLine(facts.survey.errors);
  const planOf = new Map<PlannedUpdate, BranchPlan>();
  for (const plan of facts.accepted.plans) for (const u of plan.updates) planOf.set(u, plan);
  const slots = openingSlots(facts);

  const files: InventoryFile[] = facts.extracted.map((extracted) => {
    const images = extracted.images.map((use): InventoryUse => {
      const key = useKey(extracted.file, use);
      const repo = { registry: use.registry, repository: use.repository };
      const image = familiarName(repo);
      const name = imageName(repo);
      const lineKey = `${extracted.file}\0${use.line}\0${image}`;
      const surveyed = survey.get(key);
      const update = accepted.get(key);
      const pull = facts.open.find((p) =>
        p.metadata?.updates.some(
          (u) =>
            u.file === extracted.file &&
            u.imageName === name &&
            u.fromTag === use.tag &&
            u.fromDigest === use.digest,
        ),
      );
      const error = policyErrors.get(lineKey) ?? surveyErrors.get(lineKey) ?? null;
      const plan = update && planOf.get(update);
      const branchPull = plan && facts.open.find((p) => p.branch === plan.branch);
      const pullRequest = pull?.number ?? branchPull?.number ?? null;

      let state: UseState;
      if (!policyFor(facts.config, name).enabled) state = { kind: 'ignored' };
      // An open PR already proposes it (maybe an older release, refreshed when the window opens).
      else if (update && pullRequest !== null) state = { kind: 'pull-request', number: pullRequest };
      else if (update && !facts.inWindow) state = { kind: 'held', reason: windowReason(facts.nextWindow) };
      // Soak time: the plan held the update itself and proposes nothing else for this use.
      else if (!update && facts.heldFor?.has(key)) state = { kind: 'held', reason: facts.heldFor.get(key)! };
      else if (update) state = slots.has(plan!) ? { kind: 'planned' } : { kind: 'held', reason: CAP_REASON };
      else if (proposed.has(key)) state = { kind: 'declined' };
      else if (pull) state = { kind: 'pull-request', number: pull.number };
      else if (error !== null) state = { kind: 'error' };
      else if (behindOf(surveyed) !== null) state = { kind: 'not-offered' };
      else state = { kind: 'current' };

      const policyUpdate = proposed.get(key);
      return {
        line: use.line,
        image,
        imageName: name,
        tag: use.tag,
        digest: use.digest,
        behind: behindOf(surveyed),
        latest: state.kind === 'ignored' ? null : latestOf(use, surveyed, error),
        proposed: policyUpdate
          ? { tag: policyUpdate.to.tag, digest: policyUpdate.target.digest, kind: policyUpdate.kind }
          : null,
        pullRequest,
        state,
        error,
        currentCreated: surveyed?.current?.created ?? null,
        latestCreated: surveyed?.target.created ?? null,
        latestFirstSeen: surveyed?.firstSeen?.toISOString() ?? null,
      };
    });
    const untracked: UntrackedUse[] = extracted.skipped
      .filter((s) => s.reason in UNTRACKED_REASONS)
      .map((s) => ({
        line: s.line,
        written: s.written,
        reason: s.detail ? `${UNTRACKED_REASONS[s.reason]}: ${s.detail}` : UNTRACKED_REASONS[s.reason]!,
      }));
    return { path: extracted.file, images, untracked };
  });

  return {
    repository: facts.repository,
    status: 'scanned',
    detail: null,
    files: files.filter((f) => f.images.length + f.untracked.length > 0),
    pullRequests: facts.open.map(({ number, title, branch }) => ({ number, title, branch })),
  };
}

export const CAP_REASON = 'maxOpenPullRequests reached';

function windowReason(next: Date | null): string {
  return next ? `outside the schedule window (opens ${next.toISOString()})` : 'outside the schedule window';
}

/** The newest release of the use's line as the survey saw it; null when the lookup failed. */
function latestOf(
  use: ImageUse,
  surveyed: PlannedUpdate | undefined,
  error: string | null,
): InventoryUse['latest'] {
  if (surveyed) return { tag: surveyed.to.tag ?? use.tag, digest: surveyed.target.digest };
  if (error !== null || use.tag === null || use.digest === null) return null;
  return { tag: use.tag, digest: use.digest };
}

/**
 * The plans without an open PR that the next scan would open, in the order it opens them:
 * as many as `maxOpenPullRequests` leaves room for.
 */
function openingSlots(facts: RepositoryFacts): Set<BranchPlan> {
  const branches = new Set(facts.open.map((p) => p.branch));
  let room = facts.config.maxOpenPullRequests - facts.open.length;
  const opening = new Set<BranchPlan>();
  for (const plan of facts.accepted.plans) {
    if (branches.has(plan.branch)) continue;
    if (room-- > 0) opening.add(plan);
  }
  return opening;
}

/** A repository that was not scanned, with why. */
export function unscannedRepository(
  repository: string,
  status: Exclude<RepositoryInventory['status'], 'scanned'>,
  detail: string,
): RepositoryInventory {
  return { repository, status, detail, files: [], pullRequests: [] };
}
